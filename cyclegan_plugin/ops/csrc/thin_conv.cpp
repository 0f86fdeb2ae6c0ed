// Direct stride-1 convolutions with few channels on one side (an RGB image
// in or out): the ResNet generator's 7x7 stem (3 -> 64) and head (64 -> 3).
//
// oneDNN runs the head's forward and the stem's input gradient (the
// convolutions with 3 output channels) at about 25 GFLOP/s on two AVX2
// cores, a fifth of what it reaches elsewhere: few output channels leave
// its kernels little to block over. These kernels block over output pixels
// instead (16 or 24 per step, in registers) and over at most four output channels.
//
//   thin_conv2d         x  (N, C, H, W), w (K, C, kh, kw) -> y (N, K, H-kh+1, W-kw+1)
//                       (valid correlation, + bias)
//   thin_conv2d_weight  gy (N, K, Ho, Wo), x (N, C, H, W) -> gw (K, C, kh, kw)
//
// The input gradient is thin_conv2d of the zero-padded output gradient with
// the flipped, transposed filters (cyclegan_plugin/ops/thin_conv.py).

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/library.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "vec8.h"

namespace cyclegan_conv {
namespace {

using cyclegan_simd::load8;
using cyclegan_simd::store8;
using cyclegan_simd::Vec8;

constexpr int64_t kMaxBlock = 4;  // output channels per register block
constexpr int64_t kMaxKw = 8;     // widest kernel thin_conv2d_weight handles

void check(const at::Tensor& t, const char* name, int64_t dim) {
  TORCH_CHECK(t.device().is_cpu() && t.scalar_type() == at::kFloat,
              "thin_conv: ", name, " must be a float32 CPU tensor, got ",
              t.scalar_type(), " on ", t.device());
  TORCH_CHECK(t.is_contiguous(), "thin_conv: ", name, " must be contiguous");
  TORCH_CHECK(t.dim() == dim, "thin_conv: ", name, " must have ", dim,
              " dimensions, got ", t.dim());
}

// y[k][j0 + u] for k < kKB, u < 8 kV: the sum over c, ky, kx of
// wp[c][ky][kx][k] * x[c][ky][j0 + u + kx], x pointing at the input row of
// output row i. The kKB * kV sums stay in registers for all C kh kw terms.
template <int kKB, int kV>
inline void conv_chunk(const float* x, int64_t C, int64_t plane, int64_t W,
                       const float* wp, int64_t kh, int64_t kw, int64_t j0,
                       float* const* y) {
  Vec8 acc[kKB][kV] = {};
  for (int64_t c = 0; c < C; ++c) {
    for (int64_t ky = 0; ky < kh; ++ky) {
      const float* xr = x + c * plane + ky * W + j0;
      const float* wr = wp + (c * kh + ky) * kw * kKB;
      for (int64_t kx = 0; kx < kw; ++kx) {
        Vec8 xv[kV];
        for (int v = 0; v < kV; ++v) xv[v] = load8(xr + kx + 8 * v);
        for (int k = 0; k < kKB; ++k) {
          const Vec8 wv = Vec8{} + wr[kx * kKB + k];
          for (int v = 0; v < kV; ++v) acc[k][v] += wv * xv[v];
        }
      }
    }
  }
  for (int k = 0; k < kKB; ++k) {
    for (int v = 0; v < kV; ++v) store8(y[k] + j0 + 8 * v, acc[k][v]);
  }
}

// The same for one output pixel j (the row's last Wo % 8).
template <int kKB>
inline void conv_pixel(const float* x, int64_t C, int64_t plane, int64_t W,
                       const float* wp, int64_t kh, int64_t kw, int64_t j,
                       float* const* y) {
  float acc[kKB] = {};
  for (int64_t c = 0; c < C; ++c) {
    for (int64_t ky = 0; ky < kh; ++ky) {
      const float* xr = x + c * plane + ky * W + j;
      const float* wr = wp + (c * kh + ky) * kw * kKB;
      for (int64_t kx = 0; kx < kw; ++kx) {
        for (int k = 0; k < kKB; ++k) acc[k] += wr[kx * kKB + k] * xr[kx];
      }
    }
  }
  for (int k = 0; k < kKB; ++k) y[k][j] = acc[k];
}

// One output row of kKB channels.
template <int kKB>
void conv_row(const float* x, int64_t C, int64_t plane, int64_t W, const float* wp,
              int64_t kh, int64_t kw, int64_t Wo, float* const* y) {
  int64_t j = 0;
  // Three vectors per channel when that still leaves registers free.
  if (kKB <= 3) {
    for (; j + 24 <= Wo; j += 24) conv_chunk<kKB, 3>(x, C, plane, W, wp, kh, kw, j, y);
  }
  for (; j + 16 <= Wo; j += 16) conv_chunk<kKB, 2>(x, C, plane, W, wp, kh, kw, j, y);
  for (; j + 8 <= Wo; j += 8) conv_chunk<kKB, 1>(x, C, plane, W, wp, kh, kw, j, y);
  for (; j < Wo; ++j) conv_pixel<kKB>(x, C, plane, W, wp, kh, kw, j, y);
}

// gw[kx] = sum over n, i, j of gy[n][i][j] * x[n][i + ky][j + kx] for
// kx < kKw, one (k, c, ky): the kKw sums stay in registers.
template <int kKw>
void weight_taps(const float* gy, const float* x, int64_t N, int64_t gy_image,
                 int64_t x_image, int64_t Ho, int64_t Wo, int64_t W, float* gw) {
  Vec8 acc[kKw] = {};
  float tail[kKw] = {};
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t i = 0; i < Ho; ++i) {
      const float* g = gy + n * gy_image + i * Wo;
      const float* xr = x + n * x_image + i * W;
      int64_t j = 0;
      for (; j + 8 <= Wo; j += 8) {
        const Vec8 gv = load8(g + j);
        for (int kx = 0; kx < kKw; ++kx) acc[kx] += gv * load8(xr + j + kx);
      }
      for (; j < Wo; ++j) {
        for (int kx = 0; kx < kKw; ++kx) tail[kx] += g[j] * xr[j + kx];
      }
    }
  }
  for (int kx = 0; kx < kKw; ++kx) {
    float s = tail[kx];
    for (int u = 0; u < 8; ++u) s += acc[kx][u];
    gw[kx] = s;
  }
}

}  // namespace

