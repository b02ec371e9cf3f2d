# tests/: the framework lives in Makefile.am; helpers for tests live here.
KFK_TEST_HELPERS =
