// Winograd F(4x4, 3x3) transforms for stride-1 3x3 convolutions on the CPU:
// the shared definitions. winograd_f43_tiles.cpp transforms the images,
// winograd_f43_weights.cpp the filters and registers the operators.
//
// A 3x3 convolution of 4x4 output tiles becomes, per tile, 36 independent
// products in the "Winograd domain" (Lavin & Gray 2016, arXiv 1509.09308):
//
//   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
//
// with d a 6x6 input tile, g a 3x3 filter and (.) the elementwise product.
// Summed over input channels, the 36 products are 36 matrix products
// M[xi] = U[xi] V[xi] of shapes (K x C)(C x P), P = tiles, which
// cyclegan_plugin/ops/winograd.py hands to torch.bmm. These files hold only the
// linear maps around them and their adjoints (for the backward pass):
//
//   input_transform    x  (N, C, H, W)      -> V  (36, C, N, th, tw)
//   input_adjoint      gV (36, C, N, th, tw) -> gx (N, C, H, W)
//   output_transform   M  (36, K, N, th, tw) -> y  (N, K, Ho, Wo) (+ bias)
//   output_adjoint     gy (N, K, Ho, Wo)     -> gM (36, K, N, th, tw)
//   weight_transform   w  (K, C, 3, 3)       -> U  (36, K, C)
//   weight_adjoint     gU (36, K, C)         -> gw (K, C, 3, 3)
//
// The convolution's padding (zeros, reflect or replicate) is folded into the
// input transform through index maps (each plane is padded in a small local
// buffer, no padded tensor is made), and its adjoint routes the gradient of
// padded pixels back to the pixels they copy, as the backward of F.pad does. Ho = H + 2 pad - 2; tiles that reach past
// the output read zeros and their extra outputs are not written.
//
// Loops run over (image, channel) planes with at::parallel_for, so they use
// torch's intra-op thread pool (torch.set_num_threads).

#pragma once

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "vec8.h"

