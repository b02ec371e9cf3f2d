/*
 * hello: the smallest kfk program. Prints the library's version and checks
 * that the headers it was compiled with match the library it runs with.
 *
 *   cc hello.c $(pkg-config --cflags --libs kfk) -o hello
 */
#include <kfk/kfk.h>
#include <stdio.h>

int main(void)
{
	printf("kfk %s (0x%06x)\n", kfk_version_str(), kfk_version());
	if (kfk_version() != KFK_VERSION) {
		fprintf(stderr, "header/library mismatch: built with %s\n",
		        KFK_VERSION_STR);
		return 1;
	}
	return 0;
}
