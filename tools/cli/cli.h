/*
 * tools/cli/cli.h: what the subcommands of the `kfk` tool share: option
 * helpers and the conf built from -b, -X, --property and config files.
 * The tool uses only the public API (<kfk/kfk.h>), like any application.
 */
#ifndef KFK_CLI_H
#define KFK_CLI_H

#include <stdio.h>

#include <kfk/kfk.h>

/* The long options every subcommand that talks to a topic takes, for the
 * start of its struct option table: -b (two names), -t, -p. */
#define CLI_LONGOPTS_TOPIC                                                  \
	{"bootstrap-server", required_argument, NULL, 'b'},                 \
	{"broker-list", required_argument, NULL, 'b'},                      \
	{"topic", required_argument, NULL, 't'},                            \
	{"partition", required_argument, NULL, 'p'}

/* Prints "kfk <cmd>: <message>" to stderr. */
void cli_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets name=value (one "-X name=value" argument) on conf; on failure prints
 * the library's message (with its "did you mean") and returns -1. */
int cli_conf_set_arg(kfk_conf *conf, const char *cmd, const char *arg);

/* Sets one property by name and value; -1 (message printed) on failure. */
int cli_conf_set(kfk_conf *conf, const char *cmd, const char *name,
                 const char *value);

/* Loads a .properties file into conf; -1 (message printed) on failure. */
int cli_conf_load(kfk_conf *conf, const char *cmd, const char *path);

/* Parses a whole decimal number within [min, max]; -1 when it is not. */
int cli_parse_long(const char *s, long min, long max, long *out);

/* Expands C escapes in a separator argument ("\t", "\n", "\\"): -K'\t'. */
void cli_unescape(char *s);

/* The subcommands: each takes argv starting at its own name and returns
 * the process exit status. */
int cli_produce(int argc, char **argv);
int cli_consume(int argc, char **argv);
int cli_perf(int argc, char **argv);
int cli_topics(int argc, char **argv);

/* The option loop of the admin subcommands (topics, groups, metadata):
 * getopt_long over argv with shorts (":b:X:F:h" and the subcommand's
 * own) and longopts (both --opt value and --opt=value), handling
 * -b/--bootstrap-server, -X, -F and -h itself and handing every other
 * option to fn(c, arg, ctx) (0 or -1). Returns 0, -1 on a usage error
 * (said, naming the option), 1 for --help. */
struct option;
int cli_admin_options(const char *cmd, int argc, char **argv,
                      const char *shorts, const struct option *longopts,
                      kfk_conf *conf, int (*fn)(int c, char *arg, void *ctx),
                      void *ctx);
int cli_metadata(int argc, char **argv);
int cli_configs(int argc, char **argv);
/* An admin client from conf (destroyed); NULL after saying why. */
kfk_admin *cli_admin_open(const char *cmd, kfk_conf *conf);
int cli_groups(int argc, char **argv);

#endif /* KFK_CLI_H */
