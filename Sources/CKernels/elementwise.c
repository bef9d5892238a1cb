// Elementwise functions on whole activation rows (SwiGLU and its backward, softmax's exp-and-sum),
// which prefill, decode and training run over every hidden value of every layer. Swift's SIMD types
// compile to baseline SSE here (the package builds for plain x86-64, so a 512-token prefill spent
// 40% of its time in them); these run as AVX2 behind cpuid, with one exp formula (`simd_exp.h`).
#include "CKernels.h"
#include "simd_exp.h"

static void swiglu_scalar(float *out, const float *gate, const float *up, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = gate[i] / (1 + exp_poly(-gate[i])) * up[i];
}

static void swiglu_backward_scalar(float *dgate, float *dup, const float *dout, const float *gate, const float *up, size_t n) {
    for (size_t i = 0; i < n; i++) {
        // The vector loop's order of operations, so both levels round alike.
        float g = gate[i], s = 1 / (1 + exp_poly(-g)), ds = dout[i] * s;
        dgate[i] = ds * up[i] * fmaf(g, 1 - s, 1);
        dup[i] = ds * g;
    }
}

static float exp_shifted_scalar(float *v, size_t n, float shift) {
    float sum = 0;
    for (size_t i = 0; i < n; i++) { v[i] = exp_poly(v[i] - shift); sum += v[i]; }
    return sum;
}

#if defined(__x86_64__) || defined(__i386__)
#define AVX2_TARGET __attribute__((target("avx2,fma")))

AVX2_TARGET static void swiglu_avx2(float *out, const float *gate, const float *up, size_t n) {
    const __m256 one = _mm256_set1_ps(1), sign = _mm256_set1_ps(-0.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, exp_avx2(_mm256_xor_ps(g, sign))));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
    }
    swiglu_scalar(out + i, gate + i, up + i, n - i);
}

AVX2_TARGET static void swiglu_backward_avx2(float *dgate, float *dup, const float *dout, const float *gate, const float *up, size_t n) {
    const __m256 one = _mm256_set1_ps(1), sign = _mm256_set1_ps(-0.0f);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i), u = _mm256_loadu_ps(up + i), d = _mm256_loadu_ps(dout + i);
        __m256 s = _mm256_div_ps(one, _mm256_add_ps(one, exp_avx2(_mm256_xor_ps(g, sign))));
        __m256 ds = _mm256_mul_ps(d, s);
        // d·u·s·(1 + g·(1 − s))
        _mm256_storeu_ps(dgate + i, _mm256_mul_ps(_mm256_mul_ps(ds, u), _mm256_fmadd_ps(g, _mm256_sub_ps(one, s), one)));
        _mm256_storeu_ps(dup + i, _mm256_mul_ps(ds, g));
    }
    swiglu_backward_scalar(dgate + i, dup + i, dout + i, gate + i, up + i, n - i);
}

AVX2_TARGET static float exp_shifted_avx2(float *v, size_t n, float shift) {
    const __m256 s = _mm256_set1_ps(shift);
    __m256 total = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 e = exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(v + i), s));
        _mm256_storeu_ps(v + i, e);
        total = _mm256_add_ps(total, e);
    }
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(total), _mm256_extractf128_ps(total, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h) + exp_shifted_scalar(v + i, n - i, shift);
}
#endif

int nn_swiglu(int level, float *out, const float *gate, const float *up, size_t n) {
    if (!nn_kernel_level_supported(level)) return -1;
#if defined(__x86_64__) || defined(__i386__)
    if (level >= NN_LEVEL_AVX2) { swiglu_avx2(out, gate, up, n); return 0; }
#endif
    swiglu_scalar(out, gate, up, n);
    return 0;
}

int nn_swiglu_backward(int level, float *dgate, float *dup, const float *dout, const float *gate, const float *up, size_t n) {
    if (!nn_kernel_level_supported(level)) return -1;
#if defined(__x86_64__) || defined(__i386__)
    if (level >= NN_LEVEL_AVX2) { swiglu_backward_avx2(dgate, dup, dout, gate, up, n); return 0; }
#endif
    swiglu_backward_scalar(dgate, dup, dout, gate, up, n);
    return 0;
}

float nn_exp_shifted_sum(int level, float *v, size_t n, float shift) {
#if defined(__x86_64__) || defined(__i386__)
    if (level >= NN_LEVEL_AVX2 && nn_kernel_level_supported(level)) return exp_shifted_avx2(v, n, shift);
#endif
    return exp_shifted_scalar(v, n, shift);
}
