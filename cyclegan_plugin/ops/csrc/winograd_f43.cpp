// Winograd F(4x4, 3x3) transforms for stride-1 3x3 convolutions on the CPU.
//
// A 3x3 convolution of 4x4 output tiles becomes, per tile, 36 independent
// products in the "Winograd domain" (Lavin & Gray 2016, arXiv 1509.09308):
//
//   Y = A^T [ (G g G^T) (.) (B^T d B) ] A
//
// with d a 6x6 input tile, g a 3x3 filter and (.) the elementwise product.
// Summed over input channels, the 36 products are 36 matrix products
// M[xi] = U[xi] V[xi] of shapes (K x C)(C x P), P = tiles, which
// cyclegan_plugin/ops/winograd.py hands to torch.bmm. This file holds only the
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
// input transform through index maps, so no padded copy of x is made, and its
// adjoint routes the gradient of padded pixels back to the pixels they copy,
// as the backward of F.pad does. Ho = H + 2 pad - 2; tiles that reach past
// the output read zeros and their extra outputs are not written.
//
// Loops run over (image, channel) planes with at::parallel_for, so they use
// torch's intra-op thread pool (torch.set_num_threads).

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/library.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace {

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

int64_t num_tiles(int64_t out_size) { return (out_size + kM - 1) / kM; }

// For each padded coordinate q in [0, kM * tiles + 2): the source index in
// [0, size) or -1 where the padded tensor holds a zero.
std::vector<int64_t> index_map(int64_t size, int64_t tiles, int64_t pad,
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

// cidx[j * tiles + u]: the source column of tap j of tile u, or -1.
std::vector<int64_t> tap_index(const std::vector<int64_t>& map, int64_t tiles) {
  std::vector<int64_t> idx(kA * tiles);
  for (int64_t j = 0; j < kA; ++j) {
    for (int64_t u = 0; u < tiles; ++u) idx[j * tiles + u] = map[kM * u + j];
  }
  return idx;
}

// o[u] = sum_i coef[i] * in[i * stride + u] for u < n, skipping zero coefs.
// Every transform below is made of these, vectorised over the tiles u of a
// row of tiles (the compiler turns the u loops into SIMD code).
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
const Transposed kT;

void check_float_cpu(const at::Tensor& t, const char* name) {
  TORCH_CHECK(t.device().is_cpu() && t.scalar_type() == at::kFloat,
              "winograd_f43: ", name, " must be a float32 CPU tensor, got ",
              t.scalar_type(), " on ", t.device());
  TORCH_CHECK(t.is_contiguous(), "winograd_f43: ", name,
              " must be contiguous");
}

// Each kernel below handles one (image, channel) plane at a time: it gathers
// the plane's tiles into buffers laid out [point][tile], so that every step
// of a transform is a combine over all th * tw tiles at once.

at::Tensor input_transform(const at::Tensor& x, int64_t pad, int64_t mode) {
  check_float_cpu(x, "x");
  TORCH_CHECK(x.dim() == 4, "winograd_f43: x must be (N, C, H, W)");
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t th = num_tiles(H + 2 * pad - 2), tw = num_tiles(W + 2 * pad - 2);
  TORCH_CHECK(th > 0 && tw > 0, "winograd_f43: input too small");
  const auto rmap = index_map(H, th, pad, mode);
  const auto cidx = tap_index(index_map(W, tw, pad, mode), tw);
  const int64_t tiles = th * tw;
  const int64_t plane = C * N * tiles;  // stride between the 36 points
  auto V = at::empty({kXi, C, N, th, tw}, x.options());
  const float* src_all = x.data_ptr<float>();
  float* dst_all = V.data_ptr<float>();
  at::parallel_for(0, N * C, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> taps(kXi * tiles), wt(kXi * tiles);
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / C, c = p % C;
      const float* src = src_all + p * H * W;
      // taps[i][j][tile]: pixel (i, j) of each 6x6 tile, padding included.
      for (int64_t t = 0; t < th; ++t) {
        for (int64_t i = 0; i < kA; ++i) {
          const int64_t r = rmap[kM * t + i];
          const float* row = src + r * W;
          for (int64_t j = 0; j < kA; ++j) {
            float* o = taps.data() + (i * kA + j) * tiles + t * tw;
            const int64_t* cj = cidx.data() + j * tw;
            for (int64_t u = 0; u < tw; ++u) {
              o[u] = (r < 0 || cj[u] < 0) ? 0.f : row[cj[u]];
            }
          }
        }
      }
      // Along W: wt[i][b] = sum_j BT[b][j] taps[i][j].
      for (int64_t i = 0; i < kA; ++i) {
        for (int64_t b = 0; b < kA; ++b) {
          combine<kA>(wt.data() + (i * kA + b) * tiles, kBT[b],
                      taps.data() + i * kA * tiles, tiles, tiles);
        }
      }
      // Along H: V[a][b] = sum_i BT[a][i] wt[i][b], straight into V.
      float* dst = dst_all + (c * N + n) * tiles;
      for (int64_t a = 0; a < kA; ++a) {
        for (int64_t b = 0; b < kA; ++b) {
          combine<kA>(dst + (a * kA + b) * plane, kBT[a], wt.data() + b * tiles,
                      kA * tiles, tiles);
        }
      }
    }
  });
  return V;
}

