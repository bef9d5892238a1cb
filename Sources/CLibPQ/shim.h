#ifndef NNETNAV_CLIBPQ_SHIM_H
#define NNETNAV_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
