/* The run-time version, so applications can detect a header mismatch. */
#include "config.h"
#include <kfk/version.h>

int kfk_version(void)
{
	return KFK_VERSION;
}

const char *kfk_version_str(void)
{
	return KFK_VERSION_STR;
}
