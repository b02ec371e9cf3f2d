#!/usr/bin/env bash
# The committed generated files are current: tools/regen.sh, run from
# ../shared into a scratch directory, writes the same bytes as the files in
# the source tree (one case per generated file). Also checks, from the
# committed files alone, that docs/ERRORS.md lists every error code.
# (tests/build/headers.sh compiles the header alone as C99 and C++.)
. "${KFK_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/kt.sh"

src=$KFK_SRCDIR
shared=$src/../shared

# Every generated file in the scratch tree against its committed twin.
compare_tree() {
	local tmp=$1 f files
	files=$(cd "$tmp" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
	if [ -z "$files" ]; then
		kt_not_ok "regen: wrote at least one file" "nothing in $tmp"
		return
	fi
	for f in $files; do
		if [ ! -f "$src/$f" ]; then
			kt_not_ok "regen: $f is current" "$f is generated but not committed"
		elif out=$(diff -u "$src/$f" "$tmp/$f" 2>&1); then
			kt_ok "regen: $f is current"
		else
			kt_not_ok "regen: $f is current" \
				"differs from what make regen writes (run make regen):" \
				"$(printf '%s\n' "$out" | head -n 40 | sed '2,$s/^/# /')"
		fi
	done
}

regen_cases() {
	local tmp out
	if [ ! -d "$shared/kafka-protocol" ]; then
		kt_skip "regen: generated files are current" \
			"no ../shared/kafka-protocol beside the source tree"
		return
	fi
	tmp=$(mktemp -d -t kfk-regen.XXXXXX)
	if out=$(bash "$src/tools/regen.sh" "$shared" "$tmp" 2>&1); then
		kt_ok "regen: tools/regen.sh runs"
	else
		kt_not_ok "regen: tools/regen.sh runs" "$out"
	fi
	# Whatever it wrote before any failure is still compared.
	compare_tree "$tmp"
	rm -rf "$tmp"
}

# docs/ERRORS.md must name every enumerator of the header (style guide:
# one doc table of every code, kept complete by a test).
doc_case() {
	local name n=0 missing=""
	if [ ! -f "$src/docs/ERRORS.md" ]; then
		kt_not_ok "errors: docs/ERRORS.md lists every code" "docs/ERRORS.md is missing"
		return
	fi
	for name in $(grep -oE '^	KFK_ERR_[A-Z0-9_]+ =' "$src/include/kfk/errors.h" |
		tr -d '\t =' | LC_ALL=C sort -u); do
		n=$((n + 1))
		grep -q "| \`$name\` |" "$src/docs/ERRORS.md" || missing="$missing $name"
	done
	if [ "$n" -lt 2 ]; then
		kt_not_ok "errors: docs/ERRORS.md lists every code" \
			"found only $n enumerators in include/kfk/errors.h"
	elif [ -n "$missing" ]; then
		kt_not_ok "errors: docs/ERRORS.md lists every code" "missing:$missing"
	else
		kt_ok "errors: docs/ERRORS.md lists all $n codes"
	fi
}

regen_cases
doc_case
kt_done
