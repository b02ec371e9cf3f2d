/*
 * test_sized: the size-first structs' checks and copies (util/sized.h),
 * with a "library" struct of three fields and application structs of
 * other versions.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../kt.h"
#include "util/sized.h"

struct v2 {
	size_t size;
	int64_t a;
	int64_t b; /* appended in "version 2" */
};

struct v1 {
	size_t size;
	int64_t a;
};

struct v3 {
	size_t size;
	int64_t a;
	int64_t b;
	int64_t c; /* a field this library does not know */
};

#define V2_DEFAULTS {sizeof(struct v2), 7, 8}
#define MIN (offsetof(struct v2, a) + sizeof(int64_t))

KT_TEST(sized_in_same_size_copies_everything)
{
	struct v2 lib = V2_DEFAULTS, app = {sizeof(app), 1, 2};

	KT_ASSERT_INT_EQ(kfk_sized_in(&lib, sizeof(lib), &app, MIN), 0);
	KT_ASSERT(lib.size == sizeof(lib) && lib.a == 1 && lib.b == 2);
}

/* An older program: exactly its bytes are read (heap-allocated to size,
 * so AddressSanitizer catches a read past them), new fields keep their
 * defaults. */
KT_TEST(sized_in_older_struct_keeps_defaults)
{
	struct v2 lib = V2_DEFAULTS;
	struct v1 *app = malloc(sizeof(*app));

	KT_ASSERT(app != NULL);
	app->size = sizeof(*app);
	app->a = 1;
	KT_ASSERT_INT_EQ(kfk_sized_in(&lib, sizeof(lib), app, MIN), 0);
	KT_ASSERT(lib.size == sizeof(lib) && lib.a == 1 && lib.b == 8);
	free(app);
}

KT_TEST(sized_in_newer_struct_with_unknown_fields_at_zero)
{
	struct v2 lib = V2_DEFAULTS;
	struct v3 app = {sizeof(app), 1, 2, 0};

	KT_ASSERT_INT_EQ(kfk_sized_in(&lib, sizeof(lib), &app, MIN), 0);
	KT_ASSERT(lib.size == sizeof(lib) && lib.a == 1 && lib.b == 2);
}

KT_TEST(sized_in_refuses_bad_sizes)
{
	struct v2 lib = V2_DEFAULTS;
	struct v3 app = {sizeof(app), 1, 2, 3}; /* sets an unknown field */
	size_t bad[] = {0, sizeof(size_t), MIN - 1, KFK_SIZED_MAX + 1};
	size_t i;

	KT_ASSERT_INT_EQ(kfk_sized_in(&lib, sizeof(lib), &app, MIN),
	                 KFK_ERR__INVALID_ARG);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		app.size = bad[i];
		KT_ASSERT_INT_EQ(kfk_sized_in(&lib, sizeof(lib), &app, MIN),
		                 KFK_ERR__INVALID_ARG);
	}
	KT_ASSERT(lib.a == 7 && lib.b == 8); /* untouched */
}

KT_TEST(sized_out_fills_what_both_know)
{
	KT_ASSERT_INT_EQ(kfk_sized_out(sizeof(struct v2), sizeof(struct v2),
	                               MIN, 8), sizeof(struct v2));
	KT_ASSERT_INT_EQ(kfk_sized_out(sizeof(struct v1), sizeof(struct v2),
	                               MIN, 8), sizeof(struct v1));
	KT_ASSERT_INT_EQ(kfk_sized_out(sizeof(struct v3), sizeof(struct v2),
	                               MIN, 8), sizeof(struct v2));
	KT_ASSERT_INT_EQ(kfk_sized_out(0, sizeof(struct v2), MIN, 8), 0);
	KT_ASSERT_INT_EQ(kfk_sized_out(MIN + 4, sizeof(struct v2), MIN, 8), 0);
	KT_ASSERT_INT_EQ(kfk_sized_out(KFK_SIZED_MAX + 8, sizeof(struct v2),
	                               MIN, 8), 0);
}

/* Elements of an older program's array: each gets its known fields and
 * its size, nothing is written past the array (exactly allocated). */
KT_TEST(sized_put_writes_older_elements)
{
	struct v2 lib = {sizeof(lib), 5, 6};
	struct v1 *out = malloc(2 * sizeof(*out));
	size_t fill = kfk_sized_out(sizeof(*out), sizeof(lib), MIN, 8);

	KT_ASSERT(out != NULL);
	kfk_sized_put(out, sizeof(*out), 0, &lib, fill);
	lib.a = 9;
	kfk_sized_put(out, sizeof(*out), 1, &lib, fill);
	KT_ASSERT(out[0].size == sizeof(*out) && out[0].a == 5);
	KT_ASSERT(out[1].size == sizeof(*out) && out[1].a == 9);
	free(out);
}