at::Tensor thin_conv2d(const at::Tensor& x, const at::Tensor& w,
                       const c10::optional<at::Tensor>& bias) {
  check(x, "x", 4);
  check(w, "weight", 4);
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t K = w.size(0), kh = w.size(2), kw = w.size(3);
  TORCH_CHECK(w.size(1) == C, "thin_conv: weight expects ", w.size(1),
              " input channels, x has ", C);
  TORCH_CHECK(H >= kh && W >= kw, "thin_conv: x is smaller than the kernel");
  const int64_t Ho = H - kh + 1, Wo = W - kw + 1;
  const float* bias_ptr = nullptr;
  if (bias.has_value() && bias->defined()) {
    check(*bias, "bias", 1);
    TORCH_CHECK(bias->numel() == K, "thin_conv: bias must have K elements");
    bias_ptr = bias->data_ptr<float>();
  }
  // The filters of each block of output channels, laid out [c][ky][kx][k].
  const int64_t blocks = (K + kMaxBlock - 1) / kMaxBlock;
  const int64_t taps = C * kh * kw;
  std::vector<float> packed(blocks * taps * kMaxBlock);
  const float* wsrc = w.data_ptr<float>();
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t k0 = b * kMaxBlock, kb = std::min(kMaxBlock, K - k0);
    float* dst = packed.data() + b * taps * kMaxBlock;
    for (int64_t t = 0; t < taps; ++t) {
      for (int64_t k = 0; k < kb; ++k) dst[t * kb + k] = wsrc[(k0 + k) * taps + t];
    }
  }
  auto y = at::empty({N, K, Ho, Wo}, x.options());
  const float* xsrc = x.data_ptr<float>();
  float* ydst = y.data_ptr<float>();
  // One task: one output row of one block of output channels.
  at::parallel_for(0, N * blocks * Ho, 1, [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      const int64_t i = task % Ho, b = (task / Ho) % blocks, n = task / (Ho * blocks);
      const int64_t k0 = b * kMaxBlock, kb = std::min(kMaxBlock, K - k0);
      const float* xi = xsrc + n * C * H * W + i * W;
      const float* wp = packed.data() + b * taps * kMaxBlock;
      float* rows[kMaxBlock];
      for (int64_t k = 0; k < kb; ++k) rows[k] = ydst + ((n * K + k0 + k) * Ho + i) * Wo;
      switch (kb) {
        case 4: conv_row<4>(xi, C, H * W, W, wp, kh, kw, Wo, rows); break;
        case 3: conv_row<3>(xi, C, H * W, W, wp, kh, kw, Wo, rows); break;
        case 2: conv_row<2>(xi, C, H * W, W, wp, kh, kw, Wo, rows); break;
        default: conv_row<1>(xi, C, H * W, W, wp, kh, kw, Wo, rows); break;
      }
      if (bias_ptr) {
        for (int64_t k = 0; k < kb; ++k) {
          const float b0 = bias_ptr[k0 + k];
          for (int64_t j = 0; j < Wo; ++j) rows[k][j] += b0;
        }
      }
    }
  });
  return y;
}

