#!/usr/bin/env bash
# `make install` puts libkfk.so, libkfk.a, the public headers and kfk.pc in
# place, and a program builds against them with pkg-config alone and runs.
. "$KFK_SRCDIR/tests/kt.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if make -C "$KFK_BUILDDIR" -s install-exec install-data DESTDIR="$tmp" >"$tmp/log" 2>&1; then
	kt_ok "make install succeeds"
else
	kt_not_ok "make install succeeds" "$(tail -n 20 "$tmp/log")"
	kt_done
fi
root="$tmp$(sed -n 's/^prefix = //p' "$KFK_BUILDDIR/Makefile")"
libdir="$tmp$(sed -n 's/^libdir = //p' "$KFK_BUILDDIR/Makefile" | sed "s|\${exec_prefix}|${root#$tmp}|")"
for f in "$libdir/libkfk.so" "$libdir/libkfk.a" "$libdir/pkgconfig/kfk.pc" \
	"$root/include/kfk/kfk.h" "$root/include/kfk/version.h" \
	"$root/include/kfk/errors.h" "$root/include/kfk/conf.h"; do
	if [ -e "$f" ]; then kt_ok "installed ${f#$root/}"
	else kt_not_ok "installed ${f#$root/}" "missing"; fi
done
if ls "$root"/include/*.h >/dev/null 2>&1 || [ -d "$root/include/src" ]; then
	kt_not_ok "no private header is installed" "$(ls "$root/include")"
else
	kt_ok "no private header is installed"
fi
# The build's sanitizer flags, so the program links with a sanitized lib.
san=$(sed -n 's/^KFK_SAN_FLAGS = //p' "$KFK_BUILDDIR/Makefile")
export PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$tmp"
if flags=$(pkg-config --cflags --libs kfk) &&
	${CC:-cc} $san "$KFK_SRCDIR/examples/hello.c" $flags -o "$tmp/hello" 2>"$tmp/cc.log"; then
	kt_ok "examples/hello.c builds with pkg-config --cflags --libs kfk"
else
	kt_not_ok "examples/hello.c builds with pkg-config --cflags --libs kfk" "$(cat "$tmp/cc.log")"
fi
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/hello" 2>&1)
if [ "${out%% (*}" = "kfk $(pkg-config --modversion kfk)" ]; then
	kt_ok "the installed library runs and reports its version"
else
	kt_not_ok "the installed library runs and reports its version" "$out"
fi
kt_done
