/*
 * tests/fuzz/fuzz_fetch_decode.c: the consumer's record-set decoder
 * (consumer/fetch_decode.h), one partition's fetched records into a set of
 * messages, with the real decompressors.
 *
 * The input is laid out as fuzz_fetch.h says: check.crcs, a fetch position
 * and an aborted-transactions list, then the record set. It is decoded
 * twice, read_uncommitted and read_committed, each into a set of a real
 * partition and memory bound, as the fetcher does (decode, trim, charge).
 * For each set: messages come in increasing offsets, from the fetch
 * position on and below the position decoding ends at, which never goes
 * back; their keys, values and headers are views into the record set or
 * into a decompressed buffer the set owns; kfk_message_header finds every
 * header below the count and none past it; discarding the set frees it all
 * and gives its bytes back to the memory bound. Between the two:
 * read_committed only hides messages (none when the aborted list is
 * empty), fails only where read_uncommitted fails, and ends at the same
 * position.
 */
#include "config.h"

#include <malloc.h>
#include <string.h>

#include <kfk/errors.h>

#include "consumer/fetch_decode.h"
#include "fuzz_common.h"
#include "fuzz_fetch.h"
#include "proto/record_batch.h"

/* cpart.c's kfk_cpart_move calls the fetcher; linking fetcher.c would
 * bring in the whole consumer, client and network layers for a function
 * this target never reaches. */
void kfk_fetcher_forget(struct kfk_consumer *c, struct kfk_cpart *p)
{
	(void)c;
	(void)p;
	abort();
}

/* One decoding of the input. */
struct run {
	struct kfk_fd_in in;
	struct kfk_fd_out out;
	struct kfk_fd_aborted aborted[FUZZ_FETCH_ABORTED_MAX];
};

static void run_init(struct run *r, const uint8_t *data, size_t size,
                     int8_t isolation)
{
	memset(r, 0, sizeof(*r));
	r->in.records = data + FUZZ_FETCH_PREFIX;
	r->in.records_len = size - FUZZ_FETCH_PREFIX;
	r->in.fetch_pos = (int64_t)kfk_rb_get64(data + FUZZ_FETCH_POS);
	r->in.last_epoch = 7;
	r->in.isolation = isolation;
	r->in.check_crcs = data[0] & 1;
	r->in.max_decompressed = FUZZ_MAX_OUT;
	r->in.aborted_cnt = ((data[0] >> 1) & 7) % (FUZZ_FETCH_ABORTED_MAX + 1);
	r->in.aborted = r->aborted;
	for (int i = 0; i < r->in.aborted_cnt; i++) {
		const uint8_t *p = data + FUZZ_FETCH_ABORTED + 16 * i;

		r->aborted[i].producer_id = (int64_t)kfk_rb_get64(p);
		r->aborted[i].first_offset = (int64_t)kfk_rb_get64(p + 8);
	}
}

/* Whether [p, p+len) lies in the record set or in one of the set's
 * decompressed buffers. Under AddressSanitizer malloc_usable_size() is
 * exactly the size allocated, so it bounds an owned buffer. */
static int in_set(const struct run *r, const void *p, size_t len)
{
	const struct kfk_fset *s = r->out.set;

	if (len == 0)
		return 1;
	if (fuzz_within(p, len, r->in.records, r->in.records_len))
		return 1;
	for (int i = 0; i < s->owned_cnt; i++)
		if (fuzz_within(p, len, s->owned[i],
		                malloc_usable_size(s->owned[i])))
			return 1;
	return 0;
}

/* A view handed to the application: inside the set, and readable. */
static void check_view(const struct run *r, const void *p, size_t len)
{
	FUZZ_CHECK(in_set(r, p, len));
	fuzz_touch(p, (int64_t)len);
}

static void check_header(const struct run *r, const struct kfk_message *m,
                         size_t i)
{
	const char *key = NULL;
	const void *value = NULL;
	size_t key_len = 0, value_len = 0;

	FUZZ_CHECK(kfk_message_header(m, i, &key, &key_len, &value,
	                              &value_len) == KFK_ERR_NONE);
	FUZZ_CHECK(key != NULL);
	FUZZ_CHECK(value != NULL || value_len == 0);
	check_view(r, key, key_len);
	check_view(r, value, value_len);
}

/* Every header by index (the first 64 and the last: each lookup walks
 * from the first), then none past the count. */
static void check_headers(const struct run *r, const struct kfk_message *m)
{
	size_t n = kfk_message_header_count(m), i;
	const char *key;
	const void *value;
	size_t key_len, value_len;

	FUZZ_CHECK(m->header_count >= 0 && n == (size_t)m->header_count);
	for (i = 0; i < n && i < 64; i++)
		check_header(r, m, i);
	if (n > 64)
		check_header(r, m, n - 1);
	FUZZ_CHECK(kfk_message_header(m, n, &key, &key_len, &value,
	                              &value_len) == KFK_ERR__NOENT);
}

