# The Go binding (bindings/go): its tests run from the suite.