at::Tensor thin_conv2d_weight(const at::Tensor& gy, const at::Tensor& x, int64_t kh,
                              int64_t kw) {
  check(gy, "grad_y", 4);
  check(x, "x", 4);
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t K = gy.size(1), Ho = gy.size(2), Wo = gy.size(3);
  TORCH_CHECK(gy.size(0) == N && Ho == H - kh + 1 && Wo == W - kw + 1,
              "thin_conv: grad_y ", gy.sizes(), " does not match x ", x.sizes(),
              " and a ", kh, "x", kw, " kernel");
  TORCH_CHECK(kw >= 1 && kw <= kMaxKw, "thin_conv: kernel width must be 1-", kMaxKw);
  auto gw = at::empty({K, C, kh, kw}, x.options());
  const float* g = gy.data_ptr<float>();
  const float* xs = x.data_ptr<float>();
  float* dst = gw.data_ptr<float>();
  // One task: one filter row (k, c, ky); ky varies fastest, so consecutive
  // tasks read the same two planes.
  at::parallel_for(0, K * C * kh, 1, [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      const int64_t ky = task % kh, c = (task / kh) % C, k = task / (kh * C);
      const float* gk = g + k * Ho * Wo;
      const float* xc = xs + (c * H + ky) * W;
      float* out = dst + ((k * C + c) * kh + ky) * kw;
      const int64_t gi = K * Ho * Wo, xi = C * H * W;
      switch (kw) {
        case 8: weight_taps<8>(gk, xc, N, gi, xi, Ho, Wo, W, out); break;
        case 7: weight_taps<7>(gk, xc, N, gi, xi, Ho, Wo, W, out); break;
        case 6: weight_taps<6>(gk, xc, N, gi, xi, Ho, Wo, W, out); break;
        case 5: weight_taps<5>(gk, xc, N, gi, xi, Ho, Wo, W, out); break;
        case 4: weight_taps<4>(gk, xc, N, gi, xi, Ho, Wo, W, out); break;
        case 3: weight_taps<3>(gk, xc, N, gi, xi, Ho, Wo, W, out); break;
        case 2: weight_taps<2>(gk, xc, N, gi, xi, Ho, Wo, W, out); break;
        default: weight_taps<1>(gk, xc, N, gi, xi, Ho, Wo, W, out); break;
      }
    }
  });
  return gw;
}

}  // namespace cyclegan_conv

TORCH_LIBRARY(cyclegan_conv, m) {
  m.def("thin_conv2d(Tensor x, Tensor weight, Tensor? bias) -> Tensor",
        &cyclegan_conv::thin_conv2d);
  m.def("thin_conv2d_weight(Tensor grad_y, Tensor x, int kh, int kw) -> Tensor",
        &cyclegan_conv::thin_conv2d_weight);
}
