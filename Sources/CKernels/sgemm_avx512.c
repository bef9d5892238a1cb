// Single-precision GEMM with AVX-512, for CPUs that have it, picked by cpuid like the quantized
// kernels. Why our own: the machines that have AVX-512 here run OpenBLAS with
// OPENBLAS_CORETYPE=Haswell, which OpenBLAS reads once when it loads, so prefill and training ran
// its AVX2 kernel at half of what the CPU can do; the project does not override a variable the
// machine sets, so it picks its kernel itself. Where the CPU has no AVX-512 OpenBLAS keeps the work.
//
// The structure is the usual one (Goto/BLIS): op(B) is packed in panels of KC × NR, op(A) in
// strips of MR × KC, and a 12 × 32 register tile (24 zmm accumulators) runs over each pair, so
// each loaded value of B feeds 12 FMAs and each broadcast of A 2. Packing also absorbs the
// transposes, so one micro-kernel serves NN, NT and TN. Every row of C is summed over k in the
// same order whatever the split of M or N, so a row's result does not depend on the caller's
// threading.
#include "CKernels.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// KC × NR of B (48 KB) and MR × KC of A (18 KB) per tile; MC × KC of A (360 KB) stays in L2.
// Measured on Zen 5 against KC 128/256 and MC 120: the deeper panels were 5-10% faster.
enum { MR = 12, NR = 32, KC = 384, MC = 240, NC = 2048 };

#define AVX512_TARGET __attribute__((target("avx512f,fma")))

/// Per-thread packing buffers, grown on demand and kept: the callers split one product into
/// per-thread calls, and a small product should not pay an allocation.
static _Thread_local float *pack_buffer;
static _Thread_local size_t pack_capacity;

static float *packing_space(size_t floats) {
    if (floats > pack_capacity) {
        free(pack_buffer);
        pack_buffer = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
        pack_capacity = pack_buffer ? floats : 0;
    }
    return pack_buffer;
}

/// op(A)[i0 ..< i0+mc, p0 ..< p0+kc] as strips of MR rows: strip s holds, for each p, its MR values
/// (zero past row mc).
static void pack_a(int trans, const float *a, int lda, int i0, int mc, int p0, int kc, float *out) {
    for (int s = 0; s < mc; s += MR) {
        int rows = mc - s < MR ? mc - s : MR;
        float *strip = out + (size_t)s * kc;
        if (trans) {   // A stored k × m: op(A)(i, p) = a[p·lda + i], MR contiguous values per p
            for (int p = 0; p < kc; p++) {
                const float *src = a + (size_t)(p0 + p) * lda + i0 + s;
                float *dst = strip + (size_t)p * MR;
                int r = 0;
                for (; r < rows; r++) dst[r] = src[r];
                for (; r < MR; r++) dst[r] = 0;
            }
        } else {       // A stored m × k: one value of each of the MR rows per p, written contiguously
            const float *src[MR];
            for (int r = 0; r < MR; r++) src[r] = r < rows ? a + (size_t)(i0 + s + r) * lda + p0 : NULL;
            for (int p = 0; p < kc; p++) {
                float *dst = strip + (size_t)p * MR;
                for (int r = 0; r < MR; r++) dst[r] = src[r] ? src[r][p] : 0;
            }
        }
    }
}

