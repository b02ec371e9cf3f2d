# Shell helpers of the bindings' tests (binding_go.sh, binding_python.sh);
# sourced after tests/kt.sh.

# kfk_pc DIR: writes DIR/kfk.pc for the build tree, so that a binding's
# `pkg-config kfk` finds the suite's library as it finds an installed one.
kfk_pc() {
	mkdir -p "$1"
	cat >"$1/kfk.pc" <<PC
Name: kfk
Description: kfk from its build tree
Version: 0
Libs: -L$KFK_BUILDDIR/.libs -Wl,-rpath,$KFK_BUILDDIR/.libs -lkfk
Cflags: -I$KFK_SRCDIR/include -I$KFK_BUILDDIR/include
PC
}
