/* <kfk/conf.h> compiles on its own as strict C99 (this file is built with
 * -std=c99 -pedantic-errors, see src/client/local.mk) and works from there.
 * Only public declarations are used here. */
#include "config.h"
#include <kfk/conf.h>
#include <string.h>
#include "../kt.h"

static int lines_seen;

static void on_log(void *opaque, int level, const char *facility,
                   const char *message)
{
	(void)level, (void)facility, (void)message;
	lines_seen += opaque != NULL;
}

KT_TEST(conf_header_alone_in_c99)
{
	kfk_log_cb *cb = on_log;
	kfk_conf *conf = kfk_conf_new();
	char buf[32], err[128];
	size_t size = sizeof(buf);
	KT_ASSERT(conf != NULL);
	kfk_conf_set_log_cb(conf, cb);
	kfk_conf_set_opaque(conf, &lines_seen);
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "client.id", "c99", err, sizeof(err)),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(kfk_conf_get(conf, "client.id", buf, &size), KFK_ERR_NONE);
	KT_ASSERT_STR_EQ(buf, "c99");
	KT_ASSERT_INT_EQ(size, 4);
	kfk_conf_destroy(conf);
}
