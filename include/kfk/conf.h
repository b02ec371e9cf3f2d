#ifndef KFK_CONF_H
#define KFK_CONF_H
#include <kfk/common.h>
#endif
