# tests/fuzz: libFuzzer targets for every decoder (included by Makefile.am).
# `make fuzz` builds them with clang into $(builddir)/fuzz/ (see
# tests/fuzz/build.sh and fuzz.mk); tests/fuzz/run_fuzz.sh builds and runs
# each for KFK_FUZZ_SECONDS (default 3) from its seeds in corpus/<target>/
# and replays regressions/<target>/.
#
# Only the layers the decoders live in are rebuilt with clang.
KFK_FUZZ_LIB_SRCS = $(filter src/util/%.c src/proto/%.c src/codec/%.c, \
	$(libkfk_core_la_SOURCES))
KFK_FUZZ_INCLUDES = -I$(abs_top_builddir) -I$(abs_top_srcdir)/include \
	-I$(abs_top_builddir)/include -I$(abs_top_srcdir)/src $(KFK_DEPS_CFLAGS)
CLANG = clang

KFK_FUZZ_BUILD = CLANG="$(CLANG)" MAKE="$(MAKE)" \
	KFK_FUZZ_INCLUDES="$(KFK_FUZZ_INCLUDES)" \
	KFK_FUZZ_LIBS="$(KFK_DEPS_LIBS) $(LIBS)" \
	$(SHELL) $(top_srcdir)/tests/fuzz/build.sh

fuzz:
	@$(KFK_FUZZ_BUILD) $(abs_top_srcdir) $(abs_top_builddir)/fuzz \
	  $(KFK_FUZZ_LIB_SRCS)
# Rewrites the committed seeds (tests/fuzz/corpus/) with tests/fuzz/gen_seeds.c.
fuzz-seeds:
	@$(KFK_FUZZ_BUILD) --seeds $(abs_top_srcdir) $(abs_top_builddir)/fuzz \
	  $(KFK_FUZZ_LIB_SRCS)
.PHONY: fuzz fuzz-seeds

clean-local: clean-fuzz
clean-fuzz:
	-rm -rf fuzz
.PHONY: clean-fuzz

KFK_SCRIPT_TESTS += tests/fuzz/run_fuzz.sh
EXTRA_DIST += tests/fuzz
