/* Loading Java-style .properties files into a kfk_conf. Each test writes
 * its files into a fresh directory (mkdtemp) and removes them. */
#include "config.h"
#include <kfk/conf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/conf.h"
#include "../kt.h"

#define MAX_FILES 4

/* The test's directory and the files written into it. */
static struct {
	char dir[512];
	int nfiles;
} td;
static char td_files[MAX_FILES][600];

static void td_open(void)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = P_tmpdir;
	memset(&td, 0, sizeof(td));
	snprintf(td.dir, sizeof(td.dir), "%s/kfk-test-conf-XXXXXX", base);
	KT_ASSERT_MSG(mkdtemp(td.dir) != NULL, "mkdtemp %s: %s", td.dir,
	              strerror(errno));
}

/* Writes text (len bytes) to a new file in the directory; returns its path. */
static const char *td_write(const char *name, const char *text, size_t len)
{
	char *path;
	FILE *f;
	KT_ASSERT(td.nfiles < MAX_FILES);
	path = td_files[td.nfiles++];
	snprintf(path, sizeof(td_files[0]), "%s/%s", td.dir, name);
	KT_ASSERT((f = fopen(path, "wb")) != NULL);
	KT_ASSERT_INT_EQ(fwrite(text, 1, len, f), len);
	KT_ASSERT_INT_EQ(fclose(f), 0);
	return path;
}

static const char *td_text(const char *name, const char *text)
{
	return td_write(name, text, strlen(text));
}

static void td_close(void)
{
	int i;
	for (i = 0; i < td.nfiles; i++)
		KT_ASSERT_INT_EQ(unlink(td_files[i]), 0);
	KT_ASSERT_INT_EQ(rmdir(td.dir), 0);
}

/* Loads text from a file into a fresh conf; expects success. */
static kfk_conf *load_ok(const char *text)
{
	kfk_conf *conf = kfk_conf_new();
	char err[512] = "untouched";
	const char *path;
	td_open();
	path = td_text("ok.properties", text);
	KT_ASSERT_INT_EQ(kfk_conf_load_file(conf, path, err, sizeof(err)),
	                 KFK_ERR_NONE);
	KT_ASSERT_STR_EQ(err, "");
	td_close();
	return conf;
}

/* Loads text into a conf where client.id is "before"; expects err and the
 * message "PATH:msg", and client.id untouched (all or nothing). */
static void load_bad(const char *text, kfk_err want, const char *msg)
{
	kfk_conf *conf = kfk_conf_new();
	char err[512], expect[1024];
	const char *path;
	KT_ASSERT_INT_EQ(kfk_conf_set(conf, "client.id", "before", NULL, 0), 0);
	td_open();
	path = td_text("bad.properties", text);
	KT_ASSERT_INT_EQ(kfk_conf_load_file(conf, path, err, sizeof(err)), want);
	snprintf(expect, sizeof(expect), "%s:%s", path, msg);
	KT_ASSERT_STR_EQ(err, expect);
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "client.id"), "before");
	KT_ASSERT_INT_EQ(kfk_conf_is_set(conf, "io.threads"), 0);
	td_close();
	kfk_conf_destroy(conf);
}

static size_t count_set(const kfk_conf *conf)
{
	size_t cursor = 0, n = 0;
	const char *name, *value;
	while (kfk_conf_next(conf, KFK_CONF_ITER_SET, &cursor, &name, &value))
		n++;
	return n;
}

KT_TEST(file_separators)
{
	kfk_conf *conf = load_ok("bootstrap.servers=k1:9092\n"
	                         "client.id: my app\n"
	                         "request.timeout.ms 45000\n"
	                         "connections.max.idle.ms\t =\t12000\n"
	                         "io.threads:3\n"
	                         "log_level  :  2  \n"
	                         "debug =broker\n");
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "bootstrap.servers"), "k1:9092");
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "client.id"), "my app");
	KT_ASSERT_INT_EQ(kfk_conf_get_int(conf, "request.timeout.ms"), 45000);
	KT_ASSERT_INT_EQ(kfk_conf_get_int(conf, "connections.max.idle.ms"), 12000);
	KT_ASSERT_INT_EQ(kfk_conf_get_int(conf, "io.threads"), 3);
	KT_ASSERT_INT_EQ(kfk_conf_get_int(conf, "log_level"), 2);
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "debug"), "broker");
	KT_ASSERT_INT_EQ(count_set(conf), 7);
	kfk_conf_destroy(conf);
}

