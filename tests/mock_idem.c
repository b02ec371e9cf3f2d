/*
 * mock_idem: the broker's idempotence checks, added to librdkafka's mock
 * cluster for tests/mockcluster.
 *
 * librdkafka 2.0's mock checks producer ids and sequence numbers only for
 * transactional producers: it stores every batch of an idempotent producer
 * it is sent, re-sends and out-of-order batches alike. A real broker keeps,
 * per partition and producer id, the epoch and the last five batches it
 * wrote (Kafka's ProducerStateManager), and
 *   - answers a batch equal to one of those five with success and the
 *     offset it was first written at, without writing it again;
 *   - refuses a batch that does not continue the sequence with
 *     OUT_OF_ORDER_SEQUENCE_NUMBER (a higher epoch must start at
 *     sequence 0);
 *   - accepts any sequence from a producer id it has no state for on the
 *     partition (new to it, or forgotten: Kafka drops the state of a
 *     producer idle for producer.id.expiration.ms, and of one whose
 *     records left the log), as Kafka's ProducerAppendInfo does;
 *   - refuses an epoch older than the one it knows with
 *     INVALID_PRODUCER_EPOCH.
 * Without that, tests could not tell a correct idempotent producer from
 * one that re-orders or duplicates. mockcluster is linked with librdkafka's
 * static library and -Wl,--wrap=rd_kafka_mock_partition_log_append: the
 * mock's Produce handler then calls the function below, which applies
 * those rules and calls the real append for batches that pass. Batches
 * without a producer id go straight through.
 *
 * The signature is librdkafka's internal one (rdkafka_mock_int.h, 2.0.x):
 * (partition, records bytes, transactional id, out base offset). Only the
 * records' {int32 len; const void *data} head is read; the partition is
 * used as an opaque key. Everything runs on the mock cluster's one thread.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_idem.h"

/* The head of librdkafka's rd_kafkap_bytes_t. */
struct rdk_bytes {
	int32_t len;
	const void *data;
};

/* Kafka protocol error codes. */
#define ERR_OUT_OF_ORDER 45
#define ERR_INVALID_EPOCH 47
#define WINDOW 5

int __real_rd_kafka_mock_partition_log_append(void *mpart,
                                              const struct rdk_bytes *records,
                                              const void *txn_id,
                                              int64_t *base_offset);
int __wrap_rd_kafka_mock_partition_log_append(void *mpart,
                                              const struct rdk_bytes *records,
                                              const void *txn_id,
                                              int64_t *base_offset);

/* One batch the broker wrote for a producer. */
struct written {
	int32_t first_seq, last_seq;
	int64_t offset;
};

/* The state of one producer id on one partition. */
struct pstate {
	void *mpart;
	int64_t pid;
	int16_t epoch;
	struct written win[WINDOW]; /* oldest first */
	int n;
};

static struct pstate *states;
static int state_cnt, state_cap;
static atomic_long st_dups, st_ooo, st_fenced, st_written;
static atomic_bool forget_pending;
static int verbose;

void mock_idem_verbose(int on)
{
	verbose = on;
}

void mock_idem_forget(void)
{
	atomic_store(&forget_pending, true);
}

