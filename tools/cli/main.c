/*
 * kfk: the command-line tool. One subcommand per task, in the spirit of
 * kcat and Kafka's own scripts:
 *
 *   kfk produce -b HOST:PORT -t TOPIC [options] [FILE...]
 *   kfk consume -b HOST:PORT -t TOPIC [options]
 *   kfk perf produce|consume -b HOST:PORT -t TOPIC [options]
 *   kfk topics -b HOST:PORT --create|--list|--describe|--alter|--delete
 *   kfk groups -b HOST:PORT --list|--describe --group G
 *   kfk metadata -b HOST:PORT [-t TOPIC]
 *
 * `kfk help` lists the subcommands; `kfk SUBCOMMAND --help` their options.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct cli_cmd cli_cmds[] = {
	{"produce", cli_produce, "send records read from stdin or files"},
	{"consume", cli_consume, "print the records of a topic's partitions"},
	{"perf", cli_perf, "measure the producer or the consumer "
	                   "(perf produce, perf consume)"},
	{"topics", cli_topics, "create, list, describe, alter and delete "
	                       "topics (kafka-topics' flags)"},
	{"groups", cli_groups, "list consumer groups, describe their lag "
	                       "(kafka-consumer-groups' flags)"},
	{"consumer-groups", cli_groups, "the same as groups"},
	{"configs", cli_configs, "describe and change topic and broker "
	                         "configs (kafka-configs' flags)"},
	{"metadata", cli_metadata, "brokers, controller, topics and "
	                           "partitions (kcat -L)"},
	{"console-producer", cli_produce, "the same as produce "
	                                  "(kafka-console-producer's flags)"},
	{"console-consumer", cli_consume, "the same as consume "
	                                  "(kafka-console-consumer's flags)"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: kfk SUBCOMMAND [options]   (kfk %s)\n\n",
	        kfk_version_str());
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
	fprintf(f, "\nkfk SUBCOMMAND --help shows its options.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("kfk %s\n", kfk_version_str());
		return 0;
	}
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		if (!strcmp(argv[1], cli_cmds[i].name)) {
			/* getopt's own messages ("unrecognized option") start
			 * with argv[0]: make it "kfk produce", as ours do. */
			static char prog[64];

			snprintf(prog, sizeof(prog), "kfk %s", argv[1]);
			argv[1] = prog;
			return cli_cmds[i].run(argc - 1, argv + 1);
		}
	fprintf(stderr, "kfk: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