KT_TEST(file_comments_and_blank_lines)
{
	kfk_conf *conf = load_ok("# a comment\n"
	                         "! another comment\n"
	                         "   # an indented comment\n"
	                         "\n"
	                         "  \t \n"
	                         "#client.id=commented out\n"
	                         "client.id=x # not a comment\n"
	                         "# a comment is not continued \\\n"
	                         "io.threads=5\n");
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "client.id"), "x # not a comment");
	KT_ASSERT_INT_EQ(kfk_conf_get_int(conf, "io.threads"), 5);
	KT_ASSERT_INT_EQ(count_set(conf), 2);
	kfk_conf_destroy(conf);
}

KT_TEST(file_line_continuation)
{
	kfk_conf *conf = load_ok("bootstrap.servers = k1:9092,\\\n"
	                         "    k2:9092,\\\n"
	                         "\t#k3:9092\n"
	                         "client.id = ends with a backslash\\\\\n"
	                         "io.threads = 1\\\n"
	                         "            2\n");
	/* A continued line that starts with '#' is data, not a comment. */
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "bootstrap.servers"),
	                 "k1:9092,k2:9092,#k3:9092");
	/* An even number of backslashes does not continue the line. */
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "client.id"),
	                 "ends with a backslash\\");
	KT_ASSERT_INT_EQ(kfk_conf_get_int(conf, "io.threads"), 12);
	kfk_conf_destroy(conf);
}

KT_TEST(file_escapes)
{
	kfk_conf *conf = load_ok("client.id = a\\tb\\nc\\\\d\\=e\\:f\\ g\\#h\\!i\\zj\n");
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "client.id"),
	                 "a\tb\nc\\d=e:f g#h!izj");
	kfk_conf_destroy(conf);
	/* \uXXXX becomes UTF-8; a surrogate pair becomes one code point. */
	conf = load_ok("client.id=\\u00e9\\u20AC\\ud83d\\ude00\n");
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "client.id"),
	                 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	kfk_conf_destroy(conf);
	/* Escapes in a key: an escaped separator belongs to the key. */
	conf = load_ok("client\\u002eid=escaped key\n");
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "client.id"), "escaped key");
	kfk_conf_destroy(conf);
	load_bad("my\\ key = v\n", KFK_ERR__UNKNOWN_PROPERTY,
	         "1: unknown property my key");
	load_bad("client.id\\=x = v\n", KFK_ERR__UNKNOWN_PROPERTY,
	         "1: unknown property client.id=x (did you mean client.id?)");
}

KT_TEST(file_line_endings)
{
	kfk_conf *conf = load_ok("client.id=crlf\r\nio.threads=4\r\n"
	                         "log_level=3\rdebug=conf");
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "client.id"), "crlf");
	KT_ASSERT_INT_EQ(kfk_conf_get_int(conf, "io.threads"), 4);
	KT_ASSERT_INT_EQ(kfk_conf_get_int(conf, "log_level"), 3);
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "debug"), "conf");
	kfk_conf_destroy(conf);
}

KT_TEST(file_key_without_value)
{
	kfk_conf *conf = load_ok("client.id\n");
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "client.id"), "");
	KT_ASSERT_INT_EQ(kfk_conf_is_set(conf, "client.id"), 1);
	kfk_conf_destroy(conf);
}

KT_TEST(file_empty_and_bom)
{
	kfk_conf *conf = load_ok("");
	KT_ASSERT_INT_EQ(count_set(conf), 0);
	kfk_conf_destroy(conf);
	conf = load_ok("\xef\xbb\xbf" "client.id=bom\n");
	KT_ASSERT_STR_EQ(kfk_conf_get_str(conf, "client.id"), "bom");
	kfk_conf_destroy(conf);
}

