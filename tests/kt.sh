# kt.sh: the shell side of the kt test framework. Source it from a test
# script; report each case with kt_ok / kt_not_ok / kt_skip, and end with
# kt_done, which sets the exit status. KFK_SRCDIR and KFK_BUILDDIR are set
# by tests/run-tests (and default to the script's tree when run by hand).
: "${KFK_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${KFK_BUILDDIR:=$KFK_SRCDIR}"
kt_n=0
kt_failed=0
kt_ok() { kt_n=$((kt_n + 1)); echo "ok $kt_n - $1"; }
kt_not_ok() {
	kt_n=$((kt_n + 1)); kt_failed=$((kt_failed + 1))
	echo "not ok $kt_n - $1"
	shift
	for line in "$@"; do echo "# $line"; done
}
kt_skip() { kt_n=$((kt_n + 1)); echo "ok $kt_n - $1 # SKIP $2"; }
# kt_check NAME CMD...: one case that passes when CMD exits 0.
kt_check() {
	local kt_name=$1 kt_out
	shift
	if kt_out=$("$@" 2>&1); then kt_ok "$kt_name"; else kt_not_ok "$kt_name" "$kt_out"; fi
}
kt_done() { echo "1..$kt_n"; [ "$kt_failed" -eq 0 ]; exit; }