void mock_idem_stats(char *buf, size_t size)
{
	snprintf(buf, size, "written=%ld duplicates=%ld out_of_order=%ld "
	         "fenced=%ld", atomic_load(&st_written), atomic_load(&st_dups),
	         atomic_load(&st_ooo), atomic_load(&st_fenced));
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static struct pstate *state_get(void *mpart, int64_t pid)
{
	struct pstate *s;
	int i;

	for (i = 0; i < state_cnt; i++)
		if (states[i].mpart == mpart && states[i].pid == pid)
			return &states[i];
	if (state_cnt == state_cap) {
		int cap = state_cap ? state_cap * 2 : 64;
		if (!(s = realloc(states, (size_t)cap * sizeof(*s))))
			return NULL;
		states = s;
		state_cap = cap;
	}
	s = &states[state_cnt++];
	memset(s, 0, sizeof(*s));
	s->mpart = mpart;
	s->pid = pid;
	s->epoch = -1;
	return s;
}

static int32_t seq_after(int32_t last)
{
	return last == INT32_MAX ? 0 : last + 1;
}

static void remember(struct pstate *s, int32_t first, int32_t last,
                     int64_t offset)
{
	if (s->n == WINDOW) {
		memmove(&s->win[0], &s->win[1], (WINDOW - 1) * sizeof(s->win[0]));
		s->n--;
	}
	s->win[s->n].first_seq = first;
	s->win[s->n].last_seq = last;
	s->win[s->n].offset = offset;
	s->n++;
}

/* The broker's verdict on a batch: 0 to write it, an error code to refuse
 * it, or -1 for a duplicate (*dup_offset: where it was written). */
static int check(struct pstate *s, int16_t epoch, int32_t first, int32_t last,
                 int64_t *dup_offset)
{
	int i;

	if (epoch < s->epoch)
		return ERR_INVALID_EPOCH;
	if (s->epoch == -1)
		return 0; /* no state: any sequence starts it */
	if (epoch > s->epoch)
		return first == 0 ? 0 : ERR_OUT_OF_ORDER;
	for (i = 0; i < s->n; i++)
		if (s->win[i].first_seq == first && s->win[i].last_seq == last) {
			*dup_offset = s->win[i].offset;
			return -1;
		}
	return first == seq_after(s->win[s->n - 1].last_seq) ? 0
	                                                     : ERR_OUT_OF_ORDER;
}

static void note(const char *what, int64_t pid, int16_t epoch, int32_t first,
                 int32_t last)
{
	if (verbose)
		fprintf(stderr, "mock_idem: %s: pid %lld epoch %d seq %d..%d\n",
		        what, (long long)pid, epoch, first, last);
}

int __wrap_rd_kafka_mock_partition_log_append(void *mpart,
                                              const struct rdk_bytes *records,
                                              const void *txn_id,
                                              int64_t *base_offset)
{
	const uint8_t *b = records->data;
	struct pstate *s;
	int64_t pid, dup_offset = -1;
	int16_t epoch;
	int32_t first, last;
	int err;

	/* Magic 2 at 16, lastOffsetDelta at 23, producerId at 43, epoch at
	 * 51, baseSequence at 53 (the v2 batch header). */
	if (!b || records->len < 61 || b[16] != 2)
		return __real_rd_kafka_mock_partition_log_append(
			mpart, records, txn_id, base_offset);
	/* The states are this thread's: a forget asked by the command
	 * thread takes effect here, before the next batch. */
	if (atomic_exchange(&forget_pending, false))
		state_cnt = 0;
	pid = (int64_t)((uint64_t)be32(b + 43) << 32 | be32(b + 47));
	if (pid < 0 || !(s = state_get(mpart, pid)))
		return __real_rd_kafka_mock_partition_log_append(
			mpart, records, txn_id, base_offset);
	epoch = (int16_t)(b[51] << 8 | b[52]);
	first = (int32_t)be32(b + 53);
	last = (int32_t)((uint32_t)first + be32(b + 23)) & INT32_MAX;
	err = check(s, epoch, first, last, &dup_offset);
	if (err == -1) {
		atomic_fetch_add(&st_dups, 1);
		note("duplicate, not written", pid, epoch, first, last);
		*base_offset = dup_offset;
		return 0;
	}
	if (err) {
		atomic_fetch_add(err == ERR_OUT_OF_ORDER ? &st_ooo : &st_fenced,
		                 1);
		note(err == ERR_OUT_OF_ORDER ? "out of order" : "old epoch", pid,
		     epoch, first, last);
		return err;
	}
	err = __real_rd_kafka_mock_partition_log_append(mpart, records, txn_id,
	                                                base_offset);
	if (err)
		return err;
	if (epoch != s->epoch) {
		s->epoch = epoch;
		s->n = 0;
	}
	remember(s, first, last, *base_offset);
	atomic_fetch_add(&st_written, 1);
	return 0;
}