KT_TEST(file_bad_lines_name_their_line)
{
	load_bad("# kfk test\n"
	         "bootstrap.servers=k1:9092\n"
	         "\n"
	         "client.id=app\n"
	         "! comment\n"
	         "socket.keepalive.enable=true\n"
	         "requst.timeout.ms=5\n"
	         "io.threads=2\n",
	         KFK_ERR__UNKNOWN_PROPERTY,
	         "7: unknown property requst.timeout.ms (did you mean "
	         "request.timeout.ms?)");
	load_bad("client.id=x\n"
	         "bootstrap.servers = k1:9092,\\\n"
	         "   k2:9092\n"
	         "io.threads = many\n",
	         KFK_ERR__INVALID_VALUE, "4: io.threads: \"many\" is not an integer");
	/* A bad entry spanning lines is reported at its first line. */
	load_bad("client.id=x\n"
	         "io.threads = 1\\\n"
	         "   000\n",
	         KFK_ERR__INVALID_VALUE,
	         "2: io.threads: 1000 is out of range, must be 0..256");
	load_bad("client.id=x\n=value\n", KFK_ERR__PARSE,
	         "2: missing property name");
	load_bad("\n\n  : value\n", KFK_ERR__PARSE, "3: missing property name");
	load_bad("client.id=\\u12G4\n", KFK_ERR__PARSE,
	         "1: bad \\u escape (4 hex digits, not 0000, surrogates in pairs)");
	load_bad("client.id=\\ud83d alone\n", KFK_ERR__PARSE,
	         "1: bad \\u escape (4 hex digits, not 0000, surrogates in pairs)");
}

KT_TEST(file_missing_reports_the_os_error)
{
	kfk_conf *conf = kfk_conf_new();
	char err[512], path[600], expect[700];
	td_open();
	snprintf(path, sizeof(path), "%s/missing.properties", td.dir);
	KT_ASSERT_INT_EQ(kfk_conf_load_file(conf, path, err, sizeof(err)),
	                 KFK_ERR__IO);
	snprintf(expect, sizeof(expect), "%s: %s", path, strerror(ENOENT));
	KT_ASSERT_STR_EQ(err, expect);
	/* A directory opens but cannot be read. */
	KT_ASSERT_INT_EQ(kfk_conf_load_file(conf, td.dir, err, sizeof(err)),
	                 KFK_ERR__IO);
	snprintf(expect, sizeof(expect), "%s: %s", td.dir, strerror(EISDIR));
	KT_ASSERT_STR_EQ(err, expect);
	KT_ASSERT_INT_EQ(kfk_conf_load_file(conf, NULL, err, sizeof(err)),
	                 KFK_ERR__INVALID_ARG);
	td_close();
	kfk_conf_destroy(conf);
}

/* The parser alone, on text in memory. */
struct collect {
	int n;
	char kv[8][64];
};

static kfk_err collect_cb(void *opaque, const char *key, const char *value,
                          char *errstr, size_t errstr_size)
{
	struct collect *c = opaque;
	if (c->n == 8)
		return KFK_ERR__FAIL;
	snprintf(c->kv[c->n++], sizeof(c->kv[0]), "%s|%s", key, value);
	(void)errstr, (void)errstr_size;
	return KFK_ERR_NONE;
}

KT_TEST(file_parser_on_memory)
{
	static const char text[] = "a=1\n"
	                           "b = two words  \n"
	                           "c\\:d:e\n"
	                           "  f   g\n"
	                           "h=last\\"; /* continuation at the very end */
	struct collect c = {0};
	char err[128] = "";
	int line = -1;
	KT_ASSERT_INT_EQ(kfk_propfile_parse(text, sizeof(text) - 1, collect_cb, &c,
	                                    &line, err, sizeof(err)),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(line, 0);
	KT_ASSERT_INT_EQ(c.n, 5);
	KT_ASSERT_STR_EQ(c.kv[0], "a|1");
	KT_ASSERT_STR_EQ(c.kv[1], "b|two words  "); /* trailing blanks kept */
	KT_ASSERT_STR_EQ(c.kv[2], "c:d|e");
	KT_ASSERT_STR_EQ(c.kv[3], "f|g");
	KT_ASSERT_STR_EQ(c.kv[4], "h|last");
	/* The text need not be NUL-terminated: parse only "a=1\nb". */
	c.n = 0;
	KT_ASSERT_INT_EQ(kfk_propfile_parse(text, 5, collect_cb, &c, &line, err,
	                                    sizeof(err)),
	                 KFK_ERR_NONE);
	KT_ASSERT_INT_EQ(c.n, 2);
	KT_ASSERT_STR_EQ(c.kv[1], "b|");
}
