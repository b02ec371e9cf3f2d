/* Option helpers shared by the subcommands of the `kfk` tool. */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kfk %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_conf_set(kfk_conf *conf, const char *cmd, const char *name,
                 const char *value)
{
	char err[512];

	if (kfk_conf_set(conf, name, value, err, sizeof(err)) == KFK_ERR_NONE)
		return 0;
	cli_err(cmd, "%s", err);
	return -1;
}

int cli_conf_set_arg(kfk_conf *conf, const char *cmd, const char *arg)
{
	char name[256];
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		cli_err(cmd, "expected name=value, got '%s'", arg);
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	return cli_conf_set(conf, cmd, name, eq + 1);
}

int cli_conf_load(kfk_conf *conf, const char *cmd, const char *path)
{
	char err[512];

	if (kfk_conf_load_file(conf, path, err, sizeof(err)) == KFK_ERR_NONE)
		return 0;
	cli_err(cmd, "%s", err);
	return -1;
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void cli_unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			*w++ = *s;
			continue;
		}
		s++;
		*w++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == '0' ? '\0' : *s;
	}
	*w = '\0';
}

int cli_admin_options(const char *cmd, int argc, char **argv,
                      const char *shorts, const struct option *longopts,
                      kfk_conf *conf, int (*fn)(int c, char *arg, void *ctx),
                      void *ctx)
{
	int c, rc = 0;

	opterr = 0;
	optind = 1;
	while (!rc &&
	       (c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		char *arg = c == ':' || c == '?' ? argv[optind - 1] : optarg;

		switch (c) {
		case 'b':
			rc = cli_conf_set(conf, cmd, "bootstrap.servers", arg)
			             ? -1 : 0;
			break;
		case 'X': rc = cli_conf_set_arg(conf, cmd, arg) ? -1 : 0; break;
		case 'F': rc = cli_conf_load(conf, cmd, arg) ? -1 : 0; break;
		case 'h': rc = 1; break;
		case ':': cli_err(cmd, "%s needs a value", arg); rc = -1; break;
		case '?':
			cli_err(cmd, "unrecognized option '%s'", arg);
			rc = -1;
			break;
		default: rc = fn(c, arg, ctx); break;
		}
	}
	if (!rc && optind < argc) {
		cli_err(cmd, "unexpected argument '%s'", argv[optind]);
		rc = -1;
	}
	return rc;
}

kfk_admin *cli_admin_open(const char *cmd, kfk_conf *conf)
{
	char err[512];
	kfk_admin *a = kfk_admin_new(conf, err, sizeof(err));

	kfk_conf_destroy(conf);
	if (!a)
		cli_err(cmd, "%s", err);
	return a;
}
