/*
 * test_state: the logged state change every state machine uses
 * (util/state.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "../kt.h"
#include "util/state.h"

enum { S_A, S_B, S_C, S__COUNT };
static const char *const names[] = { "A", "B", NULL };
static const struct kfk_state_machine sm = { names, S__COUNT, KFK_DBG_BROKER,
	                                     "STATE" };

static char last[256];
static int lines;

static void capture(void *opaque, int level, const char *fac, const char *msg)
{
	(void)opaque;
	(void)level;
	snprintf(last, sizeof(last), "%s %s", fac, msg);
	lines++;
}

KT_TEST(a_change_is_logged_from_to_in_the_machines_context)
{
	struct kfk_logger lg;

	memset(&lg, 0, sizeof(lg));
	lg.cb = capture;
	lg.level = 7;
	lg.debug = KFK_DBG_BROKER;
	lines = 0;
	KT_ASSERT(kfk_state_change(&sm, &lg, "b1", S_A, S_B));
	KT_ASSERT_INT_EQ(lines, 1);
	KT_ASSERT_STR_EQ(last, "STATE b1: A -> B");
	/* No change, no line. */
	KT_ASSERT(!kfk_state_change(&sm, &lg, "b1", S_B, S_B));
	KT_ASSERT_INT_EQ(lines, 1);
	/* Another context off: the change still counts, silently. */
	lg.debug = KFK_DBG_EOS;
	KT_ASSERT(kfk_state_change(&sm, &lg, "b1", S_B, S_A));
	KT_ASSERT_INT_EQ(lines, 1);
}

KT_TEST(names_outside_the_table_are_a_question_mark)
{
	KT_ASSERT_STR_EQ(kfk_state_name(&sm, S_A), "A");
	KT_ASSERT_STR_EQ(kfk_state_name(&sm, S_C), "?"); /* NULL entry */
	KT_ASSERT_STR_EQ(kfk_state_name(&sm, -1), "?");
	KT_ASSERT_STR_EQ(kfk_state_name(&sm, S__COUNT), "?");
}
