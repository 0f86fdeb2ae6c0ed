// Eight floats as one value: an AVX register where the build has -mavx2
// (two SSE registers otherwise), with GCC's vector extensions, so that the
// kernels' arithmetic reads as scalar code and compiles to SIMD code.

#pragma once

#include <cstring>

namespace cyclegan_simd {

typedef float Vec8 __attribute__((vector_size(32)));

inline Vec8 load8(const float* p) {
  Vec8 v;
  std::memcpy(&v, p, sizeof(v));  // unaligned load
  return v;
}

inline void store8(float* p, Vec8 v) { std::memcpy(p, &v, sizeof(v)); }

}  // namespace cyclegan_simd
