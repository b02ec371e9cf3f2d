/*
 * client/metadata_backoff.c: spacing of early metadata refreshes (see
 * metadata_backoff.h for the rules and the bound they give).
 */
#include "config.h"

#include "client/metadata_backoff.h"

void kfk_md_backoff_init(struct kfk_md_backoff *b, int64_t min_ms,
                         int64_t max_ms)
{
	if (max_ms < 1)
		max_ms = 1;
	if (min_ms < 1)
		min_ms = 1;
	if (min_ms > max_ms)
		min_ms = max_ms;
	b->min_ms = min_ms;
	b->max_ms = max_ms;
	b->gap_ms = min_ms;
	b->next_ms = 0;
	b->any = false;
}

int64_t kfk_md_backoff_when(struct kfk_md_backoff *b, int64_t now)
{
	if (!b->any)
		return now;
	/* Quiet for a whole gap past the allowed time: a new episode. */
	if (now >= b->next_ms + b->gap_ms)
		b->gap_ms = b->min_ms;
	return now >= b->next_ms ? now : b->next_ms;
}

void kfk_md_backoff_sent(struct kfk_md_backoff *b, int64_t now)
{
	b->any = true;
	b->next_ms = now + b->gap_ms;
	b->gap_ms = b->gap_ms > b->max_ms / 2 ? b->max_ms : b->gap_ms * 2;
}
