// Matrix-vector products from ggml's quantized blocks (Q4_0, Q4_1, Q8_0), with the activation row
// quantized to int8 per 32-value block. This is what single-token decoding spends its time on: it
// reads every weight once per token, so reading 4.5-8.5 bits per weight instead of 32 (or 16) is
// most of the speed. Each instruction-set level is its own function compiled with a per-function
// target attribute, so the file builds for baseline x86-64 and the AVX2 / AVX-512 code only runs
// after cpuid said it may.
//
// The weights are repacked once, at load, into tiles of 16 rows (`nn_tile_*`): per tile and block,
// the 16 rows' scales side by side, then the quantized values interleaved four at a time
// (row 0's values 0-3, row 1's 0-3, ... row 15's 0-3, then values 4-7, ...). One integer
// dot-product instruction against four activation values broadcast to every lane then advances
// 8 (AVX2) or 16 (AVX-512) rows at once, and a block's scales for those rows are one vector, so a
// row never needs a horizontal sum. Row-major blocks cost one horizontal reduction and a handful
// of scalar scale operations per row and block, which on an 18-block row (SmolLM2's 576 columns)
// was most of the work.
#include "CKernels.h"
#include <math.h>
#include <string.h>
#include <stdlib.h>

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


// MARK: tile layout

enum { TILE_ROWS = 16 };

/// Bytes of one tile's block: the rows' scales (f16 d; Q4_1 also f16 m; Q8_0 also the int16 sum of
/// the block's weights, which the VNNI kernel needs to take the activation as unsigned), then
/// 32 values × 16 rows as four-value chunks (nibbles for Q4: a byte's low nibble is value 4v+k of
/// its row and the high nibble value 16+4v+k, exactly the byte ggml stores at 4v+k).
static size_t tile_block_bytes(int type) {
    switch (type) {
    case TYPE_Q4_1: return 64 + 256;
    case TYPE_Q4_0: return 32 + 256;
    default: return 64 + 512;   // Q8_0
    }
}
static size_t tile_scale_bytes(int type) { return type == TYPE_Q4_0 ? 32 : 64; }
static int known_type(int type) { return type == TYPE_Q4_0 || type == TYPE_Q4_1 || type == TYPE_Q8_0; }

size_t nn_tiled_bytes(int ggml_type, int rows, int cols) {
    if (!known_type(ggml_type) || rows < 0 || cols % 32 != 0) return 0;
    size_t tiles = ((size_t)rows + TILE_ROWS - 1) / TILE_ROWS;
    return tiles * (size_t)(cols / 32) * tile_block_bytes(ggml_type);
}

int nn_tile_quantized(int ggml_type, const void *src, size_t row_bytes, int rows, int cols, void *dst) {
    if (!known_type(ggml_type) || rows < 0 || cols % 32 != 0) return -1;
    const uint8_t *in = (const uint8_t *)src;
    uint8_t *out = (uint8_t *)dst;
    int blocks = cols / 32, tiles = (rows + TILE_ROWS - 1) / TILE_ROWS;
    size_t tb = tile_block_bytes(ggml_type), sb = tile_scale_bytes(ggml_type);
    size_t src_block = ggml_type == TYPE_Q4_1 ? 20 : ggml_type == TYPE_Q4_0 ? 18 : 34;
    size_t header = ggml_type == TYPE_Q4_1 ? 4 : 2;
    memset(out, 0, nn_tiled_bytes(ggml_type, rows, cols));   // padding rows: zero scales, zero values
    for (int t = 0; t < tiles; t++) {
        for (int b = 0; b < blocks; b++) {
            uint8_t *tile = out + ((size_t)t * blocks + b) * tb;
            for (int j = 0; j < TILE_ROWS && t * TILE_ROWS + j < rows; j++) {
                const uint8_t *blk = in + (size_t)(t * TILE_ROWS + j) * row_bytes + (size_t)b * src_block;
                memcpy(tile + 2 * j, blk, 2);                                   // d
                if (ggml_type == TYPE_Q4_1) memcpy(tile + 32 + 2 * j, blk + 2, 2);   // m
                const uint8_t *qs = blk + header;
                int chunks = ggml_type == TYPE_Q8_0 ? 8 : 4;
                for (int c = 0; c < chunks; c++) memcpy(tile + sb + 64 * c + 4 * j, qs + 4 * c, 4);
                if (ggml_type == TYPE_Q8_0) {
                    int sum = 0;
                    for (int k = 0; k < 32; k++) sum += (int8_t)qs[k];
                    int16_t s16 = (int16_t)sum;
                    memcpy(tile + 32 + 2 * j, &s16, 2);
                }
            }
        }
    }
    return 0;
}

/// Writes a tile's 16 results to the rows of [r0, r1) it covers.
static inline void store_tile(const float *t, int first_row, float *y, int r0, int r1, int accumulate) {
    int lo = first_row > r0 ? first_row : r0, hi = first_row + TILE_ROWS < r1 ? first_row + TILE_ROWS : r1;
    for (int r = lo; r < hi; r++) y[r] = accumulate ? y[r] + t[r - first_row] : t[r - first_row];
}

