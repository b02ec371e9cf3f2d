# src/consumer: sources and tests of this area (included by Makefile.am).
# The consumer (include/kfk/consumer.h): partitions, fetching, offsets,
# messages and topic-partition lists.
libkfk_core_la_SOURCES += src/consumer/consumer.c src/consumer/consumer_int.h \
	src/consumer/consumer_poll.c src/consumer/cpart.c \
	src/consumer/fetcher.c src/consumer/fetch_decode.c \
	src/consumer/fetch_decode.h src/consumer/offsets.c \
	src/consumer/message.c src/consumer/tplist.c src/consumer/tplist.h
kfkinclude_HEADERS += include/kfk/consumer.h
