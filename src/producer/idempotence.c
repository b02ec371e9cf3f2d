/*
 * The idempotent producer's sequences (idempotence.h): per-partition
 * sequence numbers under the producer id and epoch of producer/pid.h, and
 * what each idempotence error means.
 */
#include "config.h"
#include "producer/idempotence.h"

#include "producer/sender.h"

/* Sequence numbers wrap from INT32_MAX to 0 (as the broker expects). */
static int32_t seq_add(int32_t seq, int32_t n)
{
	return (int32_t)(((int64_t)seq + n) & INT32_MAX);
}

static int32_t seq_end(const struct kfk_pbatch *b)
{
	return seq_add(b->base_seq, kfk_pbatch_count(b));
}

/* ------------------------------------------------------------------ */
/* Sequences                                                           */
/* ------------------------------------------------------------------ */

bool kfk_idem_sendable(struct kfk_sender *s, struct kfk_ppart *pp,
                       struct kfk_pbatch *b)
{
	const struct kfk_pid_mgr *idem = &s->pid;
	int32_t seq;

	if (idem->state != KFK_PID_READY)
		return false;
	if (pp->in_flight == 0)
		return true;
	if (pp->in_flight >= KFK_IDEM_MAX_IN_FLIGHT)
		return false;
	/* Until the broker acknowledged a batch of pp under this epoch it
	 * may have no state for us there, and then it takes any sequence:
	 * a second batch could be written while the first is refused
	 * (NOT_LEADER_OR_FOLLOWER on a topic just created), leaving a gap
	 * nothing fills. One at a time until then. */
	if (pp->idem_gen != idem->gen || !pp->seq_known)
		return false;
	/* Something is out (so pp's numbering is the current one): only
	 * the batch that continues it may follow. */
	seq = b->idem_gen == idem->gen ? b->base_seq : pp->seq_next;
	return seq == pp->seq_sent;
}

static void part_reset(struct kfk_sender *s, struct kfk_ppart *pp)
{
	const struct kfk_pid_mgr *idem = &s->pid;

	kfk_dbg(s->log, KFK_DBG_EOS, "SEQ",
	        "%s [%d]: sequences start at 0 under producer id %lld epoch %d "
	        "(were: next %d, acknowledged up to %d)", pp->topic->name,
	        (int)pp->id, (long long)idem->pid, (int)idem->epoch,
	        (int)pp->seq_next, (int)pp->seq_acked);
	pp->idem_gen = idem->gen;
	pp->seq_next = pp->seq_sent = pp->seq_acked = 0;
	pp->seq_known = false;
}

void kfk_idem_assign(struct kfk_sender *s, struct kfk_ppart *pp,
                     struct kfk_pbatch *b)
{
	const struct kfk_pid_mgr *idem = &s->pid;

	if (pp->idem_gen != idem->gen)
		part_reset(s, pp);
	if (b->idem_gen != idem->gen) {
		if (b->idem_gen)
			kfk_dbg(s->log, KFK_DBG_EOS, "SEQ",
			        "%s [%d]: batch of %d records re-numbered "
			        "%d -> %d under epoch %d", pp->topic->name,
			        (int)pp->id, (int)kfk_pbatch_count(b),
			        (int)b->base_seq, (int)pp->seq_next,
			        (int)idem->epoch);
		b->pid = idem->pid;
		b->epoch = idem->epoch;
		b->base_seq = pp->seq_next;
		b->idem_gen = idem->gen;
		pp->seq_next = seq_end(b);
	}
	pp->seq_sent = seq_end(b);
	kfk_dbg(s->log, KFK_DBG_EOS, "SEQ",
	        "%s [%d]: sending sequence %d..%d (attempt %d) under producer "
	        "id %lld epoch %d; acknowledged up to %d, %d in flight",
	        pp->topic->name, (int)pp->id, (int)b->base_seq,
	        (int)seq_end(b) - 1, (int)b->attempts + 1, (long long)b->pid,
	        (int)b->epoch, (int)pp->seq_acked, (int)pp->in_flight);
}

void kfk_idem_batch_failed(struct kfk_sender *s, struct kfk_pbatch *b,
                           kfk_err err)
{
	const struct kfk_pid_mgr *idem = &s->pid;

	if (idem->state == KFK_PID_OFF || !b->idem_gen ||
	    b->idem_gen != idem->gen)
		return;
	kfk_pid_want_bump(&s->pid, err,
	                  "%s [%d]: sequence %d..%d sent, then failed with %s",
	                  b->part->topic->name, (int)b->part->id,
	                  (int)b->base_seq, (int)seq_end(b) - 1,
	                  kfk_err_name(err));
}

