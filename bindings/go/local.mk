# The Go binding (bindings/go): its go test cases and the course programs'
# checks run from the suite, against the real broker.
KFK_SCRIPT_TESTS += tests/real/binding_go.sh
EXTRA_DIST += bindings/go
EXTRA_DIST += tests/real/binding_lib.sh
