// Matrix-vector products straight from ggml's quantized blocks (Q4_0, Q4_1, Q8_0), with the
// activation row quantized to int8 per 32-value block. This is what single-token decoding
// spends its time on: it reads every weight once per token, so reading 4.5-8.5 bits per weight
// instead of 32 (or 16) is most of the speed. Each instruction-set level is its own function
// compiled with a per-function target attribute, so the file builds for baseline x86-64 and the
// AVX2 / AVX-512 code only runs after cpuid said it may.
#include "CKernels.h"
#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NN_X86 1
#endif

enum { TYPE_Q4_0 = 2, TYPE_Q4_1 = 3, TYPE_Q8_0 = 8 };

static inline float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF, bits;
    if (exponent == 0) {
        if (mantissa == 0) { bits = sign; }
        else {  // subnormal: renormalise
            int e = -1;
            do { mantissa <<= 1; e++; } while (!(mantissa & 0x400));
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mantissa & 0x3FF) << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7F800000 | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline uint16_t load_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

void nn_quantize_row_q8(const float *x, int n, int8_t *qs, float *d, float *s) {
    for (int b = 0; b < n / 32; b++) {
        const float *xb = x + 32 * b;
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(xb[j]));
        float scale = amax / 127, inv = amax > 0 ? 127 / amax : 0;
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            int q = (int)lrintf(xb[j] * inv);
            qs[32 * b + j] = (int8_t)q;
            sum += q;
        }
        d[b] = scale;
        s[b] = scale * (float)sum;
    }
}

// MARK: scalar reference

static void matvec_scalar(int type, const uint8_t *w, size_t row_bytes, int cols, const int8_t *xqs,
                          const float *xd, const float *xs, float *y, int r0, int r1, int accumulate) {
    int blocks = cols / 32;
    for (int r = r0; r < r1; r++) {
        const uint8_t *row = w + (size_t)r * row_bytes;
        float total = 0;
        for (int b = 0; b < blocks; b++) {
            const int8_t *xq = xqs + 32 * b;
            int dot = 0;
            switch (type) {
            case TYPE_Q4_1: {
                const uint8_t *blk = row + 20 * b;
                for (int j = 0; j < 16; j++) dot += (blk[4 + j] & 0x0F) * xq[j] + (blk[4 + j] >> 4) * xq[j + 16];
                total += half_to_float(load_u16(blk)) * xd[b] * (float)dot + half_to_float(load_u16(blk + 2)) * xs[b];
                break;
            }
            case TYPE_Q4_0: {
                const uint8_t *blk = row + 18 * b;
                for (int j = 0; j < 16; j++) dot += (blk[2 + j] & 0x0F) * xq[j] + (blk[2 + j] >> 4) * xq[j + 16];
                float dw = half_to_float(load_u16(blk));
                total += dw * xd[b] * (float)dot - 8 * dw * xs[b];
                break;
            }
            default: {  // Q8_0
                const uint8_t *blk = row + 34 * b;
                const int8_t *q = (const int8_t *)(blk + 2);
                for (int j = 0; j < 32; j++) dot += q[j] * xq[j];
                total += half_to_float(load_u16(blk)) * xd[b] * (float)dot;
                break;
            }
            }
        }
        y[r] = accumulate ? y[r] + total : total;
    }
}

#ifdef NN_X86

#define AVX2_TARGET __attribute__((target("avx2,fma,f16c")))
#define VNNI_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

