/*
 * admin: the admin client in one page. Creates a topic (if it is not
 * there yet), describes it, and shows a consumer group's lag per
 * partition (committed offset, end offset, the difference).
 *
 *   cc admin.c $(pkg-config --cflags --libs kfk) -o admin
 *   ./admin localhost:9092 teste 3 mygroup
 *
 * Every admin operation returns at once with an id; its result comes
 * later. kfk_admin_wait() waits for one (simple programs); event loops
 * use kfk_admin_fd() and kfk_admin_poll(). Errors come at two levels:
 * the operation's own, and each topic's or group's.
 */
#include <kfk/kfk.h>
#include <stdio.h>
#include <stdlib.h>

#define WAIT_MS 30000

static kfk_admin_result *wait_for(kfk_admin *a, kfk_err err, uint64_t id)
{
	kfk_admin_result *r;

	if (err) {
		fprintf(stderr, "refused: %s\n", kfk_err_str(err));
		return NULL;
	}
	r = kfk_admin_wait(a, id, WAIT_MS);
	if (!r)
		fprintf(stderr, "no answer in %d s\n", WAIT_MS / 1000);
	else if (kfk_admin_result_err(r))
		fprintf(stderr, "failed: %s\n", kfk_admin_result_errstr(r));
	return r;
}

/* Creates topic with parts partitions; one that exists is fine. */
static int create(kfk_admin *a, const char *topic, int parts)
{
	kfk_new_topic t = KFK_NEW_TOPIC_INIT;
	kfk_admin_result *r;
	const kfk_admin_topic *item;
	uint64_t id;
	kfk_err err;
	int rc = 0;

	t.name = topic;
	t.partitions = parts;
	err = kfk_admin_create_topics(a, &t, 1, NULL, &id);
	if (!(r = wait_for(a, err, id)))
		return -1;
	item = kfk_admin_result_topic(r, 0);
	if (kfk_admin_topic_err(item) == KFK_ERR_TOPIC_ALREADY_EXISTS) {
		printf("topic %s exists already\n", topic);
	} else if (kfk_admin_topic_err(item)) {
		fprintf(stderr, "%s: %s\n", topic, kfk_admin_topic_errstr(item));
		rc = -1;
	} else {
		printf("created topic %s with %d partitions\n", topic, parts);
	}
	kfk_admin_result_destroy(r);
	return rc;
}

/* A topic just created reaches every broker's metadata a moment later:
 * the broker asked may not know it yet, or not all its partitions. */
static int described(const kfk_admin_topic *t, int partitions)
{
	return kfk_admin_topic_err(t) == KFK_ERR_NONE &&
	       kfk_admin_topic_partition_count(t) >= partitions;
}

static void describe(kfk_admin *a, const char *topic, int partitions)
{
	const char *names[1] = { topic };
	kfk_admin_result *r = NULL;
	const kfk_admin_topic *t = NULL;
	uint64_t id;
	kfk_err err;

	/* A few tries, a tenth of a second apart (the wait is the queue's:
	 * kfk_admin_poll() returns at once if a result comes). */
	for (int i = 0; i < 50 && !(t && described(t, partitions)); i++) {
		if (r) {
			kfk_admin_result_destroy(r);
			kfk_admin_result_destroy(kfk_admin_poll(a, 100));
		}
		err = kfk_admin_describe_topics(a, names, 1, NULL, &id);
		if (!(r = wait_for(a, err, id)))
			return;
		t = kfk_admin_result_topic(r, 0);
	}
	for (int p = 0; p < kfk_admin_topic_partition_count(t); p++) {
		const int32_t *isr;
		int n = kfk_admin_topic_partition_isr(t, p, &isr);

		printf("%s [%d]: leader %d, %d in sync\n", topic, p,
		       (int)kfk_admin_topic_partition_leader(t, p), n);
	}
	kfk_admin_result_destroy(r);
}

static void lag(kfk_admin *a, const char *group)
{
	const char *names[1] = { group };
	kfk_admin_result *r;
	const kfk_admin_group *g;
	uint64_t id;
	kfk_err err;

	err = kfk_admin_describe_groups(a, names, 1, true, NULL, &id);
	if (!(r = wait_for(a, err, id)))
		return;
	g = kfk_admin_result_group(r, 0);
	printf("group %s: %s, %d members\n", group, kfk_admin_group_state(g),
	       kfk_admin_group_member_count(g));
	for (int i = 0; i < kfk_admin_group_offset_count(g); i++) {
		int32_t p;
		int64_t committed, end;
		const char *t = kfk_admin_group_offset(g, i, &p, &committed, &end,
		                                       NULL);

		if (committed >= 0 && end >= 0)
			printf("  %s [%d]: committed %lld, end %lld, lag %lld\n", t,
			       (int)p, (long long)committed, (long long)end,
			       (long long)(end - committed));
		else
			printf("  %s [%d]: nothing committed\n", t, (int)p);
	}
	kfk_admin_result_destroy(r);
}

int main(int argc, char **argv)
{
	char err[512];
	kfk_conf *conf;
	kfk_admin *a;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: %s BROKERS TOPIC PARTITIONS GROUP\n",
		        argv[0]);
		return 2;
	}
	conf = kfk_conf_new();
	if (kfk_conf_set(conf, "bootstrap.servers", argv[1], err,
	                 sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		kfk_conf_destroy(conf);
		return 2;
	}
	a = kfk_admin_new(conf, err, sizeof(err));
	kfk_conf_destroy(conf);
	if (!a) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	rc = create(a, argv[2], atoi(argv[3]));
	if (!rc) {
		describe(a, argv[2], atoi(argv[3]));
		lag(a, argv[4]);
	}
	kfk_admin_destroy(a);
	return rc ? 1 : 0;
}
