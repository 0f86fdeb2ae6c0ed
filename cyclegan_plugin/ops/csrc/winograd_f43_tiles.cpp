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

// Split a row into its kM phases: ph[k][u] = row[kM * u + k] for
// kM * u + k < len, each phase kept `stride` floats apart.
inline void deinterleave(const float* row, int64_t len, float* ph, int64_t stride) {
  const int64_t whole = len / kM;
  float* __restrict p0 = ph;
  float* __restrict p1 = ph + stride;
  float* __restrict p2 = ph + 2 * stride;
  float* __restrict p3 = ph + 3 * stride;
  for (int64_t u = 0; u < whole; ++u) {
    p0[u] = row[kM * u];
    p1[u] = row[kM * u + 1];
    p2[u] = row[kM * u + 2];
    p3[u] = row[kM * u + 3];
  }
  for (int64_t q = kM * whole; q < len; ++q) ph[(q % kM) * stride + q / kM] = row[q];
}

// Each kernel handles one (image, channel) plane at a time. A tile row of
// the plane is transformed at once, each step of a transform vectorised over
// its tiles (along W) or over its tiles and points (along H); the 36 points
// of the Winograd domain are rows of th * tw tiles, kXi planes apart.

at::Tensor input_transform(const at::Tensor& x, int64_t pad, int64_t mode) {
  check_float_cpu(x, "x");
  TORCH_CHECK(x.dim() == 4, "winograd_f43: x must be (N, C, H, W)");
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t th = num_tiles(H + 2 * pad - 2), tw = num_tiles(W + 2 * pad - 2);
  TORCH_CHECK(th > 0 && tw > 0, "winograd_f43: input too small");
  const auto rmap = index_map(H, th, pad, mode);
  const auto cmap = index_map(W, tw, pad, mode);
  const auto [lo, hi] = interior(cmap, pad, W);
  const int64_t rows = kM * th + 2, wp = kM * tw + 2;
  const int64_t tiles = th * tw, ps = tw + 1;  // ps: floats per phase
  const int64_t plane = C * N * tiles;         // stride between the 36 points
  auto V = at::empty({kXi, C, N, th, tw}, x.options());
  const float* src_all = x.data_ptr<float>();
  float* dst_all = V.data_ptr<float>();
  at::parallel_for(0, N * C, 1, [&](int64_t begin, int64_t end) {
    // wt[r][b][u]: padded row r transformed along W; vt[a][b][tile]: the
    // plane's V, written out to the 36 points at the end.
    std::vector<float> padded(rows * wp), ph(kM * ps), wt(rows * kA * tw),
        vt(kXi * tiles);
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / C, c = p % C;
      gather_padded(src_all + p * H * W, W, rmap, cmap, lo, hi, padded.data());
      // Along W: wt[r][b] = sum_j BT[b][j] row[kM u + j]; j = 4, 5 are the
      // phases 0, 1 of the next tile.
      for (int64_t r = 0; r < rows; ++r) {
        deinterleave(padded.data() + r * wp, wp, ph.data(), ps);
        const float* in[kA] = {ph.data(),          ph.data() + ps,
                               ph.data() + 2 * ps, ph.data() + 3 * ps,
                               ph.data() + 1,      ph.data() + ps + 1};
        map_rows<MapBT>(in, Rows<kA, float>(wt.data() + r * kA * tw, tw), tw);
      }
      // Along H, a tile row at a time: V[a][b] = sum_i BT[a][i] wt[kM t + i][b].
      for (int64_t t = 0; t < th; ++t) {
        for (int64_t b = 0; b < kA; ++b) {
          map_rows<MapBT>(
              Rows<kA, const float>(wt.data() + kM * t * kA * tw + b * tw, kA * tw),
              Rows<kA, float>(vt.data() + b * tiles + t * tw, kA * tiles), tw);
        }
      }
      float* dst = dst_all + (c * N + n) * tiles;
      for (int64_t xi = 0; xi < kXi; ++xi) {
        copy_floats(dst + xi * plane, vt.data() + xi * tiles, tiles);
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
  const int64_t rows = kM * th + 2, wp = kM * tw + 2;
  const int64_t tiles = th * tw;
  const int64_t plane = C * N * tiles;
  auto gx = at::zeros({N, C, H, W}, gV.options());
  const float* src_all = gV.data_ptr<float>();
  float* dst_all = gx.data_ptr<float>();
  at::parallel_for(0, N * C, 1, [&](int64_t begin, int64_t end) {
    // vt[a][b][tile]: the plane's gV; h[r][b][u]: the gradient of wt
    // (above); d[j][u]: of the pixels kM u + j of a padded row.
    std::vector<float> vt(kXi * tiles), h(rows * kA * tw), d(kA * tw),
        padded(rows * wp);
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / C, c = p % C;
      const float* src = src_all + (c * N + n) * tiles;
      for (int64_t xi = 0; xi < kXi; ++xi) {
        copy_floats(vt.data() + xi * tiles, src + xi * plane, tiles);
      }
      // Along H: h[kM t + i][b] += sum_a BT[a][i] gV[a][b]; the tile rows
      // overlap by two padded rows, whose gradients add up.
      std::fill(h.begin(), h.end(), 0.f);
      for (int64_t t = 0; t < th; ++t) {
        for (int64_t b = 0; b < kA; ++b) {
          map_rows<MapB, true>(
              Rows<kA, const float>(vt.data() + b * tiles + t * tw, kA * tiles),
              Rows<kA, float>(h.data() + kM * t * kA * tw + b * tw, kA * tw), tw);
        }
      }
      // Along W: d[j] = sum_b BT[b][j] h[r][b], added onto the padded row.
      for (int64_t r = 0; r < rows; ++r) {
        map_rows<MapB>(Rows<kA, const float>(h.data() + r * kA * tw, tw),
                       Rows<kA, float>(d.data(), tw), tw);
        float* row = padded.data() + r * wp;
        std::fill(row, row + wp, 0.f);
        for (int64_t j = 0; j < kA; ++j) {
          const float* dj = d.data() + j * tw;
          for (int64_t u = 0; u < tw; ++u) row[kM * u + j] += dj[u];
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
  const bool whole = Wo == kM * tw;
  auto y = at::empty({N, K, Ho, Wo}, M.options());
  const float* src_all = M.data_ptr<float>();
  float* dst_all = y.data_ptr<float>();
  at::parallel_for(0, N * K, 1, [&](int64_t begin, int64_t end) {
    // mt[a][b][tile]: the plane's M; s[i][b][u]: a tile row transformed
    // along H; yt[j][u]: the output pixels kM u + j of one row.
    std::vector<float> mt(kXi * tiles), s(kM * kA * tw), yt(kM * tw);
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / K, k = p % K;
      const float* src = src_all + (k * N + n) * tiles;
      for (int64_t xi = 0; xi < kXi; ++xi) {
        copy_floats(mt.data() + xi * tiles, src + xi * plane, tiles);
      }
      const float b0 = bias_ptr ? bias_ptr[k] : 0.f;
      float* dst = dst_all + p * Ho * Wo;
      for (int64_t t = 0; t < th; ++t) {
        // Along H: s[i][b] = sum_a AT[i][a] M[a][b].
        for (int64_t b = 0; b < kA; ++b) {
          map_rows<MapAT>(Rows<kA, const float>(mt.data() + b * tiles + t * tw, kA * tiles),
                          Rows<kM, float>(s.data() + b * tw, kA * tw), tw);
        }
        // Along W: y[kM t + i][kM u + j] = sum_b AT[j][b] s[i][b] + bias.
        for (int64_t i = 0; i < kM && kM * t + i < Ho; ++i) {
          map_rows<MapAT>(Rows<kA, const float>(s.data() + i * kA * tw, tw),
                          Rows<kM, float>(yt.data(), tw), tw);
          float* row = dst + (kM * t + i) * Wo;
          if (whole) {
            for (int64_t u = 0; u < tw; ++u) {
              for (int64_t j = 0; j < kM; ++j) row[kM * u + j] = yt[j * tw + u] + b0;
            }
          } else {
            for (int64_t q = 0; q < Wo; ++q) row[q] = yt[(q % kM) * tw + q / kM] + b0;
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
    // g[j][u]: pixels kM u + j of one output row (zero outside the output);
    // s[i][b][u]: a tile row transformed along W; mt[a][b][tile]: the
    // plane's gM, written out to the 36 points at the end.
    std::vector<float> g(kM * tw), s(kM * kA * tw), mt(kXi * tiles);
    for (int64_t p = begin; p < end; ++p) {
      const int64_t n = p / K, k = p % K;
      const float* src = src_all + p * Ho * Wo;
      float* dst = dst_all + (k * N + n) * tiles;
      for (int64_t t = 0; t < th; ++t) {
        // Along W: s[i][b] = sum_j AT[j][b] g[i][j].
        for (int64_t i = 0; i < kM; ++i) {
          std::fill(g.begin(), g.end(), 0.f);
          if (kM * t + i < Ho) deinterleave(src + (kM * t + i) * Wo, Wo, g.data(), tw);
          map_rows<MapA>(Rows<kM, const float>(g.data(), tw),
                         Rows<kA, float>(s.data() + i * kA * tw, tw), tw);
        }
        // Along H: gM[a][b] = sum_i AT[i][a] s[i][b].
        for (int64_t b = 0; b < kA; ++b) {
          map_rows<MapA>(Rows<kM, const float>(s.data() + b * tw, kA * tw),
                         Rows<kA, float>(mt.data() + b * tiles + t * tw, kA * tiles), tw);
        }
      }
      for (int64_t xi = 0; xi < kXi; ++xi) {
        copy_floats(dst + xi * plane, mt.data() + xi * tiles, tiles);
      }
    }
  });
  return gM;
}

}  // namespace cyclegan_winograd
