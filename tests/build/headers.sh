#!/usr/bin/env bash
# Every public header compiles on its own, as strict C99 and as C++.
. "$KFK_SRCDIR/tests/kt.sh"
cc=${CC:-cc}
cxx=${CXX:-c++}
inc="-I$KFK_BUILDDIR/include -I$KFK_SRCDIR/include"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in "$KFK_SRCDIR"/include/kfk/*.h "$KFK_BUILDDIR"/include/kfk/version.h; do
	[ -f "$h" ] || continue
	name=kfk/$(basename "$h")
	printf '#include <%s>\nint main(void) { return 0; }\n' "$name" >"$tmp/t.c"
	cp "$tmp/t.c" "$tmp/t.cpp"
	kt_check "$name compiles alone as C99" \
		$cc -std=c99 -Wall -Wextra -pedantic -Werror $inc -c "$tmp/t.c" -o "$tmp/t.o"
	kt_check "$name compiles alone as C++" \
		$cxx -std=c++11 -Wall -Wextra -pedantic -Werror $inc -c "$tmp/t.cpp" -o "$tmp/t.o"
done
kt_done
