# bench: sources and tests of this area (included by Makefile.am).

# Micro-benchmark of record batch encode/decode, CRC-32C and the codecs (a
# program, never a test; measure in a build without sanitizers).
noinst_PROGRAMS += bench/proto_bench
bench_proto_bench_SOURCES = bench/proto_bench.c
bench_proto_bench_LDADD = libkfk_core.la $(KFK_DEPS_LIBS)

# The librdkafka twin of `kfk perf produce` and, as `rdkafka_perf consume`,
# of `kfk perf consume` (same workload and measurements, from
# tools/cli/perf_stats.c), for bench/compare-producer and
# bench/compare-consumer. Like the mock
# cluster it links Debian's librdkafka and is never sanitized (librdkafka is
# not instrumented).
if HAVE_RDKAFKA
noinst_PROGRAMS += bench/rdkafka_perf
bench_rdkafka_perf_SOURCES = bench/rdkafka_perf.c tools/cli/perf_stats.c \
	tools/cli/perf_stats.h
bench_rdkafka_perf_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools/cli
bench_rdkafka_perf_CFLAGS = -std=gnu11 $(KFK_WARN_CFLAGS) $(RDKAFKA_CFLAGS)
bench_rdkafka_perf_LDFLAGS =
bench_rdkafka_perf_LDADD = $(RDKAFKA_LIBS) -lm
endif
# Run kfk and the twin side by side (not tests): the producers against the
# mock cluster, the consumers against a real broker.
EXTRA_DIST += bench/compare-producer bench/compare-consumer bench/compare-tls
# The assignors alone: `assignor bench` times them on 10,000 partitions
# over 100 members; `assignor solve` answers tests/real/assignor_java.sh.
noinst_PROGRAMS += bench/assignor
bench_assignor_SOURCES = bench/assignor.c
bench_assignor_LDADD = libkfk_core.la $(KFK_DEPS_LIBS)