/* The broker has b's records (written now or earlier). */
static void acknowledged(struct kfk_sender *s, struct kfk_pbatch *b)
{
	if (b->idem_gen == s->pid.gen) {
		b->part->seq_acked = seq_end(b);
		b->part->seq_known = true;
	}
}

/* Whether sequence seq lies before the partition's acknowledged end:
 * (seq_acked - seq) mod 2^31 in (0, 2^30), wrapping as sequences do. */
static bool before_acked(const struct kfk_ppart *pp, int32_t seq)
{
	int32_t d = (int32_t)(((int64_t)pp->seq_acked - seq) & INT32_MAX);

	return d > 0 && d < (1 << 30);
}

/* OUT_OF_ORDER_SEQUENCE_NUMBER: a gap before b on the broker. */
static void out_of_order(struct kfk_sender *s, struct kfk_pbatch *b,
                         int64_t now)
{
	struct kfk_ppart *pp = b->part;

	if (b->idem_gen == s->pid.gen && b->base_seq == pp->seq_acked)
		/* Everything before b was acknowledged, yet the broker
		 * misses something: its state and ours differ for good. */
		kfk_pid_want_bump(&s->pid, KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
		                  "%s [%d]: OUT_OF_ORDER_SEQUENCE_NUMBER for "
		                  "sequence %d, the next the broker should "
		                  "expect", pp->topic->name, (int)pp->id,
		                  (int)b->base_seq);
	else if (b->idem_gen == s->pid.gen && before_acked(pp, b->base_seq))
		/* Later batches were acknowledged without b: a broker that
		 * had forgotten us took them at any sequence, and will never
		 * take b's now. Under a new epoch b goes from 0, after them:
		 * out of order, rather than never. */
		kfk_pid_want_bump(&s->pid, KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
		                  "%s [%d]: OUT_OF_ORDER_SEQUENCE_NUMBER for "
		                  "sequence %d, after the broker acknowledged up "
		                  "to %d without it", pp->topic->name,
		                  (int)pp->id, (int)b->base_seq,
		                  (int)pp->seq_acked);
	else
		/* An earlier batch is not through yet (retrying, or in
		 * flight elsewhere): b goes again after it. */
		kfk_dbg(s->log, KFK_DBG_EOS, "SEQ",
		        "%s [%d]: sequence %d out of order while %d is not "
		        "acknowledged yet: retrying in order", pp->topic->name,
		        (int)pp->id, (int)b->base_seq, (int)pp->seq_acked);
	kfk_sender_retry(s, b, KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, now);
}

bool kfk_idem_outcome(struct kfk_sender *s, struct kfk_pbatch *b, int64_t now)
{
	struct kfk_ppart *pp = b->part;
	kfk_err err = b->res_err;

	if (err == KFK_ERR_DUPLICATE_SEQUENCE_NUMBER) {
		/* The broker already has it: an earlier attempt got
		 * through. A success, offset unknown unless given. */
		kfk_dbg(s->log, KFK_DBG_EOS, "SEQ",
		        "%s [%d]: sequence %d is a duplicate: delivered before",
		        pp->topic->name, (int)pp->id, (int)b->base_seq);
		b->res_err = err = KFK_ERR_NONE;
	}
	if (!err) {
		acknowledged(s, b);
		return false;
	}
	if (s->pid.state == KFK_PID_FATAL) {
		kfk_accum_report(s->acc, b, KFK_ERR__FATAL, -1, -1);
		return true;
	}
	switch (err) {
	case KFK_ERR_PRODUCER_FENCED:
	case KFK_ERR_INVALID_PRODUCER_EPOCH:
	case KFK_ERR_CLUSTER_AUTHORIZATION_FAILED:
	case KFK_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
		kfk_pid_set_fatal(&s->pid, err,
		                  "%s [%d]: %s for producer id %lld epoch %d",
		                  pp->topic->name, (int)pp->id, kfk_err_name(err),
		                  (long long)b->pid, (int)b->epoch);
		kfk_accum_report(s->acc, b, err, -1, -1);
		return true;
	case KFK_ERR_UNKNOWN_PRODUCER_ID:
		/* The broker lost this producer's state (its records left
		 * the log): the batch was refused, so it can go again under
		 * a new epoch, numbered from 0. */
		kfk_pid_want_bump(&s->pid, err,
		                  "%s [%d]: UNKNOWN_PRODUCER_ID for sequence %d",
		                  pp->topic->name, (int)pp->id, (int)b->base_seq);
		kfk_sender_retry(s, b, err, now);
		return true;
	case KFK_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
		out_of_order(s, b, now);
		return true;
	default:
		return false;
	}
}
