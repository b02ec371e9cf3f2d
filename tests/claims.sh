#!/usr/bin/env bash
# What the project says of itself stays true:
#  - every library kfk.pc makes static users link (Libs.private) is one
#    libkfk.so needs (a NEEDED entry), and the other way round; every
#    library configure requires is linked by libkfk.so or the kfk tool;
#  - every debug context the `debug` property offers is logged by some
#    code (KFK_DBG_<NAME> used outside the table and log.h);
#  - the README's status line does not promise as coming what works.
. "$KFK_SRCDIR/tests/kt.sh"
lib="$KFK_BUILDDIR/.libs/libkfk.so"
pc="$KFK_BUILDDIR/kfk.pc"

needed=$(readelf -d "$lib" | sed -n 's/.*Shared library: \[lib\([^.]*\)\.so.*/\1/p' | sort -u)
for l in $(sed -n 's/^Libs.private://p' "$pc" | tr ' ' '\n' | sed -n 's/^-l//p' | sort -u); do
	case $l in pthread | m | dl | rt) continue ;; esac
	kt_check "kfk.pc's -l$l is a library libkfk.so needs" \
		grep -qx "$l" <<<"$needed"
done
for l in $needed; do
	case $l in c | pthread | m | dl | rt | asan | ubsan | tsan | stdc++ | gcc_s) continue ;; esac
	kt_check "libkfk.so's lib$l is listed in kfk.pc" \
		grep -q -- "-l$l\b" "$pc"
done

# configure requires a library because code uses it: the library or the
# kfk tool links it (NEEDED).
tool="$KFK_BUILDDIR/tools/.libs/kfk"
[ -f "$tool" ] || tool="$KFK_BUILDDIR/tools/kfk"
used="$needed
$(readelf -d "$tool" | sed -n 's/.*Shared library: \[lib\([^.]*\)\.so.*/\1/p')"
for mod in $(sed -n 's/^KFK_REQUIRE(\[[A-Z0-9]*\], \[\([^]]*\)\].*/\1/p' "$KFK_SRCDIR/configure.ac"); do
	for l in $(pkg-config --libs-only-l "$mod" | tr ' ' '\n' | sed -n 's/^-l//p'); do
		kt_check "configure requires $mod (-l$l): libkfk.so or kfk links it" \
			grep -qx "$l" <<<"$used"
	done
done

contexts=$(sed -n '/debug_contexts\[\] = {/,/NULL, 0/p' "$KFK_SRCDIR/src/client/props.c" |
	sed -n 's/.*{"\([a-z]*\)", KFK_DBG_\([A-Z]*\)}.*/\1 \2/p')
[ -n "$contexts" ] || kt_not_ok "the debug contexts are found in props.c"
while read -r name sym; do
	[ "$name" = all ] && continue
	uses=$(grep -rl "KFK_DBG_$sym\b" "$KFK_SRCDIR/src" |
		grep -v -e 'src/util/log.h' -e 'src/client/props.c' | wc -l)
	kt_check "debug context '$name' is logged by some code" test "$uses" -gt 0
done <<<"$contexts"

kt_check "the README's status line does not call TLS/SASL or idempotence future work" \
	bash -c '! sed -n "/Status:/,/^$/p" "$1" | grep -qi -e "TLS" -e "SASL" -e "idempoten"' _ "$KFK_SRCDIR/README.md"
kt_done
