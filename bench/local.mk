# bench: sources and tests of this area (included by Makefile.am).

# Micro-benchmark of record batch encode/decode, CRC-32C and the codecs (a
# program, never a test; measure in a build without sanitizers).
noinst_PROGRAMS += bench/proto_bench
bench_proto_bench_SOURCES = bench/proto_bench.c
bench_proto_bench_LDADD = libkfk_core.la $(KFK_DEPS_LIBS)
