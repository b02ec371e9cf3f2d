/*
 * client/client_registry.c: the client's brokers: the bootstrap ones from
 * bootstrap.servers, then the ones metadata names (learned), by node id.
 *
 * Bootstrap brokers are destroyed as soon as the first Metadata response
 * names the cluster's brokers, as the Java client drops its bootstrap
 * nodes. Keeping them idle would cost a second connection (and a pool
 * slot) per broker for nothing: every bootstrap address is also a learned
 * broker, under its real node id, and requests must go to brokers by id.
 * A response always names at least one broker (an empty one is rejected
 * as malformed), so the learned set never becomes empty again; a client
 * whose every learned broker is gone for good does not re-bootstrap
 * (Java's metadata.recovery.strategy=rebootstrap is not implemented).
 *
 * Only the control loop changes the registry; any thread reads it under
 * reg.lock. Brokers are created and destroyed outside the lock.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"

kfk_err kfk_reg_init(struct kfk_client *c, const struct kfk_addr_list *addrs)
{
	struct kfk_registry *r = &c->reg;
	int i;

	r->boot = calloc((size_t)addrs->n, sizeof(*r->boot));
	if (!r->boot)
		return KFK_ERR__NO_MEMORY;
	for (i = 0; i < addrs->n; i++) {
		struct kfk_broker *b = kfk_broker_new(&c->bcfg, -(i + 1),
		                                      addrs->v[i].host,
		                                      addrs->v[i].port);
		if (!b)
			return KFK_ERR__NO_MEMORY;
		r->boot[r->boot_cnt++] = b;
	}
	return KFK_ERR_NONE;
}

/* ------------------------------------------------------------------ */
/* Following metadata                                                  */
/* ------------------------------------------------------------------ */

/* What an update must do once the new table is in place. */
struct reg_changes {
	struct kfk_broker **gone; /* to destroy */
	int gone_cnt;
	struct kfk_reg_entry **moved; /* entries whose address changed */
	int moved_cnt;
};

/* The entry for metadata broker mb: the old one (moved over, its address
 * updated if it changed) or a new broker. Returns 0 when a new broker
 * could not be created (it will be on the next update). */
static int reg_entry_for(struct kfk_client *c, struct kfk_reg_entry *d,
                         struct kfk_reg_entry *old,
                         const struct kfk_md_broker *mb,
                         struct reg_changes *ch)
{
	if (old) {
		*d = *old;
		if (d->port != mb->port || strcmp(d->host, mb->host) != 0) {
			char *h = strdup(mb->host);
			if (h) {
				free(d->host);
				d->host = h;
				d->port = mb->port;
				ch->moved[ch->moved_cnt++] = d;
			}
		}
		return 1;
	}
	d->id = mb->id;
	d->port = mb->port;
	d->host = strdup(mb->host);
	d->b = d->host ? kfk_broker_new(&c->bcfg, mb->id, mb->host, mb->port)
	               : NULL;
	if (!d->b) {
		free(d->host);
		return 0;
	}
	kfk_dbg(&c->log, KFK_DBG_METADATA | KFK_DBG_BROKER, "METADATA",
	        "new broker %d at %s:%d", mb->id, mb->host, (int)mb->port);
	return 1;
}

static void reg_drop(struct kfk_client *c, struct kfk_reg_entry *e,
                     struct reg_changes *ch)
{
	kfk_dbg(&c->log, KFK_DBG_METADATA | KFK_DBG_BROKER, "METADATA",
	        "broker %d (%s:%d) is no longer in the cluster", e->id, e->host,
	        e->port);
	ch->gone[ch->gone_cnt++] = e->b;
	for (int p = 0; p < KFK_CONN__COUNT; p++)
		if (e->purpose[p])
			ch->gone[ch->gone_cnt++] = e->purpose[p];
	free(e->host);
}

/* Builds the new learned table by walking the old one and md's brokers,
 * both sorted by id. Control loop: the only writer, so reading the old
 * table needs no lock. */
static int reg_merge(struct kfk_client *c, const struct kfk_metadata *md,
                     struct kfk_reg_entry *nv, struct reg_changes *ch)
{
	struct kfk_registry *r = &c->reg;
	int i = 0, j = 0, n = 0;

	while (i < r->learned_cnt || j < md->broker_cnt) {
		struct kfk_reg_entry *o = i < r->learned_cnt ? &r->learned[i] : NULL;
		const struct kfk_md_broker *mb =
			j < md->broker_cnt ? &md->brokers[j] : NULL;
		if (o && (!mb || o->id < mb->id)) {
			reg_drop(c, o, ch);
			i++;
		} else if (!o || mb->id < o->id) {
			n += reg_entry_for(c, &nv[n], NULL, mb, ch);
			j++;
		} else {
			n += reg_entry_for(c, &nv[n], o, mb, ch);
			i++;
			j++;
		}
	}
	return n;
}