// MARK: scalar reference

/// Reads the tile layout value by value, independently of the SIMD loads (and of their summation
/// order), so the SIMD levels are checked against it and both against the fp32 product.
static void tiled_scalar(int type, const uint8_t *w, int cols, const int8_t *xqs, const float *xd, const float *xs,
                         float *y, int r0, int r1, int accumulate) {
    int blocks = cols / 32;
    size_t tb = tile_block_bytes(type), sb = tile_scale_bytes(type);
    for (int r = r0; r < r1; r++) {
        int t = r / TILE_ROWS, j = r % TILE_ROWS;
        float total = 0;
        for (int b = 0; b < blocks; b++) {
            const uint8_t *tile = w + ((size_t)t * blocks + b) * tb;
            const int8_t *xq = xqs + 32 * b;
            float d = half_to_float(load_u16(tile + 2 * j));
            int dot = 0;
            if (type == TYPE_Q8_0) {
                for (int c = 0; c < 8; c++)
                    for (int k = 0; k < 4; k++) dot += (int8_t)tile[sb + 64 * c + 4 * j + k] * xq[4 * c + k];
                total += d * xd[b] * (float)dot;
                continue;
            }
            for (int v = 0; v < 4; v++)
                for (int k = 0; k < 4; k++) {
                    uint8_t byte = tile[sb + 64 * v + 4 * j + k];
                    dot += (byte & 0x0F) * xq[4 * v + k] + (byte >> 4) * xq[16 + 4 * v + k];
                }
            if (type == TYPE_Q4_1) total += d * xd[b] * (float)dot + half_to_float(load_u16(tile + 32 + 2 * j)) * xs[b];
            else total += d * xd[b] * (float)dot - 8 * d * xs[b];
        }
        y[r] = accumulate ? y[r] + total : total;
    }
}

#ifdef NN_X86

#define AVX2_TARGET __attribute__((target("avx2,fma,f16c")))
#define VNNI_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

/// One half-tile (8 rows, `half` 0 or 1) of a Q4 block: Σ nibble·x per row as 8 int32. The eight
/// maddubs results are summed in int16 (each at most 2·15·127, eight of them 30,480 < 32,767).
AVX2_TARGET static inline __m256i q4_half_dot_avx2(const uint8_t *q, int half, const __m256i *xc) {
    const __m256i low = _mm256_set1_epi8(0x0F);
    __m256i s16 = _mm256_setzero_si256();
    for (int v = 0; v < 4; v++) {
        __m256i raw = _mm256_loadu_si256((const __m256i *)(q + 64 * v + 32 * half));
        s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(_mm256_and_si256(raw, low), xc[v]));
        s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(raw, 4), low), xc[v + 4]));
    }
    return _mm256_madd_epi16(s16, _mm256_set1_epi16(1));
}

/// The same for Q8_0: signed·signed as |w|·(x with w's sign), summed in int32 per chunk.
AVX2_TARGET static inline __m256i q8_half_dot_avx2(const uint8_t *q, int half, const __m256i *xc) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i s32 = _mm256_setzero_si256();
    for (int c = 0; c < 8; c++) {
        __m256i w = _mm256_loadu_si256((const __m256i *)(q + 64 * c + 32 * half));
        s32 = _mm256_add_epi32(s32, _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(xc[c], w)), ones));
    }
    return s32;
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

AVX2_TARGET static void tiled_avx2(int type, const uint8_t *w, int cols, const int8_t *xqs, const float *xd, const float *xs,
                                   float *y, int r0, int r1, int accumulate) {
    int blocks = cols / 32;
    size_t tb = tile_block_bytes(type), sb = tile_scale_bytes(type);
    for (int t = r0 / TILE_ROWS; t * TILE_ROWS < r1; t++) {
        __m256 acc[2] = { _mm256_setzero_ps(), _mm256_setzero_ps() };
        const uint8_t *tile = w + (size_t)t * blocks * tb;
        for (int b = 0; b < blocks; b++, tile += tb) {
            __m256i xc[8];
            for (int c = 0; c < 8; c++) {
                int32_t four;
                memcpy(&four, xqs + 32 * b + 4 * c, 4);
                xc[c] = _mm256_set1_epi32(four);
            }
            __m256 dx = _mm256_set1_ps(xd[b]), sx = _mm256_set1_ps(xs[b]);
            for (int h = 0; h < 2; h++) {
                __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(tile + 16 * h)));
                __m256i dot = type == TYPE_Q8_0 ? q8_half_dot_avx2(tile + sb, h, xc) : q4_half_dot_avx2(tile + sb, h, xc);
                acc[h] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(d, dx), acc[h]);
                if (type == TYPE_Q4_1) {
                    __m256 m = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(tile + 32 + 16 * h)));
                    acc[h] = _mm256_fmadd_ps(m, sx, acc[h]);
                } else if (type == TYPE_Q4_0) {
                    acc[h] = _mm256_fnmadd_ps(_mm256_mul_ps(d, _mm256_set1_ps(8)), sx, acc[h]);
                }
            }
        }
        float out[TILE_ROWS];
        _mm256_storeu_ps(out, acc[0]);
        _mm256_storeu_ps(out + 8, acc[1]);
        store_tile(out, t * TILE_ROWS, y, r0, r1, accumulate);
    }
}

