# examples/: small programs users copy from; built with the library.
noinst_PROGRAMS += examples/hello
examples_hello_LDADD = libkfk.la
noinst_PROGRAMS += examples/producer
examples_producer_LDADD = libkfk.la
KFK_CHECK_DEPS += examples/producer
noinst_PROGRAMS += examples/consumer
examples_consumer_LDADD = libkfk.la
KFK_CHECK_DEPS += examples/consumer
noinst_PROGRAMS += examples/admin
examples_admin_LDADD = libkfk.la
KFK_CHECK_DEPS += examples/admin
