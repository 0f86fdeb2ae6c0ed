// Instance norm without affine parameters, optionally followed by ReLU, on
// the CPU: one plane at a time, the plane kept in cache across the passes.
//
// PyTorch computes instance norm as batch norm over (1, N * C, H, W) and the
// ReLU after it as a separate op that saves its output; at the ResNet
// generator's sizes that costs about 8x a copy of the tensor forward and as
// much again backward. Here the forward makes two passes over each plane
// (statistics, then the normalised and rectified output) and saves only the
// per-plane mean and 1 / std with the input; the backward recomputes the
// normalised input and the ReLU mask from them (x_hat > 0 exactly where the
// output is positive) in two more passes.
//
//   instance_norm_relu          x (N, C, H, W) -> y, mean (N * C), rstd (N * C)
//   instance_norm_relu_backward gy, x, mean, rstd -> gx

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/library.h>

#include <cmath>
#include <cstdint>
#include <tuple>

#include "vec8.h"

namespace cyclegan_norm {
namespace {

using cyclegan_simd::load8;
using cyclegan_simd::store8;
using cyclegan_simd::Vec8;
inline double hsum(Vec8 v) {
  double s = 0;
  for (int i = 0; i < 8; ++i) s += v[i];
  return s;
}

void check(const at::Tensor& t, const char* name) {
  TORCH_CHECK(t.device().is_cpu() && t.scalar_type() == at::kFloat,
              "instance_norm_relu: ", name, " must be a float32 CPU tensor, got ",
              t.scalar_type(), " on ", t.device());
  TORCH_CHECK(t.is_contiguous(), "instance_norm_relu: ", name, " must be contiguous");
}

}  // namespace

std::tuple<at::Tensor, at::Tensor, at::Tensor> instance_norm_relu(const at::Tensor& x,
                                                                  double eps, bool relu) {
  check(x, "x");
  TORCH_CHECK(x.dim() >= 3, "instance_norm_relu: x must be (N, C, ...)");
  const int64_t planes = x.size(0) * x.size(1);
  const int64_t n = planes ? x.numel() / planes : 0;
  TORCH_CHECK(n > 0, "instance_norm_relu: empty planes");
  auto y = at::empty_like(x);
  auto mean = at::empty({planes}, x.options());
  auto rstd = at::empty({planes}, x.options());
  const float* src = x.data_ptr<float>();
  float* dst = y.data_ptr<float>();
  float* mean_p = mean.data_ptr<float>();
  float* rstd_p = rstd.data_ptr<float>();
  at::parallel_for(0, planes, 1, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* xp = src + p * n;
      // The mean, then the variance about it (two passes: no cancellation).
      Vec8 acc = {};
      int64_t i = 0;
      for (; i + 8 <= n; i += 8) acc += load8(xp + i);
      double sum = hsum(acc);
      for (; i < n; ++i) sum += xp[i];
      const float m = static_cast<float>(sum / n);
      acc = Vec8{};
      for (i = 0; i + 8 <= n; i += 8) {
        const Vec8 d = load8(xp + i) - m;
        acc += d * d;
      }
      double sq = hsum(acc);
      for (; i < n; ++i) sq += (xp[i] - m) * (xp[i] - m);
      const float r = static_cast<float>(1.0 / std::sqrt(sq / n + eps));
      mean_p[p] = m;
      rstd_p[p] = r;
      float* yp = dst + p * n;
      const Vec8 zero = {};
      for (i = 0; i + 8 <= n; i += 8) {
        Vec8 v = (load8(xp + i) - m) * r;
        if (relu) v = v > zero ? v : zero;
        store8(yp + i, v);
      }
      for (; i < n; ++i) {
        const float v = (xp[i] - m) * r;
        yp[i] = relu && !(v > 0.f) ? 0.f : v;
      }
    }
  });
  return {y, mean, rstd};
}

at::Tensor instance_norm_relu_backward(const at::Tensor& gy, const at::Tensor& x,
                                       const at::Tensor& mean, const at::Tensor& rstd,
                                       bool relu) {
  check(gy, "grad_y");
  check(x, "x");
  check(mean, "mean");
  check(rstd, "rstd");
  TORCH_CHECK(gy.sizes() == x.sizes(), "instance_norm_relu: grad_y ", gy.sizes(),
              " does not match x ", x.sizes());
  const int64_t planes = x.size(0) * x.size(1);
  TORCH_CHECK(mean.numel() == planes && rstd.numel() == planes,
              "instance_norm_relu: mean and rstd must have N * C elements");
  const int64_t n = x.numel() / planes;
  auto gx = at::empty_like(x);
  const float* g_all = gy.data_ptr<float>();
  const float* x_all = x.data_ptr<float>();
  const float* mean_p = mean.data_ptr<float>();
  const float* rstd_p = rstd.data_ptr<float>();
  float* gx_all = gx.data_ptr<float>();
  at::parallel_for(0, planes, 1, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) {
      const float* xp = x_all + p * n;
      const float* gp = g_all + p * n;
      const float m = mean_p[p], r = rstd_p[p];
      const Vec8 zero = {};
      // gx = r (g' - mean(g') - x_hat mean(g' x_hat)), g' = g where the
      // ReLU passed its input (x_hat > 0), the plain g without ReLU.
      Vec8 acc_g = {}, acc_gx = {};
      int64_t i = 0;
      for (; i + 8 <= n; i += 8) {
        const Vec8 xh = (load8(xp + i) - m) * r;
        Vec8 g = load8(gp + i);
        if (relu) g = xh > zero ? g : zero;
        acc_g += g;
        acc_gx += g * xh;
      }
      double sg = hsum(acc_g), sgx = hsum(acc_gx);
      for (; i < n; ++i) {
        const float xh = (xp[i] - m) * r;
        const float g = relu && !(xh > 0.f) ? 0.f : gp[i];
        sg += g;
        sgx += g * xh;
      }
      const float mg = static_cast<float>(sg / n), mgx = static_cast<float>(sgx / n);
      float* out = gx_all + p * n;
      for (i = 0; i + 8 <= n; i += 8) {
        const Vec8 xh = (load8(xp + i) - m) * r;
        Vec8 g = load8(gp + i);
        if (relu) g = xh > zero ? g : zero;
        store8(out + i, (g - mg - xh * mgx) * r);
      }
      for (; i < n; ++i) {
        const float xh = (xp[i] - m) * r;
        const float g = relu && !(xh > 0.f) ? 0.f : gp[i];
        out[i] = (g - mg - xh * mgx) * r;
      }
    }
  });
  return gx;
}

}  // namespace cyclegan_norm

TORCH_LIBRARY(cyclegan_norm, m) {
  m.def("instance_norm_relu(Tensor x, float eps, bool relu) -> (Tensor, Tensor, Tensor)",
        &cyclegan_norm::instance_norm_relu);
  m.def(
      "instance_norm_relu_backward(Tensor grad_y, Tensor x, Tensor mean, Tensor rstd, "
      "bool relu) -> Tensor",
      &cyclegan_norm::instance_norm_relu_backward);
}