at::Tensor input_adjoint(const at::Tensor& gV, int64_t H, int64_t W, int64_t pad,
                         int64_t mode) {
  check_float_cpu(gV, "grad_V");
  TORCH_CHECK(gV.dim() == 5 && gV.size(0) == kXi,
              "winograd_f43: grad_V must be (36, C, N, th, tw)");
  const int64_t C = gV.size(1), N = gV.size(2), th = gV.size(3), tw = gV.size(4);
  const auto rmap = index_map(H, th, pad, mode);
  const auto cidx = tap_index(index_map(W, tw, pad, mode), tw);
  const int64_t tiles = th * tw;
  const int64_t plane = C * N * tiles;
  auto gx = at::zeros({N, C, H, W}, gV.options());
  const float* src_all = gV.data_ptr<float>();
  float* dst_all = gx.data_ptr<float>();
  at::parallel_for(0, N * C, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> h(kXi * tiles), d(kXi * tiles);
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / C, c = p % C;
      const float* src = src_all + (c * N + n) * tiles;
      // Along H: h[i][b] = sum_a BT[a][i] gV[a][b], straight from gV.
      for (int64_t i = 0; i < kA; ++i) {
        for (int64_t b = 0; b < kA; ++b) {
          combine<kA>(h.data() + (i * kA + b) * tiles, kT.B[i], src + b * plane,
                      kA * plane, tiles);
        }
      }
      // Along W: d[i][j] = sum_b BT[b][j] h[i][b].
      for (int64_t i = 0; i < kA; ++i) {
        for (int64_t j = 0; j < kA; ++j) {
          combine<kA>(d.data() + (i * kA + j) * tiles, kT.B[j],
                      h.data() + i * kA * tiles, tiles, tiles);
        }
      }
      // Overlapping tiles and padding add up on the pixels they read.
      float* dst = dst_all + p * H * W;
      for (int64_t t = 0; t < th; ++t) {
        for (int64_t i = 0; i < kA; ++i) {
          const int64_t r = rmap[kM * t + i];
          if (r < 0) continue;
          float* row = dst + r * W;
          for (int64_t j = 0; j < kA; ++j) {
            const float* di = d.data() + (i * kA + j) * tiles + t * tw;
            const int64_t* cj = cidx.data() + j * tw;
            for (int64_t u = 0; u < tw; ++u) {
              if (cj[u] >= 0) row[cj[u]] += di[u];
            }
          }
        }
      }
    }
  });
  return gx;
}

