// Runtime CPU feature detection for the kernel dispatch: cpuid for what the CPU has, xgetbv for
// what the OS saves on context switches (AVX needs YMM state, AVX-512 also opmask and ZMM state).
#include "CKernels.h"
#include <cpuid.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int best_level = NN_LEVEL_SCALAR;
static char features[160] = "";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static unsigned long long read_xcr0(void) {
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static void detect(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, f16c = (c >> 29) & 1;
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_os = (xcr0 & 0x6) == 0x6;
    int zmm_os = (xcr0 & 0xE6) == 0xE6;
    int avx2 = 0, avx512f = 0, avx512bw = 0, avx512vl = 0, avx512vnni = 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        avx2 = (b >> 5) & 1;
        avx512f = (b >> 16) & 1;
        avx512bw = (b >> 30) & 1;
        avx512vl = (b >> 31) & 1;
        avx512vnni = (c >> 11) & 1;
    }
    char *p = features;
    size_t left = sizeof features;
#define ADD(flag, name) if (flag) { int k = snprintf(p, left, "%s%s", p == features ? "" : " ", name); p += k; left -= (size_t)k; }
    ADD(avx2 && ymm_os, "avx2") ADD(fma, "fma") ADD(f16c, "f16c")
    ADD(avx512f && zmm_os, "avx512f") ADD(avx512bw && zmm_os, "avx512bw") ADD(avx512vl && zmm_os, "avx512vl")
    ADD(avx512vnni && zmm_os, "avx512vnni")
#undef ADD
    if (avx && avx2 && fma && f16c && ymm_os) best_level = NN_LEVEL_AVX2;
    if (best_level == NN_LEVEL_AVX2 && zmm_os && avx512f && avx512bw && avx512vl && avx512vnni) best_level = NN_LEVEL_AVX512_VNNI;
}

int nn_kernel_best_level(void) { pthread_once(&once, detect); return best_level; }
int nn_kernel_level_supported(int level) { return level >= NN_LEVEL_SCALAR && level <= nn_kernel_best_level(); }
const char *nn_cpu_features(void) { pthread_once(&once, detect); return features[0] ? features : "(none of avx2/fma/f16c/avx512)"; }
const char *nn_kernel_level_name(int level) {
    switch (level) {
    case NN_LEVEL_SCALAR: return "scalar";
    case NN_LEVEL_AVX2: return "avx2";
    case NN_LEVEL_AVX512_VNNI: return "avx512vnni";
    default: return "unknown";
    }
}