AVX2_TARGET static inline float hsum_avx2(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// 32 nibbles of a Q4 block as bytes in value order: low nibbles are values 0-15, high nibbles 16-31.
AVX2_TARGET static inline __m256i unpack_nibbles(const uint8_t *qs) {
    __m128i raw = _mm_loadu_si128((const __m128i *)qs);
    __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

/// Σ u8·s8 over 32 bytes as 8 int32 partial sums.
AVX2_TARGET static inline __m256i dot_u8s8_avx2(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}
VNNI_TARGET static inline __m256i dot_u8s8_vnni(__m256i u, __m256i s) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
}

// One body, two instantiations: only the byte dot product differs between AVX2 and VNNI.
#define DEFINE_MATVEC(NAME, TARGET, DOT)                                                                   \
TARGET static void NAME(int type, const uint8_t *w, size_t row_bytes, int cols, const int8_t *xqs,         \
                        const float *xd, const float *xs, float *y, int r0, int r1, int accumulate) {      \
    int blocks = cols / 32;                                                                                \
    for (int r = r0; r < r1; r++) {                                                                        \
        const uint8_t *row = w + (size_t)r * row_bytes;                                                    \
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                     \
        float offset = 0;                                                                                  \
        int b = 0;                                                                                         \
        if (type == TYPE_Q4_1) {                                                                           \
            for (; b < blocks; b++) {                                                                      \
                const uint8_t *blk = row + 20 * b;                                                         \
                __m128 dm = _mm_cvtph_ps(_mm_cvtsi32_si128(*(const int32_t *)blk));                        \
                __m256i dot = DOT(unpack_nibbles(blk + 4), _mm256_loadu_si256((const __m256i *)(xqs + 32 * b))); \
                __m256 scale = _mm256_set1_ps(_mm_cvtss_f32(dm) * xd[b]);                                  \
                if (b & 1) acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc1);                   \
                else acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc0);                        \
                offset += _mm_cvtss_f32(_mm_movehdup_ps(dm)) * xs[b];                                      \
            }                                                                                              \
        } else if (type == TYPE_Q4_0) {                                                                    \
            for (; b < blocks; b++) {                                                                      \
                const uint8_t *blk = row + 18 * b;                                                         \
                float dw = _cvtsh_ss(*(const uint16_t *)blk);                                              \
                __m256i dot = DOT(unpack_nibbles(blk + 2), _mm256_loadu_si256((const __m256i *)(xqs + 32 * b))); \
                __m256 scale = _mm256_set1_ps(dw * xd[b]);                                                 \
                if (b & 1) acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc1);                   \
                else acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc0);                         \
                offset -= 8 * dw * xs[b];                                                                  \
            }                                                                                              \
        } else {                                                                                           \
            for (; b < blocks; b++) {                                                                      \
                const uint8_t *blk = row + 34 * b;                                                         \
                __m256i q = _mm256_loadu_si256((const __m256i *)(blk + 2));                                \
                __m256i x = _mm256_loadu_si256((const __m256i *)(xqs + 32 * b));                           \
                /* signed·signed as |w|·(x with w's sign), which maddubs/vpdpbusd take */                  \
                __m256i dot = DOT(_mm256_sign_epi8(q, q), _mm256_sign_epi8(x, q));                         \
                __m256 scale = _mm256_set1_ps(_cvtsh_ss(*(const uint16_t *)blk) * xd[b]);                  \
                if (b & 1) acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc1);                   \
                else acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc0);                         \
            }                                                                                              \
        }                                                                                                  \
        float total = hsum_avx2(_mm256_add_ps(acc0, acc1)) + offset;                                       \
        y[r] = accumulate ? y[r] + total : total;                                                          \
    }                                                                                                      \
}

DEFINE_MATVEC(matvec_avx2, AVX2_TARGET, dot_u8s8_avx2)
DEFINE_MATVEC(matvec_vnni, VNNI_TARGET, dot_u8s8_vnni)

#endif

int nn_matvec_quantized(int level, int ggml_type, const void *w, size_t row_bytes, int cols,
                        const int8_t *xqs, const float *xd, const float *xs,
                        float *y, int row_begin, int row_end, int accumulate) {
    if (ggml_type != TYPE_Q4_0 && ggml_type != TYPE_Q4_1 && ggml_type != TYPE_Q8_0) return -1;
    if (cols % 32 != 0 || !nn_kernel_level_supported(level)) return -1;
    const uint8_t *bytes = (const uint8_t *)w;
#ifdef NN_X86
    if (level == NN_LEVEL_AVX512_VNNI) { matvec_vnni(ggml_type, bytes, row_bytes, cols, xqs, xd, xs, y, row_begin, row_end, accumulate); return 0; }
    if (level == NN_LEVEL_AVX2) { matvec_avx2(ggml_type, bytes, row_bytes, cols, xqs, xd, xs, y, row_begin, row_end, accumulate); return 0; }
#endif
    matvec_scalar(ggml_type, bytes, row_bytes, cols, xqs, xd, xs, y, row_begin, row_end, accumulate);
    return 0;
}
