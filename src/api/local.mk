# src/api: the thin public layer.
KFK_C_TESTS += tests/unit/test_version
