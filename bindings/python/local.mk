# The Python binding (bindings/python): its tests run from the suite.
