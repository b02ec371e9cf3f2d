# src/net: sources and tests of this area (included by Makefile.am).
