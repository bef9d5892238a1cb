// The vectorised exp shared by the C kernels (decode attention, SwiGLU, softmax): 2^n·p(r),
// n = round(x/ln 2), |r| ≤ ln2/2, p the degree-7 Taylor polynomial (relative error < 2e-7 before
// rounding), the same formula as VectorMath.exp, so every path rounds alike up to FMA contraction.
#ifndef NNETNAV_SIMD_EXP_H
#define NNETNAV_SIMD_EXP_H
#include <stdint.h>
#include <math.h>

/// The same formula one value at a time (loop tails and the scalar level), so a row's values do not
/// depend on where a vector loop stops.
static inline float exp_poly(float x) {
    x = fminf(fmaxf(x, -87.3f), 88.3f);
    const float magic = 12582912.0f;
    float shifted = fmaf(x, 1.44269504f, magic);
    float n = shifted - magic;
    float r = fmaf(-n, 0.69314575f, x);
    r = fmaf(-n, 1.4286068e-6f, r);
    float p = 1.0f / 5040;
    p = fmaf(p, r, 1.0f / 720);
    p = fmaf(p, r, 1.0f / 120);
    p = fmaf(p, r, 1.0f / 24);
    p = fmaf(p, r, 1.0f / 6);
    p = fmaf(p, r, 0.5f);
    p = fmaf(p, r, 1.0f);
    p = fmaf(p, r, 1.0f);
    union { float f; int32_t i; } bits = { shifted }, scale;
    scale.i = ((bits.i - 0x4B400000) + 127) << 23;
    return p * scale.f;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx2,fma"))) static inline __m256 exp_avx2(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    const __m256 magic = _mm256_set1_ps(12582912.0f);
    __m256 shifted = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), magic);
    __m256 n = _mm256_sub_ps(shifted, magic);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.69314575f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.4286068e-6f), r);
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i k = _mm256_sub_epi32(_mm256_castps_si256(shifted), _mm256_set1_epi32(0x4B400000));
    __m256 two_n = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(p, two_n);
}

#endif
#endif
