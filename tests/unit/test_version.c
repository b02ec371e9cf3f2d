/* The run-time version agrees with the header it was built from. */
#include <kfk/kfk.h>
#include <stdio.h>
#include "../kt.h"

KT_TEST(version_number_matches_header)
{
	KT_ASSERT_INT_EQ(kfk_version(), KFK_VERSION);
}

KT_TEST(version_string_matches_number)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d.%d.%d", KFK_VERSION_MAJOR,
	         KFK_VERSION_MINOR, KFK_VERSION_PATCH);
	KT_ASSERT_STR_EQ(kfk_version_str(), buf);
}
