#ifndef TOUCHBASE_CSOXR_SHIM_H
#define TOUCHBASE_CSOXR_SHIM_H
#include <soxr.h>
#endif
