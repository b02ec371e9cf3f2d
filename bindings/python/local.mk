# The Python binding (bindings/python): its pytest cases run from the
# suite, against the real broker.
KFK_SCRIPT_TESTS += tests/real/binding_python.sh
EXTRA_DIST += bindings/python