/// In-register transpose of 16 rows of 16 floats: r[j] becomes column j.
AVX512_TARGET static inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) { t[2*i] = _mm512_unpacklo_ps(r[2*i], r[2*i+1]); t[2*i+1] = _mm512_unpackhi_ps(r[2*i], r[2*i+1]); }
    for (int i = 0; i < 4; i++) {
        r[4*i]   = _mm512_shuffle_ps(t[4*i],   t[4*i+2], 0x44);
        r[4*i+1] = _mm512_shuffle_ps(t[4*i],   t[4*i+2], 0xEE);
        r[4*i+2] = _mm512_shuffle_ps(t[4*i+1], t[4*i+3], 0x44);
        r[4*i+3] = _mm512_shuffle_ps(t[4*i+1], t[4*i+3], 0xEE);
    }
    for (int i = 0; i < 4; i++) {
        t[i]     = _mm512_shuffle_f32x4(r[i],     r[4+i],  0x88);
        t[4+i]   = _mm512_shuffle_f32x4(r[i],     r[4+i],  0xDD);
        t[8+i]   = _mm512_shuffle_f32x4(r[8+i],   r[12+i], 0x88);
        t[12+i]  = _mm512_shuffle_f32x4(r[8+i],   r[12+i], 0xDD);
    }
    for (int i = 0; i < 4; i++) {
        r[i]     = _mm512_shuffle_f32x4(t[i],     t[8+i],  0x88);
        r[8+i]   = _mm512_shuffle_f32x4(t[i],     t[8+i],  0xDD);
        r[4+i]   = _mm512_shuffle_f32x4(t[4+i],   t[12+i], 0x88);
        r[12+i]  = _mm512_shuffle_f32x4(t[4+i],   t[12+i], 0xDD);
    }
}
/// op(B)[p0 ..< p0+kc, j0 ..< j0+nc] as panels of NR columns: panel t holds, for each p, its NR
/// values (zero past column nc). A transposed B (a linear layer's weights, n × k) is read 16 × 16
/// at a time and transposed in registers: element by element its scattered stores cost as much as
/// the arithmetic of a 64-row product.
AVX512_TARGET static void pack_b(int trans, const float *b, int ldb, int p0, int kc, int j0, int nc, float *out) {
    for (int t = 0; t < nc; t += NR) {
        int cols = nc - t < NR ? nc - t : NR;
        float *panel = out + (size_t)t * kc;
        if (trans) {   // B stored n × k: op(B)(p, j) = b[j·ldb + p]; one value of each column per p
            const float *src[NR];
            for (int q = 0; q < NR; q++) src[q] = q < cols ? b + (size_t)(j0 + t + q) * ldb + p0 : NULL;
            int p = 0;
            if (cols == NR) {   // whole 16 × 16 blocks transposed in registers
                for (; p + 16 <= kc; p += 16) {
                    for (int h = 0; h < 2; h++) {
                        __m512 r[16];
                        for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(src[16 * h + i] + p);
                        transpose16(r);
                        for (int j = 0; j < 16; j++) _mm512_store_ps(panel + (size_t)(p + j) * NR + 16 * h, r[j]);
                    }
                }
            }
            for (; p < kc; p++) {
                float *dst = panel + (size_t)p * NR;
                for (int q = 0; q < NR; q++) dst[q] = src[q] ? src[q][p] : 0;
            }
        } else {       // B stored k × n: NR contiguous values per p
            for (int p = 0; p < kc; p++) {
                const float *src = b + (size_t)(p0 + p) * ldb + j0 + t;
                float *dst = panel + (size_t)p * NR;
                if (cols == NR) memcpy(dst, src, NR * sizeof(float));
                else { memcpy(dst, src, (size_t)cols * sizeof(float)); memset(dst + cols, 0, (size_t)(NR - cols) * sizeof(float)); }
            }
        }
    }
}