namespace cyclegan_winograd {

constexpr int64_t kM = 4;      // output tile size
constexpr int64_t kA = 6;      // input tile size, kM + 3 - 1
constexpr int64_t kXi = kA * kA;

// Lavin & Gray's F(4, 3) matrices, interpolation points 0, +-1, +-2, inf.
constexpr float kBT[kA][kA] = {
    {4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
    {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
constexpr float kG[kA][3] = {{1.f / 4, 0, 0},
                             {-1.f / 6, -1.f / 6, -1.f / 6},
                             {-1.f / 6, 1.f / 6, -1.f / 6},
                             {1.f / 24, 1.f / 12, 1.f / 6},
                             {1.f / 24, -1.f / 12, 1.f / 6},
                             {0, 0, 1}};
constexpr float kAT[kM][kA] = {{1, 1, 1, 1, 1, 0},
                               {0, 1, -1, 2, -2, 0},
                               {0, 1, 1, 4, 4, 0},
                               {0, 1, -1, 8, -8, 1}};

enum PadMode : int64_t { kZeros = 0, kReflect = 1, kReplicate = 2 };

inline int64_t num_tiles(int64_t out_size) { return (out_size + kM - 1) / kM; }

// For each padded coordinate q in [0, kM * tiles + 2): the source index in
// [0, size) or -1 where the padded tensor holds a zero.
inline std::vector<int64_t> index_map(int64_t size, int64_t tiles, int64_t pad,
                               int64_t mode) {
  std::vector<int64_t> map(kM * tiles + 2);
  for (int64_t q = 0; q < static_cast<int64_t>(map.size()); ++q) {
    const int64_t r = q - pad;
    int64_t src = r;
    if (r < -pad || r >= size + pad) {
      src = -1;  // beyond the padded input: only feeds outputs never written
    } else if (r < 0) {
      src = mode == kReflect ? -r : (mode == kReplicate ? 0 : -1);
    } else if (r >= size) {
      src = mode == kReflect ? 2 * (size - 1) - r
                             : (mode == kReplicate ? size - 1 : -1);
    }
    map[q] = src;
  }
  return map;
}

// The six linear maps of F(4, 3) on one point: out = Map in. Written out
// rather than looped over kBT / kAT / kG: the compiler may not drop products
// with the matrices' zeros (0 * inf is not 0), and each map is then a few
// FMAs per point.
struct MapBT {  // input transform along one axis: B^T d (6 -> 6)
  static constexpr int kIn = 6, kOut = 6;
  template <class T>
  static inline void apply(const T* d, T* o) {
    o[0] = 4.f * d[0] - 5.f * d[2] + d[4];
    o[1] = -4.f * (d[1] + d[2]) + d[3] + d[4];
    o[2] = 4.f * (d[1] - d[2]) - d[3] + d[4];
    o[3] = 2.f * (d[3] - d[1]) - d[2] + d[4];
    o[4] = 2.f * (d[1] - d[3]) - d[2] + d[4];
    o[5] = 4.f * d[1] - 5.f * d[3] + d[5];
  }
};
struct MapB {  // its adjoint: B g (6 -> 6)
  static constexpr int kIn = 6, kOut = 6;
  template <class T>
  static inline void apply(const T* g, T* o) {
    o[0] = 4.f * g[0];
    o[1] = 4.f * (g[2] - g[1] + g[5]) + 2.f * (g[4] - g[3]);
    o[2] = -5.f * g[0] - 4.f * (g[1] + g[2]) - g[3] - g[4];
    o[3] = g[1] - g[2] + 2.f * (g[3] - g[4]) - 5.f * g[5];
    o[4] = g[0] + g[1] + g[2] + g[3] + g[4];
    o[5] = g[5];
  }
};
struct MapAT {  // output transform along one axis: A^T m (6 -> 4)
  static constexpr int kIn = 6, kOut = 4;
  template <class T>
  static inline void apply(const T* m, T* o) {
    const T p12 = m[1] + m[2], m12 = m[1] - m[2];
    const T p34 = m[3] + m[4], m34 = m[3] - m[4];
    o[0] = m[0] + p12 + p34;
    o[1] = m12 + 2.f * m34;
    o[2] = p12 + 4.f * p34;
    o[3] = m12 + 8.f * m34 + m[5];
  }
};
struct MapA {  // its adjoint: A g (4 -> 6)
  static constexpr int kIn = 4, kOut = 6;
  template <class T>
  static inline void apply(const T* g, T* o) {
    const T e = g[0] + g[2], f = g[1] + g[3];
    const T e4 = g[0] + 4.f * g[2], f8 = 2.f * g[1] + 8.f * g[3];
    o[0] = g[0];
    o[1] = e + f;
    o[2] = e - f;
    o[3] = e4 + f8;
    o[4] = e4 - f8;
    o[5] = g[3];
  }
};
struct MapG {  // filter transform along one axis: G g (3 -> 6)
  static constexpr int kIn = 3, kOut = 6;
  template <class T>
  static inline void apply(const T* g, T* o) {
    const T s = g[0] + g[2];
    const T q = g[0] * (1.f / 24) + g[2] * (1.f / 6);
    o[0] = 0.25f * g[0];
    o[1] = (s + g[1]) * (-1.f / 6);
    o[2] = (s - g[1]) * (-1.f / 6);
    o[3] = q + g[1] * (1.f / 12);
    o[4] = q - g[1] * (1.f / 12);
    o[5] = g[2];
  }
};
struct MapGT {  // its adjoint: G^T u (6 -> 3)
  static constexpr int kIn = 6, kOut = 3;
  template <class T>
  static inline void apply(const T* u, T* o) {
    const T p12 = u[1] + u[2], m12 = u[1] - u[2];
    const T p34 = u[3] + u[4], m34 = u[3] - u[4];
    o[0] = 0.25f * u[0] - p12 * (1.f / 6) + p34 * (1.f / 24);
    o[1] = m12 * (-1.f / 6) + m34 * (1.f / 12);
    o[2] = (p34 - p12) * (1.f / 6) + u[5];
  }
};

using cyclegan_simd::load8;
using cyclegan_simd::store8;
using cyclegan_simd::Vec8;

// dst[u] = src[u] for u < n, inline (these runs are short: a tile row).
inline void copy_floats(float* dst, const float* src, int64_t n) {
  int64_t u = 0;
  for (; u + 8 <= n; u += 8) store8(dst + u, load8(src + u));
  for (; u < n; ++u) dst[u] = src[u];
}

// out[r][u] (+)= (Map in[.][u])[r] for u < n: one pass over n points, eight
// at a time. The rows may be anywhere but must not overlap the outputs.
template <class Map, bool kAccumulate = false>
inline void map_rows(const float* const* in, float* const* out, int64_t n) {
  int64_t u = 0;
  for (; u + 8 <= n; u += 8) {
    Vec8 d[Map::kIn], y[Map::kOut];
    for (int r = 0; r < Map::kIn; ++r) d[r] = load8(in[r] + u);
    Map::apply(d, y);
    for (int r = 0; r < Map::kOut; ++r) {
      store8(out[r] + u, kAccumulate ? load8(out[r] + u) + y[r] : y[r]);
    }
  }
  for (; u < n; ++u) {
    float d[Map::kIn], y[Map::kOut];
    for (int r = 0; r < Map::kIn; ++r) d[r] = in[r][u];
    Map::apply(d, y);
    for (int r = 0; r < Map::kOut; ++r) out[r][u] = kAccumulate ? out[r][u] + y[r] : y[r];
  }
}

// The rows base + r * stride for r < kRows, as map_rows takes them.
template <int kRows, class T>
struct Rows {
  T* p[kRows];
  Rows(T* base, int64_t stride) {
    for (int r = 0; r < kRows; ++r) p[r] = base + r * stride;
  }
  operator T* const*() const { return p; }
};

inline void check_float_cpu(const at::Tensor& t, const char* name) {
  TORCH_CHECK(t.device().is_cpu() && t.scalar_type() == at::kFloat,
              "winograd_f43: ", name, " must be a float32 CPU tensor, got ",
              t.scalar_type(), " on ", t.device());
  TORCH_CHECK(t.is_contiguous(), "winograd_f43: ", name,
              " must be contiguous");
}

at::Tensor input_transform(const at::Tensor& x, int64_t pad, int64_t mode);
at::Tensor input_adjoint(const at::Tensor& gV, int64_t H, int64_t W, int64_t pad,
                         int64_t mode);
at::Tensor output_transform(const at::Tensor& M, const c10::optional<at::Tensor>& bias,
                            int64_t Ho, int64_t Wo);
at::Tensor output_adjoint(const at::Tensor& gy, int64_t th, int64_t tw);
at::Tensor weight_transform(const at::Tensor& w);
at::Tensor weight_adjoint(const at::Tensor& gU);

}  // namespace cyclegan_winograd