static void reg_apply(struct kfk_client *c, const struct reg_changes *ch)
{
	int i;

	for (i = 0; i < ch->moved_cnt; i++) {
		struct kfk_reg_entry *e = ch->moved[i];
		kfk_log(&c->log, KFK_LOG_INFO, "METADATA",
		        "broker %d moved to %s:%d", e->id, e->host, e->port);
		kfk_broker_set_address(e->b, e->host, e->port);
		for (int p = 0; p < KFK_CONN__COUNT; p++)
			if (e->purpose[p])
				kfk_broker_set_address(e->purpose[p], e->host,
				                       e->port);
	}
	for (i = 0; i < ch->gone_cnt; i++)
		kfk_broker_destroy(ch->gone[i], false);
}

void kfk_reg_update(struct kfk_client *c, const struct kfk_metadata *md)
{
	struct kfk_registry *r = &c->reg;
	size_t most = (size_t)r->learned_cnt * KFK_CONN__COUNT +
	              (size_t)r->boot_cnt;
	struct reg_changes ch = { 0 };
	struct kfk_reg_entry *nv, *ov;
	struct kfk_broker **boot = NULL;
	int n, boot_cnt = 0;

	nv = calloc((size_t)md->broker_cnt + 1, sizeof(*nv));
	ch.gone = calloc(most + 1, sizeof(*ch.gone));
	ch.moved = calloc((size_t)md->broker_cnt + 1, sizeof(*ch.moved));
	if (!nv || !ch.gone || !ch.moved)
		goto out; /* the next response tries again */
	/* Under the lock: kfk_client_broker_for() adds to entries. */
	pthread_mutex_lock(&r->lock);
	n = reg_merge(c, md, nv, &ch);
	ov = r->learned;
	r->learned = nv;
	r->learned_cnt = n;
	if (n > 0 && r->boot_cnt > 0) {
		boot = r->boot;
		boot_cnt = r->boot_cnt;
		r->boot = NULL;
		r->boot_cnt = 0;
	}
	pthread_mutex_unlock(&r->lock);
	nv = ov;

	if (boot_cnt)
		kfk_dbg(&c->log, KFK_DBG_METADATA | KFK_DBG_BROKER, "METADATA",
		        "%d brokers learned: dropping the %d bootstrap brokers",
		        n, boot_cnt);
	for (int i = 0; i < boot_cnt; i++)
		ch.gone[ch.gone_cnt++] = boot[i];
	free(boot);
	reg_apply(c, &ch);
out:
	free(nv);
	free(ch.gone);
	free(ch.moved);
}

