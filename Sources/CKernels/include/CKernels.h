#ifndef NNETNAV_CKERNELS_H
#define NNETNAV_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Instruction-set levels of the quantized kernels. One binary holds all of them; the level is
/// picked once from cpuid (`nn_kernel_best_level`), never from the environment.
typedef enum {
    NN_LEVEL_SCALAR = 0,          // portable C, the reference the SIMD levels are tested against
    NN_LEVEL_AVX2 = 1,            // AVX2 + FMA + F16C: maddubs/madd integer dot products
    NN_LEVEL_AVX512_VNNI = 2,     // AVX-512 F/BW/VL + VNNI: vpdpbusd integer dot products
} nn_kernel_level;

/// Highest level this CPU and OS support (cpuid + xgetbv), computed once.
int nn_kernel_best_level(void);
/// Whether `level` can run here.
int nn_kernel_level_supported(int level);
/// A short name for `level` ("scalar", "avx2", "avx512vnni").
const char *nn_kernel_level_name(int level);
/// The CPU features the dispatch looked at, e.g. "avx2 fma f16c" or "avx2 fma f16c avx512f avx512bw avx512vl avx512vnni".
const char *nn_cpu_features(void);

/// Activation row quantized for integer dot products, per 32-value block: int8 values,
/// their scale d (x ≈ d·q) and s = d·Σq (needed by formats with an offset: Q4_1, Q4_0).
/// `n` must be a multiple of 32.
void nn_quantize_row_q8(const float *x, int n, int8_t *qs, float *d, float *s);

/// y[r] (+)= Σ_c W[r,c]·x[c] for r in [row_begin, row_end), with W stored row-major in a ggml block
/// format (`ggml_type`: 2 = Q4_0, 3 = Q4_1, 8 = Q8_0), `row_bytes` bytes per row, `cols` values per row,
/// and x given as `nn_quantize_row_q8` output. Returns 0, or -1 for an unsupported type.
int nn_matvec_quantized(int level, int ggml_type, const void *w, size_t row_bytes, int cols,
                        const int8_t *xqs, const float *xd, const float *xs,
                        float *y, int row_begin, int row_end, int accumulate);

/// Nesting depth of parallel splits on the calling thread (0 outside any).
int nn_parallel_depth(void);
void nn_parallel_enter(void);
void nn_parallel_leave(void);

#endif
