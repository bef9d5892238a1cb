#ifndef NNETNAV_CBLAS_SHIM_H
#define NNETNAV_CBLAS_SHIM_H
#include <cblas.h>
/* Declared by OpenBLAS but not always in cblas.h on every distribution. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);
#endif
