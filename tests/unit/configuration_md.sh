#!/usr/bin/env bash
# CONFIGURATION.md is generated from the property table: the committed copy
# must be exactly what tools/gen_configuration prints now. When this fails,
# run `make regen-configuration` and commit the result.
. "$KFK_SRCDIR/tests/kt.sh"

gen=$KFK_BUILDDIR/tools/gen_configuration
doc=$KFK_SRCDIR/CONFIGURATION.md
out=$(mktemp)
trap 'rm -f "$out"' EXIT

rc=0
[ -x "$gen" ] && { "$gen" >"$out" || rc=$?; }
if [ ! -x "$gen" ]; then
	kt_not_ok "gen_configuration runs" "$gen was not built"
elif [ "$rc" -ne 0 ]; then
	kt_not_ok "gen_configuration runs" "$gen exited with status $rc"
else
	kt_ok "gen_configuration runs"
	if [ ! -s "$out" ]; then
		kt_not_ok "CONFIGURATION.md is up to date" "the generator printed nothing"
	elif d=$(diff -u "$doc" "$out"); then
		kt_ok "CONFIGURATION.md is up to date"
	else
		mapfile -t lines < <(printf '%s\n' "$d" | head -n 60)
		kt_not_ok "CONFIGURATION.md is up to date" \
			"CONFIGURATION.md is stale: run make regen-configuration" "${lines[@]}"
	fi
fi
kt_done