at::Tensor output_transform(const at::Tensor& M, const c10::optional<at::Tensor>& bias,
                            int64_t Ho, int64_t Wo) {
  check_float_cpu(M, "M");
  TORCH_CHECK(M.dim() == 5 && M.size(0) == kXi,
              "winograd_f43: M must be (36, K, N, th, tw)");
  const int64_t K = M.size(1), N = M.size(2), th = M.size(3), tw = M.size(4);
  TORCH_CHECK(Ho <= kM * th && Wo <= kM * tw, "winograd_f43: output too large");
  const float* bias_ptr = nullptr;
  if (bias.has_value() && bias->defined()) {
    check_float_cpu(*bias, "bias");
    TORCH_CHECK(bias->numel() == K, "winograd_f43: bias must have K elements");
    bias_ptr = bias->data_ptr<float>();
  }
  const int64_t tiles = th * tw;
  const int64_t plane = K * N * tiles;
  auto y = at::empty({N, K, Ho, Wo}, M.options());
  const float* src_all = M.data_ptr<float>();
  float* dst_all = y.data_ptr<float>();
  at::parallel_for(0, N * K, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> s(kM * kA * tiles), yv(kM * kM * tiles);
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / K, k = p % K;
      const float* src = src_all + (k * N + n) * tiles;
      const float b0 = bias_ptr ? bias_ptr[k] : 0.f;
      // Along H: s[i][b] = sum_a AT[i][a] M[a][b], straight from M.
      for (int64_t i = 0; i < kM; ++i) {
        for (int64_t b = 0; b < kA; ++b) {
          combine<kA>(s.data() + (i * kA + b) * tiles, kAT[i], src + b * plane,
                      kA * plane, tiles);
        }
      }
      // Along W: y[i][j] = sum_b AT[j][b] s[i][b] + bias.
      for (int64_t i = 0; i < kM; ++i) {
        for (int64_t j = 0; j < kM; ++j) {
          combine<kA>(yv.data() + (i * kM + j) * tiles, kAT[j],
                      s.data() + i * kA * tiles, tiles, tiles, b0);
        }
      }
      float* dst = dst_all + p * Ho * Wo;
      for (int64_t t = 0; t < th; ++t) {
        for (int64_t i = 0; i < kM && kM * t + i < Ho; ++i) {
          float* row = dst + (kM * t + i) * Wo;
          for (int64_t j = 0; j < kM; ++j) {
            const float* yij = yv.data() + (i * kM + j) * tiles + t * tw;
            for (int64_t u = 0; u < tw && kM * u + j < Wo; ++u) {
              row[kM * u + j] = yij[u];
            }
          }
        }
      }
    }
  });
  return y;
}

at::Tensor output_adjoint(const at::Tensor& gy, int64_t th, int64_t tw) {
  check_float_cpu(gy, "grad_y");
  TORCH_CHECK(gy.dim() == 4, "winograd_f43: grad_y must be (N, K, Ho, Wo)");
  const int64_t N = gy.size(0), K = gy.size(1), Ho = gy.size(2), Wo = gy.size(3);
  TORCH_CHECK(Ho <= kM * th && Wo <= kM * tw, "winograd_f43: grad_y too large");
  const int64_t tiles = th * tw;
  const int64_t plane = K * N * tiles;
  auto gM = at::empty({kXi, K, N, th, tw}, gy.options());
  const float* src_all = gy.data_ptr<float>();
  float* dst_all = gM.data_ptr<float>();
  at::parallel_for(0, N * K, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> g(kM * kM * tiles), s(kM * kA * tiles);
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / K, k = p % K;
      const float* src = src_all + p * Ho * Wo;
      // g[i][j][tile]: pixel (i, j) of each 4x4 output tile, zero outside.
      for (int64_t t = 0; t < th; ++t) {
        for (int64_t i = 0; i < kM; ++i) {
          const bool inside = kM * t + i < Ho;
          const float* row = src + (kM * t + i) * Wo;
          for (int64_t j = 0; j < kM; ++j) {
            float* o = g.data() + (i * kM + j) * tiles + t * tw;
            for (int64_t u = 0; u < tw; ++u) {
              o[u] = (inside && kM * u + j < Wo) ? row[kM * u + j] : 0.f;
            }
          }
        }
      }
      // Along W: s[i][b] = sum_j AT[j][b] g[i][j].
      for (int64_t i = 0; i < kM; ++i) {
        for (int64_t b = 0; b < kA; ++b) {
          combine<kM>(s.data() + (i * kA + b) * tiles, kT.A[b],
                      g.data() + i * kM * tiles, tiles, tiles);
        }
      }
      // Along H: gM[a][b] = sum_i AT[i][a] s[i][b], straight into gM.
      float* dst = dst_all + (k * N + n) * tiles;
      for (int64_t a = 0; a < kA; ++a) {
        for (int64_t b = 0; b < kA; ++b) {
          combine<kM>(dst + (a * kA + b) * plane, kT.A[a], s.data() + b * tiles,
                      kA * tiles, tiles);
        }
      }
    }
  });
  return gM;
}