void kfk_reg_shutdown(struct kfk_client *c)
{
	struct kfk_registry *r = &c->reg;
	struct kfk_reg_entry *learned;
	struct kfk_broker **boot;
	int i, nl, nb;

	pthread_mutex_lock(&r->lock);
	learned = r->learned;
	nl = r->learned_cnt;
	boot = r->boot;
	nb = r->boot_cnt;
	r->learned = NULL;
	r->boot = NULL;
	r->learned_cnt = r->boot_cnt = 0;
	pthread_mutex_unlock(&r->lock);

	for (i = 0; i < nl; i++) {
		kfk_broker_destroy(learned[i].b, true);
		for (int p = 0; p < KFK_CONN__COUNT; p++)
			if (learned[i].purpose[p])
				kfk_broker_destroy(learned[i].purpose[p], true);
		free(learned[i].host);
	}
	for (i = 0; i < nb; i++)
		kfk_broker_destroy(boot[i], true);
	free(learned);
	free(boot);
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */
/* ------------------------------------------------------------------ */

static struct kfk_broker *reg_find(struct kfk_registry *r, int32_t id)
{
	int lo = 0, hi = r->learned_cnt;

	if (id < 0)
		return -id <= r->boot_cnt ? r->boot[-id - 1] : NULL;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (r->learned[mid].id == id)
			return r->learned[mid].b;
		if (id < r->learned[mid].id)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static const char *const purpose_names[KFK_CONN__COUNT] = {
	[KFK_CONN_COORDINATOR] = "coordinator",
};

static struct kfk_reg_entry *reg_find_entry(struct kfk_registry *r,
                                            int32_t id)
{
	for (int i = 0; i < r->learned_cnt; i++)
		if (r->learned[i].id == id)
			return &r->learned[i];
	return NULL;
}

struct kfk_broker *kfk_client_broker_for(struct kfk_client *c, int32_t node_id,
                                         enum kfk_conn_purpose p)
{
	struct kfk_registry *r = &c->reg;
	struct kfk_reg_entry *e;
	struct kfk_broker *b = NULL;

	if (p == KFK_CONN_MAIN || p >= KFK_CONN__COUNT)
		return p == KFK_CONN_MAIN ? kfk_client_broker(c, node_id) : NULL;
	pthread_mutex_lock(&r->lock);
	e = node_id >= 0 ? reg_find_entry(r, node_id) : NULL;
	if (e && !e->purpose[p] && !atomic_load(&c->destroying)) {
		struct kfk_broker_config cfg = c->bcfg;

		cfg.purpose = purpose_names[p];
		e->purpose[p] = kfk_broker_new(&cfg, e->id, e->host, e->port);
	}
	if (e && e->purpose[p])
		b = kfk_broker_ref(e->purpose[p]);
	pthread_mutex_unlock(&r->lock);
	return b;
}

struct kfk_broker *kfk_client_broker(struct kfk_client *c, int32_t node_id)
{
	struct kfk_broker *b;

	pthread_mutex_lock(&c->reg.lock);
	b = reg_find(&c->reg, node_id);
	if (b)
		kfk_broker_ref(b);
	pthread_mutex_unlock(&c->reg.lock);
	return b;
}

/* Preference of a broker for a cluster-wide request: lower is better. */
static int broker_rank(struct kfk_broker *b)
{
	switch (kfk_broker_state(b)) {
	case KFK_BROKER_UP:
		return 0;
	case KFK_BROKER_CONNECTING:
	case KFK_BROKER_APIVERSION:
	case KFK_BROKER_AUTH:
		return 1;
	case KFK_BROKER_INIT:
	case KFK_BROKER_IDLE:
		return 2;
	default:
		return 3; /* DOWN: requests wait out its backoff */
	}
}

static int32_t broker_load(struct kfk_broker *b)
{
	struct kfk_broker_stats st;
	kfk_broker_stats(b, &st);
	return st.in_flight + st.queued;
}

static struct kfk_broker *learned_at(const struct kfk_registry *r, int i)
{
	return r->learned[i].b;
}

static struct kfk_broker *boot_at(const struct kfk_registry *r, int i)
{
	return r->boot[i];
}

/* The best of n brokers: lowest rank, then (among UP ones) least load;
 * ties go to the first found from a rotating start, so that equal
 * brokers share the work. Under reg.lock. */
static struct kfk_broker *
pick_best(const struct kfk_registry *r, int n,
          struct kfk_broker *(*at)(const struct kfk_registry *r, int i),
          unsigned start)
{
	struct kfk_broker *best = NULL;
	int best_rank = 4, best_load = 0, i;

	for (i = 0; i < n; i++) {
		struct kfk_broker *b = at(r, (int)((start + (unsigned)i) %
		                                   (unsigned)n));
		int rank = broker_rank(b), load = 0;
		if (rank > best_rank)
			continue;
		if (rank == 0)
			load = broker_load(b);
		if (rank < best_rank || load < best_load) {
			best = b;
			best_rank = rank;
			best_load = load;
		}
	}
	return best;
}

struct kfk_broker *kfk_client_any_broker(struct kfk_client *c)
{
	struct kfk_registry *r = &c->reg;
	struct kfk_broker *b = NULL;

	pthread_mutex_lock(&r->lock);
	if (r->learned_cnt > 0)
		b = pick_best(r, r->learned_cnt, learned_at, r->rr++);
	else if (r->boot_cnt > 0)
		b = pick_best(r, r->boot_cnt, boot_at, r->rr++);
	if (b)
		kfk_broker_ref(b);
	pthread_mutex_unlock(&r->lock);
	/* INIT or IDLE: nobody will connect it unless asked. */
	if (b && broker_rank(b) == 2)
		kfk_broker_connect(b);
	return b;
}

void kfk_client_foreach_broker(struct kfk_client *c,
                               void (*fn)(struct kfk_broker *b, void *arg),
                               void *arg)
{
	struct kfk_registry *r = &c->reg;
	int i;

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->learned_cnt; i++)
		fn(r->learned[i].b, arg);
	for (i = 0; i < r->boot_cnt; i++)
		fn(r->boot[i], arg);
	pthread_mutex_unlock(&r->lock);
}
