# tools: sources and tests of this area (included by Makefile.am).
regen-all:
	$(SHELL) $(srcdir)/tools/regen.sh $(KFK_SHARED) $(abs_top_srcdir)
KFK_REGEN += regen-all
EXTRA_DIST += tools/regen.sh
# CONFIGURATION.md is generated from the property table; the script test
# fails when the committed file is stale.
noinst_PROGRAMS += tools/gen_configuration
tools_gen_configuration_LDADD = libkfk_core.la $(KFK_DEPS_LIBS)
KFK_CHECK_DEPS += tools/gen_configuration
KFK_SCRIPT_TESTS += tests/unit/configuration_md.sh
regen-configuration: tools/gen_configuration
	tools/gen_configuration >$(srcdir)/CONFIGURATION.md.tmp
	mv $(srcdir)/CONFIGURATION.md.tmp $(srcdir)/CONFIGURATION.md
KFK_REGEN += regen-configuration

# The `kfk` command-line tool: public API only, linked like an application.
bin_PROGRAMS += tools/kfk
tools_kfk_SOURCES = tools/cli/main.c tools/cli/cli.c tools/cli/cli.h \
	tools/cli/produce.c tools/cli/consume.c tools/cli/consume.h \
	tools/cli/consume_group.c tools/cli/consume_fmt.c \
	tools/cli/consume_fmt.h tools/cli/consume_json.c tools/cli/perf.c \
	tools/cli/perf_stats.c tools/cli/perf_stats.h tools/cli/topics.c \
	tools/cli/topics_fmt.c tools/cli/topics_fmt.h tools/cli/java_hash.c \
	tools/cli/java_hash.h tools/cli/groups.c tools/cli/groups.h \
	tools/cli/groups_reset.c tools/cli/groups_offsets_del.c \
	tools/cli/metadata.c tools/cli/configs.c tools/cli/json_out.c \
	tools/cli/json_out.h
tools_kfk_LDADD = libkfk.la $(CJSON_LIBS) -lm
KFK_CHECK_DEPS += tools/kfk
KFK_SCRIPT_TESTS += tests/integration/cli_produce.sh
# kfk consume's command line, no broker needed.
KFK_SCRIPT_TESTS += tests/integration/cli_consume.sh
# kfk perf produce (and the librdkafka twin when built) against the mock.
KFK_SCRIPT_TESTS += tests/integration/cli_perf.sh
