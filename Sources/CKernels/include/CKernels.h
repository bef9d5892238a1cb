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
/// `nn_quantize_row_q8` at a given instruction-set level (every level gives identical output);
/// returns 0, or -1 when the level cannot run here or `n` is not a multiple of 32.
int nn_quantize_row_q8_level(int level, const float *x, int n, int8_t *qs, float *d, float *s);

/// Bytes of a matrix of `rows` × `cols` in a ggml block format (`ggml_type`: 2 = Q4_0, 3 = Q4_1,
/// 8 = Q8_0) once tiled for `nn_matvec_tiled` (rows padded to 16); 0 for an unsupported type.
size_t nn_tiled_bytes(int ggml_type, int rows, int cols);
/// Repacks row-major ggml blocks (`row_bytes` apart) into the tile layout (16 rows per tile, the
/// rows' scales side by side and their values interleaved four at a time) in `dst`, which holds
/// `nn_tiled_bytes`. Returns 0, or -1 for an unsupported type or shape.
int nn_tile_quantized(int ggml_type, const void *src, size_t row_bytes, int rows, int cols, void *dst);
/// y[r] (+)= Σ_c W[r,c]·x[c] for r in [row_begin, row_end), with W tiled by `nn_tile_quantized` and
/// x given as `nn_quantize_row_q8` output. Returns 0, or -1 for an unsupported type or level.
int nn_matvec_tiled(int level, int ggml_type, const void *tiles, int cols, const int8_t *xqs, const float *xd,
                    const float *xs, float *y, int row_begin, int row_end, int accumulate);

/// Row-major C[m×n] = alpha·op(A)·op(B) + beta·C on the calling thread with this project's AVX-512
/// kernel (`level` must be NN_LEVEL_AVX512_VNNI or higher and supported); beta = 0 never reads C.
/// Returns 0, or -1 when the level cannot run it (the caller then uses OpenBLAS).
int nn_sgemm(int level, int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
             const float *b, int ldb, float beta, float *c, int ldc);

/// Attention of one query (`heads` heads of `head_dim`, grouped-query over `kv_heads`) over `count`
/// cached positions: keys/values point at the first position, `kv_stride` floats apart. Per head h
/// writes the scores' exp to scores[h·score_stride ...] and the output to out[h·head_dim ...]:
/// normalised when `stats` is NULL, else Σ exp(s − max)·v with (max, Σ exp(s − max)) in
/// stats[2h], stats[2h+1] (to merge spans). Returns 0, or -1 for bad shapes or an unavailable level.
int nn_attention_decode(int level, const float *q, int heads, int kv_heads, int head_dim,
                        const float *keys, const float *values, size_t kv_stride, int count, float scale,
                        float *scores, size_t score_stride, float *out, float *stats);

/// out[i] = silu(gate[i])·up[i] for i < n (SwiGLU; `out` may be `gate`). Returns 0, or -1 when the
/// level cannot run here.
int nn_swiglu(int level, float *out, const float *gate, const float *up, size_t n);
/// SwiGLU's backward: dgate = dout·up·σ(g)(1 + g(1−σ(g))), dup = dout·silu(g) (overwritten).
int nn_swiglu_backward(int level, float *dgate, float *dup, const float *dout, const float *gate, const float *up, size_t n);
/// v[i] = exp(v[i] − shift) for i < n; returns their sum (the scalar level where `level` cannot run).
float nn_exp_shifted_sum(int level, float *v, size_t n, float shift);

/// fp32 → bf16, rounding to nearest with ties to even (overflow rounds to ±infinity, subnormals are
/// kept, NaN stays a quiet NaN with its sign), `n` values at an instruction-set level (every level
/// gives identical output). Returns 0, or -1 when the level cannot run here.
int nn_f32_to_bf16(int level, const float *x, uint16_t *y, size_t n);
/// bf16 → fp32 (exact). Returns 0, or -1 when the level cannot run here.
int nn_bf16_to_f32(int level, const uint16_t *x, float *y, size_t n);

/// Nesting depth of parallel splits on the calling thread (0 outside any).
int nn_parallel_depth(void);
void nn_parallel_enter(void);
void nn_parallel_leave(void);

/// One part of a split run by `nn_pool_run`: `part` in 0..<parts.
typedef void (*nn_pool_fn)(void *ctx, int part);
/// Runs fn(ctx, p) for p in 0..<parts, part 0 on the calling thread and the others on persistent
/// workers that poll briefly (with `pause`) before parking on a futex. Returns 0, or -1 without
/// running anything when another thread is using the pool (or threads cannot be started).
int nn_pool_run(int parts, nn_pool_fn fn, void *ctx);
/// How long an idle pool thread polls for the next split before it parks (default 20 µs).
void nn_pool_set_spin(long nanoseconds);

#endif
