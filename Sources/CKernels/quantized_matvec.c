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

static void quantize_row_q8_scalar(const float *x, int n, int8_t *qs, float *d, float *s) {
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

/// The scalar quantizer's results exactly: the same amax, scale and 127/amax, and cvtps rounds to
/// nearest-even as lrintf does in the default rounding mode.
AVX2_TARGET static void quantize_row_q8_avx2(const float *x, int n, int8_t *qs, float *d, float *s) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int b = 0; b < n / 32; b++) {
        const float *xb = x + 32 * b;
        __m256 v0 = _mm256_loadu_ps(xb), v1 = _mm256_loadu_ps(xb + 8), v2 = _mm256_loadu_ps(xb + 16), v3 = _mm256_loadu_ps(xb + 24);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_movehdup_ps(h));
        float amax = _mm_cvtss_f32(h);
        float scale = amax / 127, inv = amax > 0 ? 127 / amax : 0;
        __m256 vi = _mm256_set1_ps(inv);
        __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, vi)), i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, vi));
        __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, vi)), i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, vi));
        __m256i total = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
        __m128i t = _mm_add_epi32(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
        t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(1, 0, 3, 2)));
        t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
        // Pack to int8 in order: packs interleaves 128-bit lanes, the permute puts them back.
        __m256i p01 = _mm256_packs_epi32(i0, i1), p23 = _mm256_packs_epi32(i2, i3);
        __m256i bytes = _mm256_packs_epi16(p01, p23);
        bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(qs + 32 * b), bytes);
        d[b] = scale;
        s[b] = scale * (float)_mm_cvtsi128_si32(t);
    }
}

// One block of each format against the activation block `x` (scale dx, scaled sum sx): adds the
// integer dot product times the two scales to `acc` and the format's offset term to `off`.
#define STEP_Q4_1(DOT, blk, x, dx, sx, acc, off) do {                                                      \
        __m128 dm_ = _mm_cvtph_ps(_mm_cvtsi32_si128(*(const int32_t *)(blk)));                          \
        __m256i dot_ = DOT(unpack_nibbles((blk) + 4), x);                                                  \
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_), _mm256_set1_ps(_mm_cvtss_f32(dm_) * (dx)), acc); \
        off += _mm_cvtss_f32(_mm_movehdup_ps(dm_)) * (sx);                                                 \
    } while (0)
#define STEP_Q4_0(DOT, blk, x, dx, sx, acc, off) do {                                                      \
        float dw_ = _cvtsh_ss(*(const uint16_t *)(blk));                                                   \
        __m256i dot_ = DOT(unpack_nibbles((blk) + 2), x);                                                  \
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_), _mm256_set1_ps(dw_ * (dx)), acc);                 \
        off -= 8 * dw_ * (sx);                                                                             \
    } while (0)
/* signed·signed as |w|·(x with w's sign), which maddubs/vpdpbusd take */
#define STEP_Q8_0(DOT, blk, x, dx, sx, acc, off) do {                                                      \
        __m256i q_ = _mm256_loadu_si256((const __m256i *)((blk) + 2));                                     \
        __m256i dot_ = DOT(_mm256_sign_epi8(q_, q_), _mm256_sign_epi8(x, q_));                             \
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_), _mm256_set1_ps(_cvtsh_ss(*(const uint16_t *)(blk)) * (dx)), acc); \
        (void)(sx);                                                                                        \
    } while (0)

