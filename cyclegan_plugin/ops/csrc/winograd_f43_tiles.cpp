// Winograd F(4x4, 3x3): the image transforms and their adjoints
// (see winograd_f43.h).

#include "winograd_f43.h"

namespace cyclegan_winograd {
namespace {

// The plane as the padded convolution sees it: rows rmap, columns cmap
// (kM * tiles + 2 of each), zeros where a map says -1.
void gather_padded(const float* src, int64_t W, const std::vector<int64_t>& rmap,
                   const std::vector<int64_t>& cmap, int64_t lo, int64_t hi,
                   float* padded) {
  const int64_t wp = static_cast<int64_t>(cmap.size());
  for (int64_t q = 0; q < static_cast<int64_t>(rmap.size()); ++q) {
    float* d = padded + q * wp;
    if (rmap[q] < 0) {
      std::fill(d, d + wp, 0.f);
      continue;
    }
    const float* row = src + rmap[q] * W;
    std::copy(row + cmap[lo], row + cmap[lo] + (hi - lo), d + lo);  // interior
    for (int64_t c = 0; c < lo; ++c) d[c] = cmap[c] < 0 ? 0.f : row[cmap[c]];
    for (int64_t c = hi; c < wp; ++c) d[c] = cmap[c] < 0 ? 0.f : row[cmap[c]];
  }
}

// The adjoint of gather_padded: adds the padded plane onto the source pixels.
void scatter_padded(const float* padded, int64_t W, const std::vector<int64_t>& rmap,
                    const std::vector<int64_t>& cmap, int64_t lo, int64_t hi,
                    float* dst) {
  const int64_t wp = static_cast<int64_t>(cmap.size());
  for (int64_t q = 0; q < static_cast<int64_t>(rmap.size()); ++q) {
    if (rmap[q] < 0) continue;
    const float* s = padded + q * wp;
    float* row = dst + rmap[q] * W;
    float* interior = row + cmap[lo];
    for (int64_t c = lo; c < hi; ++c) interior[c - lo] += s[c];
    for (int64_t c = 0; c < lo; ++c) {
      if (cmap[c] >= 0) row[cmap[c]] += s[c];
    }
    for (int64_t c = hi; c < wp; ++c) {
      if (cmap[c] >= 0) row[cmap[c]] += s[c];
    }
  }
}

// [lo, hi): the padded columns that map one to one onto source columns.
std::pair<int64_t, int64_t> interior(const std::vector<int64_t>& cmap, int64_t pad,
                                     int64_t W) {
  const int64_t lo = std::min<int64_t>(pad, static_cast<int64_t>(cmap.size()));
  const int64_t hi = std::min<int64_t>(pad + W, static_cast<int64_t>(cmap.size()));
  return {lo, std::max(lo, hi)};
}

}  // namespace

// Each kernel handles one (image, channel) plane at a time: it gathers the
// plane's tiles into buffers laid out [point][tile], so that every step of a
// transform is a combine over all th * tw tiles at once.

at::Tensor input_transform(const at::Tensor& x, int64_t pad, int64_t mode) {
  check_float_cpu(x, "x");
  TORCH_CHECK(x.dim() == 4, "winograd_f43: x must be (N, C, H, W)");
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t th = num_tiles(H + 2 * pad - 2), tw = num_tiles(W + 2 * pad - 2);
  TORCH_CHECK(th > 0 && tw > 0, "winograd_f43: input too small");
  const auto rmap = index_map(H, th, pad, mode);
  const auto cmap = index_map(W, tw, pad, mode);
  const auto [lo, hi] = interior(cmap, pad, W);
  const int64_t wp = kM * tw + 2;
  const int64_t tiles = th * tw;
  const int64_t plane = C * N * tiles;  // stride between the 36 points
  auto V = at::empty({kXi, C, N, th, tw}, x.options());
  const float* src_all = x.data_ptr<float>();
  float* dst_all = V.data_ptr<float>();
  at::parallel_for(0, N * C, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> padded(rmap.size() * wp), taps(kXi * tiles), wt(kXi * tiles);
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / C, c = p % C;
      gather_padded(src_all + p * H * W, W, rmap, cmap, lo, hi, padded.data());
      // taps[i][j][tile]: pixel (i, j) of each 6x6 tile.
      for (int64_t t = 0; t < th; ++t) {
        for (int64_t i = 0; i < kA; ++i) {
          const float* row = padded.data() + (kM * t + i) * wp;
          for (int64_t j = 0; j < kA; ++j) {
            float* o = taps.data() + (i * kA + j) * tiles + t * tw;
            for (int64_t u = 0; u < tw; ++u) o[u] = row[kM * u + j];
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
  const auto cmap = index_map(W, tw, pad, mode);
  const auto [lo, hi] = interior(cmap, pad, W);
  const int64_t wp = kM * tw + 2;
  const int64_t tiles = th * tw;
  const int64_t plane = C * N * tiles;
  auto gx = at::zeros({N, C, H, W}, gV.options());
  const float* src_all = gV.data_ptr<float>();
  float* dst_all = gx.data_ptr<float>();
  at::parallel_for(0, N * C, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> h(kXi * tiles), d(kXi * tiles), padded(rmap.size() * wp);
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
      // Overlapping tiles add up on the padded plane, which the padding's
      // adjoint then folds onto the pixels it copied.
      std::fill(padded.begin(), padded.end(), 0.f);
      for (int64_t t = 0; t < th; ++t) {
        for (int64_t i = 0; i < kA; ++i) {
          float* row = padded.data() + (kM * t + i) * wp;
          for (int64_t j = 0; j < kA; ++j) {
            const float* di = d.data() + (i * kA + j) * tiles + t * tw;
            for (int64_t u = 0; u < tw; ++u) row[kM * u + j] += di[u];
          }
        }
      }
      scatter_padded(padded.data(), W, rmap, cmap, lo, hi, dst_all + p * H * W);
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

}  // namespace cyclegan_winograd
