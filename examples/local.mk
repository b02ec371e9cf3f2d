# examples/: small programs users copy from; built with the library.
noinst_PROGRAMS += examples/hello
examples_hello_LDADD = libkfk.la
