// Winograd F(4x4, 3x3): the filter transforms, and the operators
// torch.ops.cyclegan_winograd.* (see winograd_f43.h).

#include <torch/library.h>

#include "winograd_f43.h"

namespace cyclegan_winograd {

// The 36 outputs of a filter lie K * C floats apart; going through a block
// of filters at a time keeps those 36 streams from evicting each other (their
// addresses differ by multiples of 4 KiB, so they share cache sets), and lays
// each step out over the block's filters, which vectorises it.
constexpr int64_t kFilterBlock = 256;

at::Tensor weight_transform(const at::Tensor& w) {
  check_float_cpu(w, "weight");
  TORCH_CHECK(w.dim() == 4 && w.size(2) == 3 && w.size(3) == 3,
              "winograd_f43: weight must be (K, C, 3, 3)");
  const int64_t K = w.size(0), C = w.size(1);
  auto U = at::empty({kXi, K, C}, w.options());
  const float* src = w.data_ptr<float>();
  float* dst = U.data_ptr<float>();
  const int64_t plane = K * C;
  const int64_t blocks = (plane + kFilterBlock - 1) / kFilterBlock;
  constexpr int64_t B = kFilterBlock;
  at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> g(9 * B), t(kA * 3 * B);
    for (int64_t blk = begin; blk < end; ++blk) {
      const int64_t p0 = blk * B;
      const int64_t len = std::min(B, plane - p0);
      // g[tap][filter]
      for (int64_t e = 0; e < len; ++e) {
        for (int64_t q = 0; q < 9; ++q) g[q * B + e] = src[(p0 + e) * 9 + q];
      }
      // t[a][j] = sum_i G[a][i] g[i][j], for the three columns j at once.
      map_rows<MapG>(Rows<3, const float>(g.data(), 3 * B),
                     Rows<kA, float>(t.data(), 3 * B), 3 * B);
      // U[a][b] = sum_j G[b][j] t[a][j], straight into U.
      for (int64_t a = 0; a < kA; ++a) {
        map_rows<MapG>(Rows<3, const float>(t.data() + a * 3 * B, B),
                       Rows<kA, float>(dst + a * kA * plane + p0, plane), len);
      }
    }
  });
  return U;
}

at::Tensor weight_adjoint(const at::Tensor& gU) {
  check_float_cpu(gU, "grad_U");
  TORCH_CHECK(gU.dim() == 3 && gU.size(0) == kXi,
              "winograd_f43: grad_U must be (36, K, C)");
  const int64_t K = gU.size(1), C = gU.size(2);
  auto gw = at::empty({K, C, 3, 3}, gU.options());
  const float* src = gU.data_ptr<float>();
  float* dst = gw.data_ptr<float>();
  const int64_t plane = K * C;
  const int64_t blocks = (plane + kFilterBlock - 1) / kFilterBlock;
  constexpr int64_t B = kFilterBlock;
  at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> t(kA * 3 * B), g(9 * B);
    for (int64_t blk = begin; blk < end; ++blk) {
      const int64_t p0 = blk * B;
      const int64_t len = std::min(B, plane - p0);
      // t[a][j] = sum_b G[b][j] gU[a][b], straight from gU.
      for (int64_t a = 0; a < kA; ++a) {
        map_rows<MapGT>(Rows<kA, const float>(src + a * kA * plane + p0, plane),
                        Rows<3, float>(t.data() + a * 3 * B, B), len);
      }
      // g[i][j] = sum_a G[a][i] t[a][j], for the three columns j at once.
      map_rows<MapGT>(Rows<kA, const float>(t.data(), 3 * B),
                      Rows<3, float>(g.data(), 3 * B), 3 * B);
      for (int64_t e = 0; e < len; ++e) {
        for (int64_t q = 0; q < 9; ++q) dst[(p0 + e) * 9 + q] = g[q * B + e];
      }
    }
  });
  return gw;
}

}  // namespace cyclegan_winograd

TORCH_LIBRARY(cyclegan_winograd, m) {
  m.def("input_transform(Tensor x, int pad, int mode) -> Tensor", &cyclegan_winograd::input_transform);
  m.def("input_adjoint(Tensor grad_V, int H, int W, int pad, int mode) -> Tensor",
        &cyclegan_winograd::input_adjoint);
  m.def("output_transform(Tensor M, Tensor? bias, int Ho, int Wo) -> Tensor",
        &cyclegan_winograd::output_transform);
  m.def("output_adjoint(Tensor grad_y, int th, int tw) -> Tensor", &cyclegan_winograd::output_adjoint);
  m.def("weight_transform(Tensor weight) -> Tensor", &cyclegan_winograd::weight_transform);
  m.def("weight_adjoint(Tensor grad_U) -> Tensor", &cyclegan_winograd::weight_adjoint);
}
