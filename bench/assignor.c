/*
 * bench/assignor: the partition assignors outside a group.
 *
 *   assignor solve STRATEGY < problems  assignments, in the format of
 *                                       `KfkPeer assign` (tests compare
 *                                       the two)
 *   assignor bench [PARTITIONS MEMBERS] cooperative-sticky from scratch
 *                                       and when one member joins, range
 *                                       and roundrobin: median times of
 *                                       5 runs, balance, partitions moved
 *
 * Problem lines: "topic NAME PARTITIONS", "member ID INSTANCE|- GENERATION
 * TOPIC,TOPIC OWNED|-" with OWNED as "topic:partition,..."; a line "end"
 * ends a problem (and is printed after its answer).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consumer/assignor.h"

#define MAXT 1024
#define MAXM 1024

struct problem {
	struct kfk_asg_topic topics[MAXT];
	int topic_cnt;
	struct kfk_asg_member m[MAXM];
	int member_cnt;
};

static char *dup_tok(const char *s)
{
	return strdup(s);
}

/* "a,b,c" into a new array of new strings. */
static const char **split(char *s, int *n)
{
	const char **v = calloc(strlen(s) + 2, sizeof(*v));
	char *save = NULL, *t;

	*n = 0;
	for (t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save))
		v[(*n)++] = dup_tok(t);
	return v;
}

static void parse_owned(struct kfk_asg_member *m, char *s)
{
	char *save = NULL, *t;

	if (strcmp(s, "-") == 0)
		return;
	for (t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *c = strrchr(t, ':');

		*c = '\0';
		kfk_asg_tps_add(&m->owned, dup_tok(t), atoi(c + 1));
	}
}

/* Reads up to a line "end" or the end of input; 1 when there was none. */
static int read_problem(struct problem *p, FILE *in)
{
	static char line[65536], w[6][32768];
	int lines = 0;

	while (fgets(line, sizeof(line), in) && strcmp(line, "end\n") != 0) {
		lines++;
		int n = sscanf(line, "%32767s %32767s %32767s %32767s %32767s "
		               "%32767s", w[0], w[1], w[2], w[3], w[4], w[5]);

		if (n == 3 && !strcmp(w[0], "topic") && p->topic_cnt < MAXT) {
			p->topics[p->topic_cnt].name = dup_tok(w[1]);
			p->topics[p->topic_cnt++].partitions = atoi(w[2]);
		} else if (n == 6 && !strcmp(w[0], "member") &&
		           p->member_cnt < MAXM) {
			struct kfk_asg_member *m = &p->m[p->member_cnt++];

			m->member_id = dup_tok(w[1]);
			m->instance_id = strcmp(w[2], "-") ? dup_tok(w[2]) : NULL;
			m->generation = atoi(w[3]);
			m->topics = split(w[4], &m->topic_cnt);
			parse_owned(m, w[5]);
		} else if (n > 0) {
			fprintf(stderr, "assignor: bad line: %s", line);
			return -1;
		}
	}
	return lines ? 0 : 1;
}

/* Everything read_problem allocated. */
static void problem_free(struct problem *p)
{
	int i, k;

	for (i = 0; i < p->topic_cnt; i++)
		free((char *)p->topics[i].name);
	for (i = 0; i < p->member_cnt; i++) {
		struct kfk_asg_member *m = &p->m[i];

		for (k = 0; k < m->owned.cnt; k++)
			free((char *)m->owned.v[k].topic);
		for (k = 0; k < m->topic_cnt; k++)
			free((char *)m->topics[k]);
		free(m->topics);
		free((char *)m->member_id);
		free((char *)m->instance_id);
		kfk_asg_tps_free(&m->owned);
		kfk_asg_tps_free(&m->assigned);
	}
}

static int tp_cmp(const void *a, const void *b)
{
	const struct kfk_asg_tp *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);

	return c ? c : (x->partition > y->partition) -
	               (x->partition < y->partition);
}

/* One problem of stdin; 1 at the end of input. */
static int solve_one(const struct kfk_assignor *a)
{
	static struct problem p;
	struct kfk_asg_input in;
	int i, k, rc;

	memset(&p, 0, sizeof(p));
	rc = read_problem(&p, stdin);
	if (rc) {
		problem_free(&p);
		return rc;
	}
	in = (struct kfk_asg_input){ p.topics, p.topic_cnt, p.m, p.member_cnt };
	if (a->assign(&in)) {
		problem_free(&p);
		return fprintf(stderr, "assignor: out of memory\n"), 1;
	}
	for (i = 0; i < p.member_cnt; i++) {
		struct kfk_asg_tps *l = &p.m[i].assigned;

		if (l->cnt > 1)
			qsort(l->v, (size_t)l->cnt, sizeof(*l->v), tp_cmp);
		printf("%s", p.m[i].member_id);
		for (k = 0; k < l->cnt; k++)
			printf(" %s-%d", l->v[k].topic, (int)l->v[k].partition);
		printf("\n");
	}
	printf("end\n");
	problem_free(&p);
	return 0;
}

static int solve(const char *strategy)
{
	const struct kfk_assignor *a = kfk_assignor_find(strategy);
	int rc;

	if (!a)
		return fprintf(stderr, "assignor: unknown strategy\n"), 2;
	while ((rc = solve_one(a)) == 0)
		;
	return rc < 0 ? 2 : 0;
}

