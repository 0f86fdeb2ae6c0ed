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
#include <utility>
#include <vector>

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

// o[u] = sum_i coef[i] * in[i * stride + u] for u < n, skipping zero coefs.
// Every transform is made of these, vectorised over u (the tiles of a plane,
// or a block of filters): the compiler turns the u loops into SIMD code.
template <int64_t kTerms>
inline void combine(float* __restrict o, const float* coef, const float* in,
                    int64_t stride, int64_t n, float init = 0.f) {
  for (int64_t u = 0; u < n; ++u) o[u] = init;
  for (int64_t i = 0; i < kTerms; ++i) {
    const float c = coef[i];
    if (c == 0.f) continue;
    const float* __restrict x = in + i * stride;
    for (int64_t u = 0; u < n; ++u) o[u] += c * x[u];
  }
}

// Transposed coefficient matrices, so that every combine reads a row.
struct Transposed {
  float B[kA][kA];   // B[i][a] = BT[a][i]
  float A[kA][kM];   // A[a][i] = AT[i][a]
  Transposed() {
    for (int64_t a = 0; a < kA; ++a) {
      for (int64_t i = 0; i < kA; ++i) B[i][a] = kBT[a][i];
      for (int64_t i = 0; i < kM; ++i) A[a][i] = kAT[i][a];
    }
  }
};
inline const Transposed kT;

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
