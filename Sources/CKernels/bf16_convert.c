// fp32 ↔ bf16 conversion for the trainer's mixed precision: activations kept between a block's
// forward and its backward, and LoRA's frozen base weights, are stored as bf16 (the top 16 bits
// of an fp32) and widened back to fp32 before any arithmetic. AVX2 has no bf16 instructions, so
// both directions are integer bit manipulation: 8 values per step with AVX2, one at a time in the
// portable reference. Both levels give bit-identical results (the tests compare them).
#include "CKernels.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NN_X86 1
#endif

// Round to nearest, ties to even: add 0x7FFF plus the lowest kept bit, then drop the low half.
// A carry out of the mantissa bumps the exponent, which is the right rounding (the largest finite
// values round up to infinity, as in IEEE). NaN would round to infinity when its payload sits in
// the dropped half only, so NaNs are truncated instead and made quiet: they stay NaN, sign kept.
static inline uint16_t round_one(uint32_t bits) {
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x0040u);
    return (uint16_t)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

static void round_scalar(const float *x, uint16_t *y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, x + i, 4);
        y[i] = round_one(bits);
    }
}

static void widen_scalar(const uint16_t *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t bits = (uint32_t)x[i] << 16;
        memcpy(y + i, &bits, 4);
    }
}

#ifdef NN_X86
#define AVX2_TARGET __attribute__((target("avx2")))

AVX2_TARGET static void round_avx2(const float *x, uint16_t *y, size_t n) {
    const __m256i one = _mm256_set1_epi32(1), bias = _mm256_set1_epi32(0x7FFF);
    const __m256i magnitude = _mm256_set1_epi32(0x7FFFFFFF), infinity = _mm256_set1_epi32(0x7F800000);
    const __m256i quiet = _mm256_set1_epi32(0x0040);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i bits = _mm256_loadu_si256((const __m256i *)(x + i));
        __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(bits, 16), one);
        __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(bits, _mm256_add_epi32(bias, lsb)), 16);
        // Signed compare is right here: both sides are below 2³¹ once the sign is masked off.
        __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(bits, magnitude), infinity);
        __m256i truncated = _mm256_or_si256(_mm256_srli_epi32(bits, 16), quiet);
        __m256i halves = _mm256_blendv_epi8(rounded, truncated, nan);
        // Every lane is in 0...0xFFFF, so the saturating pack is exact; it packs within 128-bit
        // lanes, hence the two halves are packed together.
        __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(halves), _mm256_extracti128_si256(halves, 1));
        _mm_storeu_si128((__m128i *)(y + i), packed);
    }
    round_scalar(x + i, y + i, n - i);
}

AVX2_TARGET static void widen_avx2(const uint16_t *x, float *y, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(x + i)));
        _mm256_storeu_si256((__m256i *)(y + i), _mm256_slli_epi32(wide, 16));
    }
    widen_scalar(x + i, y + i, n - i);
}
#endif

int nn_f32_to_bf16(int level, const float *x, uint16_t *y, size_t n) {
    if (!nn_kernel_level_supported(level)) return -1;
#ifdef NN_X86
    if (level >= NN_LEVEL_AVX2) { round_avx2(x, y, n); return 0; }
#endif
    round_scalar(x, y, n);
    return 0;
}

int nn_bf16_to_f32(int level, const uint16_t *x, float *y, size_t n) {
    if (!nn_kernel_level_supported(level)) return -1;
#ifdef NN_X86
    if (level >= NN_LEVEL_AVX2) { widen_avx2(x, y, n); return 0; }
#endif
    widen_scalar(x, y, n);
    return 0;
}
