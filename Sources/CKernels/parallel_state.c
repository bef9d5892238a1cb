// Whether the calling thread is already one part of a parallel split, so nested kernel calls
// (a GEMM inside a per-head loop that is itself split across cores) run inline instead of
// oversubscribing the two cores.
#include "CKernels.h"

static _Thread_local int parallel_depth = 0;

int nn_parallel_depth(void) { return parallel_depth; }
void nn_parallel_enter(void) { parallel_depth++; }
void nn_parallel_leave(void) { parallel_depth--; }
