// Attention of one query row (single-token decoding) over a span of the fp32 KV cache, every head:
// scores q·k/√d, softmax, weighted sum of values. Decoding runs this once per layer and token over
// the whole cache, so at a few hundred cached positions it costs as much as a quarter of the weight
// products; the AVX2 path scores eight positions at a time (one horizontal reduction per eight dot
// products instead of one each) and keeps a head's 64 output values in registers across positions.
#include "CKernels.h"
#include "simd_exp.h"
#include <math.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define NN_X86 1
#endif

/// Finishes one head: out normalised by the exp-sum, or left unnormalised with (max, sum) in stats.
static inline void finish_head(float *o, int hd, float max_score, float sum, float *stats, int h) {
    if (stats) { stats[2 * h] = max_score; stats[2 * h + 1] = sum; return; }
    float inv = 1 / sum;
    for (int d = 0; d < hd; d++) o[d] *= inv;
}

static void attention_scalar(const float *q, int heads, int kv_heads, int hd, const float *keys, const float *values,
                             size_t kv_stride, int count, float scale, float *scores, size_t score_stride,
                             float *out, float *stats) {
    int group = heads / kv_heads;
    for (int h = 0; h < heads; h++) {
        const float *qh = q + (size_t)h * hd, *kg = keys + (size_t)(h / group) * hd, *vg = values + (size_t)(h / group) * hd;
        float *s = scores + (size_t)h * score_stride, *o = out + (size_t)h * hd;
        float max_score = -INFINITY;
        for (int j = 0; j < count; j++) {
            const float *k = kg + (size_t)j * kv_stride;
            float dot = 0;
            for (int d = 0; d < hd; d++) dot += qh[d] * k[d];
            s[j] = dot * scale;
            if (s[j] > max_score) max_score = s[j];
        }
        float sum = 0;
        for (int j = 0; j < count; j++) { s[j] = expf(s[j] - max_score); sum += s[j]; }
        for (int d = 0; d < hd; d++) o[d] = 0;
        for (int j = 0; j < count; j++) {
            const float *v = vg + (size_t)j * kv_stride;
            for (int d = 0; d < hd; d++) o[d] += s[j] * v[d];
        }
        finish_head(o, hd, max_score, sum, stats, h);
    }
}

#ifdef NN_X86
#define AVX2_TARGET __attribute__((target("avx2,fma")))

AVX2_TARGET static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

AVX2_TARGET static inline float hmax8(__m256 v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

AVX2_TARGET static inline __m256 dot8(const float *q, const float *k, int hd) {
    __m256 acc = _mm256_mul_ps(_mm256_loadu_ps(q), _mm256_loadu_ps(k));
    for (int d = 8; d < hd; d += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), _mm256_loadu_ps(k + d), acc);
    return acc;
}

AVX2_TARGET static void attention_avx2(const float *q, int heads, int kv_heads, int hd, const float *keys, const float *values,
                                       size_t kv_stride, int count, float scale, float *scores, size_t score_stride,
                                       float *out, float *stats) {
    int group = heads / kv_heads;
    const __m256 vscale = _mm256_set1_ps(scale);
    for (int h = 0; h < heads; h++) {
        const float *qh = q + (size_t)h * hd, *kg = keys + (size_t)(h / group) * hd, *vg = values + (size_t)(h / group) * hd;
        float *s = scores + (size_t)h * score_stride, *o = out + (size_t)h * hd;
        // Scores, eight positions per horizontal reduction.
        __m256 vmax = _mm256_set1_ps(-INFINITY);
        int j = 0;
        for (; j + 8 <= count; j += 8) {
            const float *k = kg + (size_t)j * kv_stride;
            __m256 s0 = dot8(qh, k, hd), s1 = dot8(qh, k + kv_stride, hd), s2 = dot8(qh, k + 2 * kv_stride, hd),
                   s3 = dot8(qh, k + 3 * kv_stride, hd), s4 = dot8(qh, k + 4 * kv_stride, hd), s5 = dot8(qh, k + 5 * kv_stride, hd),
                   s6 = dot8(qh, k + 6 * kv_stride, hd), s7 = dot8(qh, k + 7 * kv_stride, hd);
            __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(s0, s1), _mm256_hadd_ps(s2, s3));
            __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(s4, s5), _mm256_hadd_ps(s6, s7));
            __m256 r = _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
            r = _mm256_mul_ps(r, vscale);
            _mm256_storeu_ps(s + j, r);
            vmax = _mm256_max_ps(vmax, r);
        }
        float max_score = hmax8(vmax);
        for (; j < count; j++) {
            s[j] = hsum8(dot8(qh, kg + (size_t)j * kv_stride, hd)) * scale;
            if (s[j] > max_score) max_score = s[j];
        }
        // exp(s - max) and its sum.
        __m256 vsum = _mm256_setzero_ps(), vm = _mm256_set1_ps(max_score);
        j = 0;
        for (; j + 8 <= count; j += 8) {
            __m256 e = exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(s + j), vm));
            _mm256_storeu_ps(s + j, e);
            vsum = _mm256_add_ps(vsum, e);
        }
        float sum = hsum8(vsum);
        for (; j < count; j++) { s[j] = expf(s[j] - max_score); sum += s[j]; }
        // Σ p_j·v_j, 64 output values (eight registers) per pass over the positions.
        int d0 = 0;
        for (; d0 + 64 <= hd; d0 += 64) {
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            const float *v = vg + d0;
            for (j = 0; j < count; j++, v += kv_stride) {
                __m256 p = _mm256_broadcast_ss(s + j);
                a0 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v), a0);
                a1 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 8), a1);
                a2 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 16), a2);
                a3 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 24), a3);
                a4 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 32), a4);
                a5 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 40), a5);
                a6 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 48), a6);
                a7 = _mm256_fmadd_ps(p, _mm256_loadu_ps(v + 56), a7);
            }
            float *od = o + d0;
            _mm256_storeu_ps(od, a0); _mm256_storeu_ps(od + 8, a1); _mm256_storeu_ps(od + 16, a2); _mm256_storeu_ps(od + 24, a3);
            _mm256_storeu_ps(od + 32, a4); _mm256_storeu_ps(od + 40, a5); _mm256_storeu_ps(od + 48, a6); _mm256_storeu_ps(od + 56, a7);
        }
        for (; d0 < hd; d0 += 8) {
            __m256 a = _mm256_setzero_ps();
            const float *v = vg + d0;
            for (j = 0; j < count; j++, v += kv_stride) a = _mm256_fmadd_ps(_mm256_broadcast_ss(s + j), _mm256_loadu_ps(v), a);
            _mm256_storeu_ps(o + d0, a);
        }
        finish_head(o, hd, max_score, sum, stats, h);
    }
}
#endif

int nn_attention_decode(int level, const float *q, int heads, int kv_heads, int head_dim,
                        const float *keys, const float *values, size_t kv_stride, int count, float scale,
                        float *scores, size_t score_stride, float *out, float *stats) {
    if (heads <= 0 || kv_heads <= 0 || heads % kv_heads != 0 || head_dim <= 0 || count <= 0) return -1;
    if (!nn_kernel_level_supported(level)) return -1;
#ifdef NN_X86
    if (level >= NN_LEVEL_AVX2 && head_dim % 8 == 0) {
        attention_avx2(q, heads, kv_heads, head_dim, keys, values, kv_stride, count, scale, scores, score_stride, out, stats);
        return 0;
    }
#endif
    attention_scalar(q, heads, kv_heads, head_dim, keys, values, kv_stride, count, scale, scores, score_stride, out, stats);
    return 0;
}
