# src/util: sources and tests of this area (included by Makefile.am).
KFK_C_TESTS += tests/unit/test_varint
