# tests/fuzz/fuzz.mk: the GNU make file that builds the libFuzzer targets
# with clang. Not part of automake: tests/fuzz/build.sh runs it with
#   SRCDIR   the source tree (absolute)
#   OUT      the output directory, $(builddir)/fuzz (absolute)
#   CC       clang
#   INCLUDES -I flags of the library build and its dependencies' cflags
#   LIBS     the dependencies' link flags
#   LIB_SRCS library sources to rebuild with clang (relative to SRCDIR)
# and the file $(OUT)/targets.mk that build.sh writes: FUZZ_APIS, the
# response APIs to fuzz, and KEY_<api>, each one's API key constant.
#
# The library is compiled again (the main build uses gcc and may not be
# instrumented) with coverage instrumentation for the fuzzer plus address
# and undefined behaviour sanitizers into $(OUT)/libkfk_fuzz.a; every target
# is one binary $(OUT)/<target>. Objects carry -MMD dependencies, so a
# second run recompiles only what changed.

include $(OUT)/targets.mk

SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
BASE_CFLAGS = -std=gnu11 -g -O1 -MMD -MP -I$(OUT) -I$(SRCDIR)/tests/fuzz \
	$(INCLUDES)
# Library code: instrumented for coverage but without libFuzzer's main.
LIB_CFLAGS = $(BASE_CFLAGS) -DKFK_BUILDING_LIBRARY -fsanitize=fuzzer-no-link $(SAN)
# Our own sources: warnings are errors, as in --enable-devel.
FUZZ_CFLAGS = $(BASE_CFLAGS) -Wall -Wextra -Werror -Wno-unused-parameter \
	-fsanitize=fuzzer-no-link $(SAN)

FZ = $(SRCDIR)/tests/fuzz
LIB_OBJS = $(patsubst %.c,$(OUT)/obj/%.o,$(LIB_SRCS))
ARCHIVE = $(OUT)/libkfk_fuzz.a

# Targets with a source of their own; plus one resp_<api> per response API
# and one decompress_<codec> per codec, each a single source compiled with
# a -D that picks what it fuzzes.
PLAIN_TARGETS = header response record_batch records msgset_legacy \
	consumer_protocol fetch_decode assignor_protocol
CODECS = gzip snappy lz4 zstd
RESP_TARGETS = $(addprefix resp_,$(FUZZ_APIS))
CODEC_TARGETS = $(addprefix decompress_,$(CODECS))
TARGETS = $(PLAIN_TARGETS) $(RESP_TARGETS) $(CODEC_TARGETS)
BINS = $(addprefix $(OUT)/,$(TARGETS))

# A target that needs library sources beyond LIB_SRCS names them here;
# they are compiled like the library and linked into that target alone.
FETCH_DECODE_SRCS = src/consumer/fetch_decode.c src/consumer/message.c \
	src/consumer/cpart.c src/net/frame.c
FETCH_DECODE_OBJS = $(patsubst %.c,$(OUT)/obj/%.o,$(FETCH_DECODE_SRCS))
$(OUT)/fetch_decode: $(FETCH_DECODE_OBJS)
ASSIGNOR_SRCS = src/consumer/assignor.c src/consumer/assignor_protocol.c \
	src/consumer/assignor_range.c src/consumer/assignor_roundrobin.c \
	src/consumer/assignor_sticky.c src/consumer/assignor_sticky_balance.c
ASSIGNOR_OBJS = $(patsubst %.c,$(OUT)/obj/%.o,$(ASSIGNOR_SRCS))
$(OUT)/assignor_protocol: $(ASSIGNOR_OBJS)

all: $(BINS) $(OUT)/targets.txt

$(ARCHIVE): $(LIB_OBJS) $(OUT)/sources.txt
	@rm -f $@
	@echo "  AR       fuzz/libkfk_fuzz.a"
	@ar rcs $@ $(LIB_OBJS)

$(OUT)/obj/%.o: $(SRCDIR)/%.c
	@mkdir -p $(@D)
	@echo "  CLANG    $*.c"
	@$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(OUT)/obj/fuzz/%.o: $(FZ)/fuzz_%.c
	@mkdir -p $(@D)
	@echo "  CLANG    tests/fuzz/fuzz_$*.c"
	@$(CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(OUT)/obj/fuzz/resp_%.o: $(FZ)/fuzz_resp.c
	@mkdir -p $(@D)
	@echo "  CLANG    tests/fuzz/fuzz_resp.c ($*)"
	@$(CC) $(FUZZ_CFLAGS) -DFUZZ_API=$* -DFUZZ_KEY=$(KEY_$*) -c -o $@ $<

$(OUT)/obj/fuzz/records.o: $(FZ)/fuzz_record_batch.c
	@mkdir -p $(@D)
	@echo "  CLANG    tests/fuzz/fuzz_record_batch.c (records)"
	@$(CC) $(FUZZ_CFLAGS) -DFUZZ_RECORDS -c -o $@ $<

$(OUT)/obj/fuzz/decompress_%.o: $(FZ)/fuzz_decompress.c
	@mkdir -p $(@D)
	@echo "  CLANG    tests/fuzz/fuzz_decompress.c ($*)"
	@$(CC) $(FUZZ_CFLAGS) -DFUZZ_CODEC=$* -c -o $@ $<

$(OUT)/obj/fuzz/gen_seeds.o: $(FZ)/gen_seeds.c $(OUT)/fuzz_fill.c
	@mkdir -p $(@D)
	@echo "  CLANG    tests/fuzz/gen_seeds.c"
	@$(CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(addprefix $(OUT)/,$(TARGETS)): $(OUT)/%: $(OUT)/obj/fuzz/%.o $(ARCHIVE)
	@echo "  LINK     fuzz/$*"
	@$(CC) -fsanitize=fuzzer $(SAN) -o $@ $(filter %.o,$^) $(ARCHIVE) $(LIBS)

$(OUT)/targets.txt: $(OUT)/targets.mk $(FZ)/fuzz.mk
	@printf '%s\n' $(TARGETS) >$@

# `make fuzz-seeds`: the seed generator, an ordinary program (its own main),
# rewrites the committed corpus tests/fuzz/corpus/ from scratch.
$(OUT)/fuzz_fill.c: $(FZ)/gen_fill.py $(wildcard $(SRCDIR)/src/proto/gen/*.h)
	@echo "  GEN      fuzz/fuzz_fill.c"
	@python3 $(FZ)/gen_fill.py $(SRCDIR)/src/proto/gen >$@.tmp && mv $@.tmp $@

$(OUT)/gen_seeds: $(OUT)/obj/fuzz/gen_seeds.o $(ARCHIVE)
	@echo "  LINK     fuzz/gen_seeds"
	@$(CC) -fsanitize=fuzzer-no-link $(SAN) -o $@ $< $(ARCHIVE) $(LIBS)

seeds: $(OUT)/gen_seeds
	rm -rf $(FZ)/corpus
	$(OUT)/gen_seeds $(FZ)/corpus

.PHONY: all seeds
.SUFFIXES:
-include $(LIB_OBJS:.o=.d) $(FETCH_DECODE_OBJS:.o=.d) $(ASSIGNOR_OBJS:.o=.d) $(wildcard $(OUT)/obj/fuzz/*.d)
