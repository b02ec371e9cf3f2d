#ifndef KFK_ERRORS_H
#define KFK_ERRORS_H
#include <kfk/common.h>
#endif
