#!/usr/bin/env bash
# libkfk.so exports exactly the functions the public headers declare with
# KFK_API: nothing internal leaks, nothing declared is missing.
. "$KFK_SRCDIR/tests/kt.sh"
so="$KFK_BUILDDIR/.libs/libkfk.so"
if [ ! -f "$so" ]; then
	kt_not_ok "libkfk.so was built" "missing: $so"
	kt_done
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' |
	sed 's/@.*//' | sort -u >"$tmp/exported"
# Declarations: KFK_API <type> [*]name(
# The installed headers are the public API (a header still being written is
# in include/kfk/ but not yet installed).
headers=$(make -s --no-print-directory -C "$KFK_BUILDDIR" print-public-headers)
for h in $headers; do
	if [ -f "$KFK_BUILDDIR/$h" ]; then cat "$KFK_BUILDDIR/$h"; else cat "$KFK_SRCDIR/$h"; fi
done | grep -v "^#" |
	tr '\n' ' ' | grep -oE 'KFK_API[^;(]*\(' |
	sed -E 's/\($//; s/.*[ *]//' | sort -u >"$tmp/declared"
leaked=$(grep -v '^kfk_' "$tmp/exported")
if [ -z "$leaked" ]; then kt_ok "only kfk_* symbols are exported"
else kt_not_ok "only kfk_* symbols are exported" "leaked: $(echo $leaked)"; fi
extra=$(comm -23 "$tmp/exported" "$tmp/declared")
if [ -z "$extra" ]; then kt_ok "every exported symbol is declared in a public header"
else kt_not_ok "every exported symbol is declared in a public header" "undeclared: $(echo $extra)"; fi
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
if [ -z "$missing" ]; then kt_ok "every KFK_API declaration is exported"
else kt_not_ok "every KFK_API declaration is exported" "missing: $(echo $missing)"; fi
n=$(wc -l <"$tmp/exported")
if [ "$n" -gt 0 ]; then kt_ok "libkfk.so exports $n symbols"
else kt_not_ok "libkfk.so exports symbols" "none exported"; fi
kt_done