static void check_message(const struct run *r, const struct kfk_message *m,
                          int64_t prev)
{
	enum kfk_timestamp_type tt;
	size_t key_len, value_len;
	const void *key = kfk_message_key(m, &key_len);
	const void *value = kfk_message_value(m, &value_len);

	FUZZ_CHECK(m->set == r->out.set && kfk_message_err(m) == KFK_ERR_NONE);
	FUZZ_CHECK(kfk_message_partition(m) == 3);
	FUZZ_CHECK(strcmp(kfk_message_topic(m), "fuzz") == 0);
	/* Delivered once, in order: never before the fetch position, never
	 * at or past where the next fetch starts. */
	FUZZ_CHECK(m->offset >= r->in.fetch_pos && m->offset > prev);
	FUZZ_CHECK(m->offset < r->out.next_pos);
	FUZZ_CHECK(m->key_len >= -1 && m->value_len >= -1);
	FUZZ_CHECK((key == NULL) == (m->key_len < 0));
	FUZZ_CHECK((value == NULL) == (m->value_len < 0));
	check_view(r, key, key_len);
	check_view(r, value, value_len);
	kfk_message_timestamp(m, &tt);
	FUZZ_CHECK(tt == KFK_TIMESTAMP_NONE || tt == KFK_TIMESTAMP_CREATE_TIME ||
	           tt == KFK_TIMESTAMP_LOG_APPEND_TIME);
	check_headers(r, m);
}

static void check_set(const struct run *r)
{
	const struct kfk_fd_out *o = &r->out;
	int64_t prev = INT64_MIN;

	FUZZ_CHECK(o->err == KFK_ERR_NONE || o->err == KFK_ERR__MALFORMED ||
	           o->err == KFK_ERR__CRC || o->err == KFK_ERR__DECOMPRESS ||
	           o->err == KFK_ERR__UNSUPPORTED_FEATURE ||
	           o->err == KFK_ERR__NO_MEMORY);
	FUZZ_CHECK(!(o->err && o->batch_too_large));
	FUZZ_CHECK(o->next_pos >= r->in.fetch_pos);
	if (!r->in.check_crcs)
		FUZZ_CHECK(o->err != KFK_ERR__CRC);
	FUZZ_CHECK(o->set->cnt >= 0 && o->set->cnt <= o->set->cap);
	for (int32_t i = 0; i < o->set->cnt; i++) {
		check_message(r, &o->set->msgs[i], prev);
		prev = o->set->msgs[i].offset;
	}
}

/* Decodes the input into r->out.set as the fetcher does, and checks it. */
static void decode(struct run *r, struct kfk_cmem *mem, struct kfk_cpart *p)
{
	r->out.set = kfk_fset_new(mem, p, 1, 64);
	FUZZ_CHECK(r->out.set != NULL);
	kfk_fetch_decode(&r->in, &r->out);
	kfk_fset_trim(r->out.set);
	check_set(r);
	kfk_fset_charge(r->out.set, (int64_t)r->in.records_len);
}

/* read_committed hides the messages of aborted transactions and nothing
 * else: its messages are a subsequence of read_uncommitted's. */
static void compare(const struct run *all, const struct run *committed)
{
	const struct kfk_fset *a = all->out.set, *c = committed->out.set;
	int32_t j = 0;

	if (all->out.err)
		return;
	FUZZ_CHECK(committed->out.err == KFK_ERR_NONE);
	FUZZ_CHECK(committed->out.next_pos == all->out.next_pos);
	FUZZ_CHECK(committed->out.last_epoch == all->out.last_epoch);
	for (int32_t i = 0; i < c->cnt; i++, j++) {
		while (j < a->cnt && a->msgs[j].offset != c->msgs[i].offset)
			j++;
		FUZZ_CHECK(j < a->cnt);
		FUZZ_CHECK(a->msgs[j].key_len == c->msgs[i].key_len &&
		           a->msgs[j].value_len == c->msgs[i].value_len &&
		           a->msgs[j].header_count == c->msgs[i].header_count);
	}
	if (committed->in.aborted_cnt == 0)
		FUZZ_CHECK(c->cnt == a->cnt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kfk_cmem *mem;
	struct kfk_cpart *p;
	struct run all, committed;

	if (size < FUZZ_FETCH_PREFIX)
		return 0;
	mem = kfk_cmem_new(1 << 30);
	p = kfk_cpart_new("fuzz", 3);
	FUZZ_CHECK(mem != NULL && p != NULL);
	run_init(&all, data, size, 0);
	run_init(&committed, data, size, 1);
	decode(&all, mem, p);
	decode(&committed, mem, p);
	compare(&all, &committed);
	kfk_fset_discard(all.out.set);
	kfk_fset_discard(committed.out.set);
	/* Every byte charged came back with the sets. */
	FUZZ_CHECK(atomic_load(&mem->held) == 0);
	kfk_cpart_unref(p);
	kfk_cmem_unref(mem);
	return 0;
}