/* ---- bench --------------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A group of n members over topics of 100 partitions each (the last
 * shorter), all subscribed to every topic. */
static void build(struct problem *p, int parts, int n, const char **names)
{
	int t, i;

	memset(p, 0, sizeof(*p));
	for (t = 0; parts > 0; t++, parts -= 100) {
		char *name = malloc(32);

		snprintf(name, 32, "topic%03d", t);
		names[t] = name;
		p->topics[t].name = name;
		p->topics[t].partitions = parts < 100 ? parts : 100;
	}
	p->topic_cnt = t;
	for (i = 0; i < n; i++) {
		char *id = malloc(32);

		snprintf(id, 32, "member-%04d", i);
		p->m[i].member_id = id;
		p->m[i].generation = -1;
		p->m[i].topics = names;
		p->m[i].topic_cnt = t;
	}
	p->member_cnt = n;
}

static void clear_assigned(struct problem *p)
{
	int i;

	for (i = 0; i < p->member_cnt; i++)
		kfk_asg_tps_free(&p->m[i].assigned);
}

/* Median of 5 runs of strategy on p, in ms. */
static double timed(struct problem *p, const char *strategy)
{
	const struct kfk_assignor *a = kfk_assignor_find(strategy);
	struct kfk_asg_input in = { p->topics, p->topic_cnt, p->m,
	                            p->member_cnt };
	double t[5];
	int r;

	for (r = 0; r < 5; r++) {
		double t0;

		clear_assigned(p);
		t0 = now_ms();
		if (a->assign(&in))
			exit(1);
		t[r] = now_ms() - t0;
	}
	qsort(t, 5, sizeof(double), dbl_cmp);
	return t[2];
}

static void balance(const struct problem *p, int *lo, int *hi)
{
	int i;

	*lo = 1 << 30;
	*hi = 0;
	for (i = 0; i < p->member_cnt; i++) {
		int c = p->m[i].assigned.cnt;

		*lo = c < *lo ? c : *lo;
		*hi = c > *hi ? c : *hi;
	}
}

/* What build() and join_one() allocated (the new member shares member
 * 0's topic array and has a literal id). */
static void bench_free(struct problem *p)
{
	int i;

	for (i = 0; i < p->topic_cnt; i++)
		free((char *)p->topics[i].name);
	for (i = 0; i < p->member_cnt; i++) {
		if (i < p->member_cnt - 1)
			free((char *)p->m[i].member_id);
		kfk_asg_tps_free(&p->m[i].owned);
		kfk_asg_tps_free(&p->m[i].assigned);
	}
}

/* The join: members own what they were given, one more joins. Returns
 * how many partitions change owner (withheld ones count as moving). */
static int join_one(struct problem *p, int parts)
{
	int i, moved = 0, kept = 0;

	for (i = 0; i < p->member_cnt; i++) {
		kfk_asg_tps_free(&p->m[i].owned);
		p->m[i].owned = p->m[i].assigned;
		memset(&p->m[i].assigned, 0, sizeof(p->m[i].assigned));
		p->m[i].generation = 1;
	}
	p->m[p->member_cnt] = p->m[0];
	memset(&p->m[p->member_cnt].owned, 0, sizeof(p->m[0].owned));
	p->m[p->member_cnt].member_id = "member-new";
	p->m[p->member_cnt].generation = -1;
	p->member_cnt++;
	(void)timed(p, "cooperative-sticky");
	for (i = 0; i < p->member_cnt; i++)
		kept += p->m[i].assigned.cnt;
	moved = parts - kept;
	return moved;
}

static int bench(int parts, int n)
{
	static struct problem p;
	static const char *names[MAXT];
	int lo, hi, moved;
	double ms;

	build(&p, parts, n, names);
	printf("%d partitions (%d topics), %d members, equal subscriptions; "
	       "median of 5 runs\n", parts, p.topic_cnt, n);
	ms = timed(&p, "range");
	balance(&p, &lo, &hi);
	printf("range                      %8.2f ms  per member %d..%d\n", ms,
	       lo, hi);
	ms = timed(&p, "roundrobin");
	balance(&p, &lo, &hi);
	printf("roundrobin                 %8.2f ms  per member %d..%d\n", ms,
	       lo, hi);
	ms = timed(&p, "cooperative-sticky");
	balance(&p, &lo, &hi);
	printf("cooperative-sticky, fresh  %8.2f ms  per member %d..%d\n", ms,
	       lo, hi);
	moved = join_one(&p, parts);
	ms = timed(&p, "cooperative-sticky");
	balance(&p, &lo, &hi);
	printf("cooperative-sticky, +1     %8.2f ms  revoked this round %d "
	       "(balance needs %d: the new member's share)\n", ms, moved,
	       parts / (n + 1));
	bench_free(&p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "solve"))
		return solve(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "bench")) {
		int parts = argc > 2 ? atoi(argv[2]) : 10000;
		int members = argc > 3 ? atoi(argv[3]) : 100;

		if (parts < 1 || parts > 100 * MAXT || members < 1 ||
		    members >= MAXM)
			return fprintf(stderr, "assignor: 1..%d partitions, "
			               "1..%d members\n", 100 * MAXT,
			               MAXM - 1), 2;
		return bench(parts, members);
	}
	fprintf(stderr, "usage: assignor solve STRATEGY < problem\n"
	        "       assignor bench [PARTITIONS MEMBERS]\n");
	return 2;
}
