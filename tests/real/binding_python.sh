#!/usr/bin/env bash
# The Python binding (bindings/python) against the real broker: builds the
# extension kfk._kfk on the suite's libkfk (sanitized: the ASan runtime is
# preloaded into Python), runs its pytest cases in a virtualenv that also
# holds confluent-kafka (the programs written for it run on both), and
# prints one TAP line per case.
. "$KFK_SRCDIR/tests/kt.sh"
. "$KFK_SRCDIR/tests/real/admin_lib.sh"
. "$KFK_SRCDIR/tests/real/binding_lib.sh"
needs_broker "the Python binding against a real Kafka"
trap 'rm -rf "$tmp"' EXIT
# confluent-kafka from PyPI, pinned: the programs' other side.
ckpy=confluent-kafka==2.6.0
venv="$KFK_BUILDDIR/tests/python-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pytest, confluent_kafka' 2>/dev/null; then
	rm -rf "$venv"
	if ! { python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check \
		pytest "$ckpy"; } >"$tmp/venv.log" 2>&1; then
		kt_not_ok "a virtualenv with pytest and $ckpy" "$(tail -n 20 "$tmp/venv.log")"
		kt_done
	fi
fi
mkdir -p "$tmp/build"
kfk_pc "$tmp/pc"
# Built out of the source tree: a copy, so nothing lands in bindings/.
cp -r "$KFK_SRCDIR/bindings/python/." "$tmp/build/"
rm -f "$tmp/build"/kfk/*.so
if ! (cd "$tmp/build" && PKG_CONFIG_PATH="$tmp/pc" "$venv/bin/python" setup.py -q \
	build_ext --inplace) >"$tmp/build.log" 2>&1; then
	kt_not_ok "the extension builds" "$(tail -n 30 "$tmp/build.log")"
	kt_done
fi
kt_ok "the extension kfk._kfk builds on libkfk through pkg-config"
if grep -q -- '-fsanitize=address' "$KFK_BUILDDIR/Makefile" 2>/dev/null; then
	export LD_PRELOAD
	LD_PRELOAD=$(gcc -print-file-name=libasan.so)
	# CPython's own allocations at exit are not leaks of ours; a small
	# quarantine keeps the memory test's RSS about the binding.
	# Last, so that they win over the suite's detect_leaks=1.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:quarantine_size_mb=16"
fi
(cd "$tmp/build/tests" && PYTHONPATH="$tmp/build" KFK_KAFKA_BOOTSTRAP="$bs" \
	timeout 900 "$venv/bin/python" -m pytest -q -p no:cacheprovider \
	--junitxml="$tmp/junit.xml" -s) >"$tmp/pytest.out" 2>&1
unset LD_PRELOAD
python3 - "$tmp/junit.xml" >"$tmp/tap" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception as e:
    sys.exit(0)
for case in root.iter("testcase"):
    name = "%s::%s" % (case.get("classname"), case.get("name"))
    bad = case.find("failure")
    if bad is None:
        bad = case.find("error")
    if case.find("skipped") is not None:
        print("skip\t%s\t%s" % (name, case.find("skipped").get("message", "")))
    elif bad is not None:
        print("fail\t%s\t%s" % (name, (bad.get("message") or "")[:300].replace("\n", " ")))
    else:
        print("pass\t%s\t" % name)
PY
n=0
while IFS=$'\t' read -r action name why; do
	n=$((n + 1))
	case $action in
	pass) kt_ok "pytest: $name" ;;
	skip) kt_skip "pytest: $name" "$why" ;;
	fail) kt_not_ok "pytest: $name" "$why" ;;
	esac
done <"$tmp/tap"
[ "$n" -gt 0 ] || kt_not_ok "pytest ran" "$(tail -n 40 "$tmp/pytest.out")"
grep -E '^after round' "$tmp/pytest.out" | sed 's/^/# /'
kt_done