// The 36 outputs of a filter lie K * C floats apart; going through a block
// of filters at a time keeps those 36 streams from evicting each other (their
// addresses differ by multiples of 4 KiB, so they share cache sets), and lays
// each step out over the block's filters, which vectorises it.
constexpr int64_t kFilterBlock = 256;

// Transposed G, so that the adjoint's combines read rows.
struct TransposedG {
  float G[3][kA];  // G[i][a] = kG[a][i]
  TransposedG() {
    for (int64_t a = 0; a < kA; ++a) {
      for (int64_t i = 0; i < 3; ++i) G[i][a] = kG[a][i];
    }
  }
};
const TransposedG kGT;

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
  at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> g(9 * kFilterBlock), t(kA * 3 * kFilterBlock);
    for (int64_t blk = begin; blk < end; ++blk) {
      const int64_t p0 = blk * kFilterBlock;
      const int64_t len = std::min(kFilterBlock, plane - p0);
      // g[tap][filter]
      for (int64_t e = 0; e < len; ++e) {
        for (int64_t q = 0; q < 9; ++q) g[q * kFilterBlock + e] = src[(p0 + e) * 9 + q];
      }
      // t[a][j] = sum_i G[a][i] g[i][j]
      for (int64_t a = 0; a < kA; ++a) {
        for (int64_t j = 0; j < 3; ++j) {
          combine<3>(t.data() + (a * 3 + j) * kFilterBlock, kG[a], g.data() + j * kFilterBlock,
                     3 * kFilterBlock, len);
        }
      }
      // U[a][b] = sum_j G[b][j] t[a][j], straight into U.
      for (int64_t a = 0; a < kA; ++a) {
        for (int64_t b = 0; b < kA; ++b) {
          combine<3>(dst + (a * kA + b) * plane + p0, kG[b],
                     t.data() + a * 3 * kFilterBlock, kFilterBlock, len);
        }
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
  at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> t(3 * kA * kFilterBlock), g(9 * kFilterBlock);
    for (int64_t blk = begin; blk < end; ++blk) {
      const int64_t p0 = blk * kFilterBlock;
      const int64_t len = std::min(kFilterBlock, plane - p0);
      // t[i][b] = sum_a G[a][i] gU[a][b], straight from gU.
      for (int64_t i = 0; i < 3; ++i) {
        for (int64_t b = 0; b < kA; ++b) {
          combine<kA>(t.data() + (i * kA + b) * kFilterBlock, kGT.G[i],
                      src + b * plane + p0, kA * plane, len);
        }
      }
      // g[i][j] = sum_b G[b][j] t[i][b]
      for (int64_t i = 0; i < 3; ++i) {
        for (int64_t j = 0; j < 3; ++j) {
          combine<kA>(g.data() + (i * 3 + j) * kFilterBlock, kGT.G[j],
                      t.data() + i * kA * kFilterBlock, kFilterBlock, len);
        }
      }
      for (int64_t e = 0; e < len; ++e) {
        for (int64_t q = 0; q < 9; ++q) dst[(p0 + e) * 9 + q] = g[q * kFilterBlock + e];
      }
    }
  });
  return gw;
}

}  // namespace

TORCH_LIBRARY(cyclegan_winograd, m) {
  m.def("input_transform(Tensor x, int pad, int mode) -> Tensor", &input_transform);
  m.def("input_adjoint(Tensor grad_V, int H, int W, int pad, int mode) -> Tensor",
        &input_adjoint);
  m.def("output_transform(Tensor M, Tensor? bias, int Ho, int Wo) -> Tensor",
        &output_transform);
  m.def("output_adjoint(Tensor grad_y, int th, int tw) -> Tensor", &output_adjoint);
  m.def("weight_transform(Tensor weight) -> Tensor", &weight_transform);
  m.def("weight_adjoint(Tensor grad_U) -> Tensor", &weight_adjoint);
}
