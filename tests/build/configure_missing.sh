#!/usr/bin/env bash
# ./configure on a machine without a required library stops and names the
# Debian package to install. The machine is simulated by a pkg-config search
# path holding every .pc file except the one of the library taken away.
. "$KFK_SRCDIR/tests/kt.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/pc"
for d in $(pkg-config --variable pc_path pkg-config | tr ':' ' '); do
	[ -d "$d" ] && cp -n "$d"/*.pc "$tmp/pc/" 2>/dev/null
done
check_missing() { # module.pc debian-package
	rm -rf "$tmp/b" "$tmp/pc2" && mkdir "$tmp/b" "$tmp/pc2"
	cp "$tmp/pc"/*.pc "$tmp/pc2/" && rm -f "$tmp/pc2/$1"
	(cd "$tmp/b" && PKG_CONFIG_LIBDIR="$tmp/pc2" PKG_CONFIG_PATH= \
		"$KFK_SRCDIR/configure" -q >out 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -q "install the Debian package $2" "$tmp/b/out"; then
		kt_ok "configure without $1 stops and names $2"
	else
		kt_not_ok "configure without $1 stops and names $2" "exit $rc" "$(tail -n 3 "$tmp/b/out")"
	fi
}
check_missing libzstd.pc libzstd-dev
check_missing snappy.pc libsnappy-dev
kt_done