/// All 16 rows of a tile per instruction. Q8_0 takes the activation as unsigned (x + 128, which
/// vpdpbusd needs on its unsigned side) and subtracts 128·Σw, exact in int32.
VNNI_TARGET static void tiled_vnni(int type, const uint8_t *w, int cols, const int8_t *xqs, const float *xd, const float *xs,
                                   float *y, int r0, int r1, int accumulate) {
    int blocks = cols / 32;
    size_t tb = tile_block_bytes(type), sb = tile_scale_bytes(type);
    const __m512i low = _mm512_set1_epi8(0x0F);
    for (int t = r0 / TILE_ROWS; t * TILE_ROWS < r1; t++) {
        __m512 acc = _mm512_setzero_ps();
        const uint8_t *tile = w + (size_t)t * blocks * tb;
        for (int b = 0; b < blocks; b++, tile += tb) {
            const uint8_t *q = tile + sb;
            const int8_t *xq = xqs + 32 * b;
            __m512i even = _mm512_setzero_si512(), odd = _mm512_setzero_si512();
            if (type == TYPE_Q8_0) {
                for (int c = 0; c < 8; c += 2) {
                    int32_t x0, x1;
                    memcpy(&x0, xq + 4 * c, 4);
                    memcpy(&x1, xq + 4 * c + 4, 4);
                    __m512i u0 = _mm512_set1_epi32(x0 ^ (int32_t)0x80808080), u1 = _mm512_set1_epi32(x1 ^ (int32_t)0x80808080);
                    even = _mm512_dpbusd_epi32(even, u0, _mm512_loadu_si512((const void *)(q + 64 * c)));
                    odd = _mm512_dpbusd_epi32(odd, u1, _mm512_loadu_si512((const void *)(q + 64 * c + 64)));
                }
                __m512i sums = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *)(tile + 32)));
                __m512i dot = _mm512_sub_epi32(_mm512_add_epi32(even, odd), _mm512_slli_epi32(sums, 7));
                __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)tile));
                acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(d, _mm512_set1_ps(xd[b])), acc);
                continue;
            }
            for (int v = 0; v < 4; v++) {
                int32_t xl, xh;
                memcpy(&xl, xq + 4 * v, 4);
                memcpy(&xh, xq + 16 + 4 * v, 4);
                __m512i raw = _mm512_loadu_si512((const void *)(q + 64 * v));
                even = _mm512_dpbusd_epi32(even, _mm512_and_si512(raw, low), _mm512_set1_epi32(xl));
                odd = _mm512_dpbusd_epi32(odd, _mm512_and_si512(_mm512_srli_epi16(raw, 4), low), _mm512_set1_epi32(xh));
            }
            __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)tile));
            __m512 dot = _mm512_cvtepi32_ps(_mm512_add_epi32(even, odd));
            acc = _mm512_fmadd_ps(dot, _mm512_mul_ps(d, _mm512_set1_ps(xd[b])), acc);
            if (type == TYPE_Q4_1) {
                __m512 m = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(tile + 32)));
                acc = _mm512_fmadd_ps(m, _mm512_set1_ps(xs[b]), acc);
            } else {
                acc = _mm512_fnmadd_ps(_mm512_mul_ps(d, _mm512_set1_ps(8)), _mm512_set1_ps(xs[b]), acc);
            }
        }
        float out[TILE_ROWS];
        _mm512_storeu_ps(out, acc);
        store_tile(out, t * TILE_ROWS, y, r0, r1, accumulate);
    }
}

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

int nn_matvec_tiled(int level, int ggml_type, const void *tiles, int cols, const int8_t *xqs, const float *xd,
                    const float *xs, float *y, int row_begin, int row_end, int accumulate) {
    if (!known_type(ggml_type) || cols % 32 != 0 || !nn_kernel_level_supported(level)) return -1;
    if (row_begin >= row_end) return 0;
    const uint8_t *w = (const uint8_t *)tiles;
#ifdef NN_X86
    if (level == NN_LEVEL_AVX512_VNNI) { tiled_vnni(ggml_type, w, cols, xqs, xd, xs, y, row_begin, row_end, accumulate); return 0; }
    if (level == NN_LEVEL_AVX2) { tiled_avx2(ggml_type, w, cols, xqs, xd, xs, y, row_begin, row_end, accumulate); return 0; }
#endif
    tiled_scalar(ggml_type, w, cols, xqs, xd, xs, y, row_begin, row_end, accumulate);
    return 0;
}