/// C[0 ..< mr, 0 ..< nr] = alpha · (packed A strip · packed B panel) + beta · C; beta = 0 never reads C.
AVX512_TARGET static void micro_kernel(int kc, const float *pa, const float *pb, float *c, int ldc,
                                       float alpha, float beta, int mr, int nr) {
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
           c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00,
           c80 = c00, c81 = c00, c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
    for (int p = 0; p < kc; p++, pa += MR, pb += NR) {
        __m512 b0 = _mm512_load_ps(pb), b1 = _mm512_load_ps(pb + 16), a;
#define ROW(r, x0, x1) a = _mm512_set1_ps(pa[r]); x0 = _mm512_fmadd_ps(a, b0, x0); x1 = _mm512_fmadd_ps(a, b1, x1);
        ROW(0, c00, c01) ROW(1, c10, c11) ROW(2, c20, c21) ROW(3, c30, c31) ROW(4, c40, c41) ROW(5, c50, c51)
        ROW(6, c60, c61) ROW(7, c70, c71) ROW(8, c80, c81) ROW(9, c90, c91) ROW(10, ca0, ca1) ROW(11, cb0, cb1)
#undef ROW
    }
    __m512 acc[MR][2] = { {c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51},
                          {c60, c61}, {c70, c71}, {c80, c81}, {c90, c91}, {ca0, ca1}, {cb0, cb1} };
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    if (nr == NR) {
        for (int r = 0; r < mr; r++) {
            float *row = c + (size_t)r * ldc;
            for (int h = 0; h < 2; h++) {
                __m512 v = _mm512_mul_ps(acc[r][h], va);
                if (beta != 0) v = _mm512_fmadd_ps(_mm512_loadu_ps(row + 16 * h), vb, v);
                _mm512_storeu_ps(row + 16 * h, v);
            }
        }
        return;
    }
    // A partial panel: masked loads and stores of its nr columns.
    __mmask16 m0 = nr >= 16 ? 0xFFFF : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);
    for (int r = 0; r < mr; r++) {
        float *row = c + (size_t)r * ldc;
        __m512 v0 = _mm512_mul_ps(acc[r][0], va), v1 = _mm512_mul_ps(acc[r][1], va);
        if (beta != 0) {
            v0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m0, row), vb, v0);
            v1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m1, row + 16), vb, v1);
        }
        _mm512_mask_storeu_ps(row, m0, v0);
        _mm512_mask_storeu_ps(row + 16, m1, v1);
    }
}

AVX512_TARGET static int sgemm_avx512(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
                                      const float *b, int ldb, float beta, float *c, int ldc) {
    float *space = packing_space((size_t)KC * NC + (size_t)MC * KC);
    if (!space) return -1;
    float *packed_b = space, *packed_a = space + (size_t)KC * NC;
    for (int jc = 0; jc < n; jc += NC) {
        int nc = n - jc < NC ? n - jc : NC;
        for (int pc = 0; pc < k; pc += KC) {
            int kc = k - pc < KC ? k - pc : KC;
            float block_beta = pc == 0 ? beta : 1;   // later k blocks add to what the first wrote
            pack_b(trans_b, b, ldb, pc, kc, jc, nc, packed_b);
            for (int ic = 0; ic < m; ic += MC) {
                int mc = m - ic < MC ? m - ic : MC;
                pack_a(trans_a, a, lda, ic, mc, pc, kc, packed_a);
                for (int jr = 0; jr < nc; jr += NR) {
                    int nr = nc - jr < NR ? nc - jr : NR;
                    for (int ir = 0; ir < mc; ir += MR) {
                        int mr = mc - ir < MR ? mc - ir : MR;
                        micro_kernel(kc, packed_a + (size_t)ir * kc, packed_b + (size_t)jr * kc,
                                     c + (size_t)(ic + ir) * ldc + jc + jr, ldc, alpha, block_beta, mr, nr);
                    }
                }
            }
        }
    }
    return 0;
}
#endif

int nn_sgemm(int level, int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
             const float *b, int ldb, float beta, float *c, int ldc) {
    if (level < NN_LEVEL_AVX512_VNNI || !nn_kernel_level_supported(level) || m <= 0 || n <= 0) return -1;
#if defined(__x86_64__) || defined(__i386__)
    if (k <= 0) {   // C = beta · C
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) c[(size_t)i * ldc + j] = beta == 0 ? 0 : beta * c[(size_t)i * ldc + j];
        return 0;
    }
    return sgemm_avx512(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
#else
    return -1;
#endif
}