// Four rows at a time share each activation block's load and scales and give four independent
// FMA chains; the remaining rows go one at a time. Per row the blocks are summed in order, so a
// row's result does not depend on which of the two loops ran it.
#define ROWS_LOOP(STEP, DOT, BLOCK_BYTES) do {                                                            \
        int r = r0;                                                                                        \
        for (; r + 4 <= r1; r += 4) {                                                                      \
            const uint8_t *w0 = w + (size_t)r * row_bytes, *w1 = w0 + row_bytes;                           \
            const uint8_t *w2 = w1 + row_bytes, *w3 = w2 + row_bytes;                                      \
            /* even blocks into e*, odd into d*: the one-row loop's summation order */                     \
            __m256 e0 = _mm256_setzero_ps(), e1 = e0, e2 = e0, e3 = e0, d0 = e0, d1 = e0, d2 = e0, d3 = e0; \
            float o0 = 0, o1 = 0, o2 = 0, o3 = 0;                                                          \
            for (int b = 0; b < blocks; b++) {                                                             \
                __m256i x = _mm256_loadu_si256((const __m256i *)(xqs + 32 * b));                           \
                float dx = xd[b], sx = xs[b];                                                              \
                size_t at = (size_t)(BLOCK_BYTES) * b;                                                     \
                if (b & 1) {                                                                               \
                    STEP(DOT, w0 + at, x, dx, sx, d0, o0); STEP(DOT, w1 + at, x, dx, sx, d1, o1);          \
                    STEP(DOT, w2 + at, x, dx, sx, d2, o2); STEP(DOT, w3 + at, x, dx, sx, d3, o3);          \
                } else {                                                                                   \
                    STEP(DOT, w0 + at, x, dx, sx, e0, o0); STEP(DOT, w1 + at, x, dx, sx, e1, o1);          \
                    STEP(DOT, w2 + at, x, dx, sx, e2, o2); STEP(DOT, w3 + at, x, dx, sx, e3, o3);          \
                }                                                                                          \
            }                                                                                              \
            float t0 = hsum_avx2(_mm256_add_ps(e0, d0)) + o0, t1 = hsum_avx2(_mm256_add_ps(e1, d1)) + o1;  \
            float t2 = hsum_avx2(_mm256_add_ps(e2, d2)) + o2, t3 = hsum_avx2(_mm256_add_ps(e3, d3)) + o3;  \
            if (accumulate) { y[r] += t0; y[r + 1] += t1; y[r + 2] += t2; y[r + 3] += t3; }                 \
            else { y[r] = t0; y[r + 1] = t1; y[r + 2] = t2; y[r + 3] = t3; }                               \
        }                                                                                                  \
        for (; r < r1; r++) {                                                                              \
            const uint8_t *w0 = w + (size_t)r * row_bytes;                                                 \
            __m256 e0 = _mm256_setzero_ps(), d0 = e0;                                                      \
            float o0 = 0;                                                                                  \
            for (int b = 0; b < blocks; b++) {                                                             \
                __m256i x = _mm256_loadu_si256((const __m256i *)(xqs + 32 * b));                           \
                if (b & 1) STEP(DOT, w0 + (size_t)(BLOCK_BYTES) * b, x, xd[b], xs[b], d0, o0);             \
                else STEP(DOT, w0 + (size_t)(BLOCK_BYTES) * b, x, xd[b], xs[b], e0, o0);                   \
            }                                                                                              \
            float t0 = hsum_avx2(_mm256_add_ps(e0, d0)) + o0;                                              \
            y[r] = accumulate ? y[r] + t0 : t0;                                                            \
        }                                                                                                  \
    } while (0)

// One body, two instantiations: only the byte dot product differs between AVX2 and VNNI.
#define DEFINE_MATVEC(NAME, TARGET, DOT)                                                                   \
TARGET static void NAME(int type, const uint8_t *w, size_t row_bytes, int cols, const int8_t *xqs,         \
                        const float *xd, const float *xs, float *y, int r0, int r1, int accumulate) {      \
    int blocks = cols / 32;                                                                                \
    if (type == TYPE_Q4_1) ROWS_LOOP(STEP_Q4_1, DOT, 20);                                                  \
    else if (type == TYPE_Q4_0) ROWS_LOOP(STEP_Q4_0, DOT, 18);                                             \
    else ROWS_LOOP(STEP_Q8_0, DOT, 34);                                                                    \
}

DEFINE_MATVEC(matvec_avx2, AVX2_TARGET, dot_u8s8_avx2)
DEFINE_MATVEC(matvec_vnni, VNNI_TARGET, dot_u8s8_vnni)

#endif

int nn_quantize_row_q8_level(int level, const float *x, int n, int8_t *qs, float *d, float *s) {
    if (n % 32 != 0 || !nn_kernel_level_supported(level)) return -1;
#ifdef NN_X86
    if (level >= NN_LEVEL_AVX2) { quantize_row_q8_avx2(x, n, qs, d, s); return 0; }
#endif
    quantize_row_q8_scalar(x, n, qs, d, s);
    return 0;
}

void nn_quantize_row_q8(const float *x, int n, int8_t *qs, float *d, float *s) {
    nn_quantize_row_q8_level(nn_kernel_best_level(), x, n, qs, d, s);
}

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
