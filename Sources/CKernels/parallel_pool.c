// A persistent pool of worker threads for the many small splits of single-token decoding (about
// five per layer, so 150+ per token). A `DispatchQueue.concurrentPerform` wakes a sleeping worker
// through the kernel each time, tens of microseconds per split; here a worker that just finished a
// part polls for the next one for a short while (with `pause`, never `sched_yield`), then parks on
// a futex, so back-to-back splits cost a cache-line handoff and an idle pool costs no CPU.
//
// One submitter at a time: `nn_pool_run` returns -1 when another thread holds the pool (the
// caller then splits some other way), so concurrent engines and tests stay correct.
#include "CKernels.h"
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#define NN_HAVE_FUTEX 1
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

enum { MAX_WORKERS = 63 };

static pthread_mutex_t submit_lock = PTHREAD_MUTEX_INITIALIZER;
static int worker_count = 0;                 // threads started so far (guarded by submit_lock)
static _Atomic unsigned generation = 0;      // bumped once per split; workers wait for a change
static _Atomic unsigned remaining = 0;       // workers that have not yet reported the current split
static _Atomic int submitter_parked = 0;     // the submitter sleeps on `remaining`
static _Atomic int sleepers = 0;             // workers parked on `generation`
static nn_pool_fn job_fn;
static void *job_ctx;
static int job_parts;
static _Atomic long spin_ns = 20000;         // how long an idle thread polls before parking
static unsigned started_at[MAX_WORKERS + 1];  // `generation` when each worker was created

static void futex_wait(_Atomic unsigned *addr, unsigned expected) {
#ifdef NN_HAVE_FUTEX
    syscall(SYS_futex, (unsigned *)addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
#else
    struct timespec t = {0, 50000};
    if (atomic_load_explicit(addr, memory_order_acquire) == expected) nanosleep(&t, NULL);
#endif
}

static void futex_wake(_Atomic unsigned *addr) {
#ifdef NN_HAVE_FUTEX
    syscall(SYS_futex, (unsigned *)addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
#else
    (void)addr;
#endif
}

static inline long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/// Polls `*addr` until it differs from `value` or the spin budget is spent; returns whether it changed.
static int spin_until_changed(_Atomic unsigned *addr, unsigned value) {
    long budget = atomic_load_explicit(&spin_ns, memory_order_relaxed), start = 0;
    for (unsigned i = 1;; i++) {
        if (atomic_load_explicit(addr, memory_order_acquire) != value) return 1;
        cpu_relax();
        if ((i & 255) == 0) {
            long t = now_ns();
            if (start == 0) start = t;
            else if (t - start > budget) return 0;
        }
    }
}

static void *worker_main(void *arg) {
    int index = (int)(intptr_t)arg;             // this worker runs part `index` (1-based)
    // The generation before the split that started this thread (which may bump it before the thread
    // first runs): reading `generation` here could skip that split and leave its submitter waiting.
    unsigned seen = started_at[index];
    for (;;) {
        while (atomic_load_explicit(&generation, memory_order_acquire) == seen) {
            if (spin_until_changed(&generation, seen)) break;
            atomic_fetch_add(&sleepers, 1);
            futex_wait(&generation, seen);
            atomic_fetch_sub(&sleepers, 1);
        }
        seen = atomic_load_explicit(&generation, memory_order_acquire);
        if (index < job_parts) {
            nn_parallel_enter();
            job_fn(job_ctx, index);
            nn_parallel_leave();
        }
        // Every worker reports every split, even one without a part for it, so none can still be
        // reading this split's job when the submitter sets up the next.
        if (atomic_fetch_sub(&remaining, 1) == 1 && atomic_load(&submitter_parked))
            futex_wake(&remaining);
    }
    return NULL;
}

int nn_pool_run(int parts, nn_pool_fn fn, void *ctx) {
    if (parts <= 1) { if (parts == 1) fn(ctx, 0); return 0; }
    if (parts - 1 > MAX_WORKERS) return -1;
    if (pthread_mutex_trylock(&submit_lock) != 0) return -1;
    while (worker_count < parts - 1) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        started_at[worker_count + 1] = atomic_load(&generation);
        int failed = pthread_create(&thread, &attr, worker_main, (void *)(intptr_t)(worker_count + 1));
        pthread_attr_destroy(&attr);
        if (failed) { pthread_mutex_unlock(&submit_lock); return -1; }
        worker_count++;
    }
    job_fn = fn;
    job_ctx = ctx;
    job_parts = parts;
    // Workers with an index ≥ parts wake, find no part for them and report at once.
    atomic_store_explicit(&remaining, (unsigned)worker_count, memory_order_relaxed);
    // Sequentially consistent with the workers' `sleepers` increment: either this sees the worker
    // about to sleep and wakes it, or the worker's futex_wait sees the new generation.
    atomic_fetch_add(&generation, 1);
    if (atomic_load(&sleepers) > 0) futex_wake(&generation);

    nn_parallel_enter();
    fn(ctx, 0);
    nn_parallel_leave();

    _Atomic unsigned *left = &remaining;
    for (;;) {
        unsigned value = atomic_load_explicit(left, memory_order_acquire);
        if (value == 0) break;
        if (spin_until_changed(left, value)) continue;
        atomic_store(&submitter_parked, 1);
        value = atomic_load(left);
        if (value != 0) futex_wait(left, value);
        atomic_store_explicit(&submitter_parked, 0, memory_order_relaxed);
    }
    pthread_mutex_unlock(&submit_lock);
    return 0;
}

void nn_pool_set_spin(long nanoseconds) { atomic_store_explicit(&spin_ns, nanoseconds < 0 ? 0 : nanoseconds, memory_order_relaxed); }
