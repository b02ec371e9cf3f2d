/*
 * kfk groups (alias consumer-groups): kafka-consumer-groups with kfk's
 * admin client, accepting its flags and printing what it prints:
 *   kfk groups -b HOST:PORT --list
 *   kfk groups -b HOST:PORT --describe --group G [--group G2 ...]
 *   kfk groups -b HOST:PORT --reset-offsets --group G (--topic T[:P,...]
 *              | --all-topics) (--to-earliest | --to-latest | --to-current
 *              | --to-offset N | --shift-by N | --to-datetime T
 *              | --by-duration D) [--dry-run | --execute]
 *   kfk groups -b HOST:PORT --delete-offsets --group G --topic T[:P,...]
 * --describe shows each partition committed or assigned: its committed
 * offset, log end offset, lag and the member that has it, in
 * kafka-consumer-groups' columns and order.
 * Exit status: 0, 1 when an operation failed (a group that does not
 * exist), 2 for a usage error.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "groups.h"
#include "json_out.h"

#define CMD "groups"
#define WAIT_MS 60000
#define MISSING "-"


static void usage(FILE *f)
{
	fprintf(f,
	"usage: kfk groups -b BROKERS ACTION [options]\n"
	"       (kafka-consumer-groups' flags; also `kfk consumer-groups`)\n"
	"actions:\n"
	"  --list                       the groups' names\n"
	"  --describe                   per partition of --group: committed\n"
	"                               offset, log end offset, lag, member\n"
	"      --members, --state       the members, or the group's state,\n"
	"                               instead of its offsets\n"
	"  --delete                     delete --group (no members)\n"
	"  --delete-offsets             delete --group's committed offsets of\n"
	"                               --topic T[:P,...] (no member\n"
	"                               consuming it)\n"
	"  --reset-offsets              set the committed offsets of --group\n"
	"                               (no members), for --topic T[:P,...]\n"
	"                               or --all-topics, to: --to-earliest,\n"
	"                               --to-latest, --to-current, --to-offset\n"
	"                               N, --shift-by N, --to-datetime\n"
	"                               YYYY-MM-DDTHH:mm:SS[.sss], --by-duration\n"
	"                               PnDTnHnMnS; --dry-run (the default)\n"
	"                               prints the plan, --execute applies it\n"
	"options:\n"
	"  -b, --bootstrap-server LIST  brokers (host:port,...)\n"
	"  --group G                    (repeatable)\n"
	"  --all-groups                 every consumer group (with --describe,\n"
	"                               --delete, --reset-offsets)\n"
	"  --json                       --list, --describe: one JSON document\n"
	"  -X, --command-property K=V   a client property\n"
	"  -F, --command-config FILE    client properties (Java's format)\n"
	"  -h, --help\n");
}

/* ---- --describe --------------------------------------------------------- */

struct row {
	const char *topic;
	int32_t partition;
	int64_t committed, end;
	const char *member, *host, *client;
};

struct rows {
	struct row *v;
	int n;
};

/* a before b in kafka-consumer-groups' rows: by topic, then partition. */
static bool before(const kfk_admin_group *g, int a, int b)
{
	int32_t pa, pb;
	const char *ta = kfk_admin_group_offset(g, a, &pa, NULL, NULL, NULL);
	const char *tb = kfk_admin_group_offset(g, b, &pb, NULL, NULL, NULL);
	int c = strcmp(ta, tb);

	return c < 0 || (c == 0 && pa < pb);
}

/* Appends the partitions at idx[0..n) of g's offsets, sorted. */
static void add_rows(struct rows *r, const kfk_admin_group *g, int *idx,
                     int n, const char *member, const char *host,
                     const char *client)
{
	for (int i = 1; i < n; i++) /* insertion sort: stable, n small */
		for (int k = i; k > 0 && before(g, idx[k], idx[k - 1]); k--) {
			int t = idx[k];

			idx[k] = idx[k - 1];
			idx[k - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		struct row *w = &r->v[r->n++];

		w->topic = kfk_admin_group_offset(g, idx[i], &w->partition,
		                                  &w->committed, &w->end, NULL);
		w->member = member;
		w->host = host;
		w->client = client;
	}
}

/* The rows of g: members with partitions, most partitions first, then
 * the partitions committed that nobody has. */
static int build_rows(const kfk_admin_group *g, struct rows *r)
{
	int n = kfk_admin_group_offset_count(g);
	int mc = kfk_admin_group_member_count(g);
	int *idx = calloc((size_t)(n ? n : 1), sizeof(*idx));
	int *members = calloc((size_t)(mc ? mc : 1), sizeof(*members));

	r->v = calloc((size_t)(n ? n : 1), sizeof(*r->v));
	if (!idx || !members || !r->v) {
		free(idx);
		free(members);
		return -1;
	}
	for (int m = 0; m < mc; m++)
		members[m] = m;
	for (int i = 1; i < mc; i++) /* stable, most partitions first */
		for (int k = i; k > 0 &&
		                kfk_admin_group_member_assignment_count(
		                        g, members[k - 1]) <
		                kfk_admin_group_member_assignment_count(
		                        g, members[k]); k--) {
			int t = members[k];
			members[k] = members[k - 1];
			members[k - 1] = t;
		}
	/* j == mc: the partitions nobody has. */
	for (int j = 0; j <= mc; j++) {
		const char *client = MISSING, *host = MISSING, *id = MISSING;
		int k = 0;
		int who = j < mc ? members[j] : -1;

		if (who >= 0)
			id = kfk_admin_group_member(g, who, &client, &host, NULL);
		for (int i = 0; i < n; i++) {
			int mem;
			int64_t committed;

			kfk_admin_group_offset(g, i, NULL, &committed, NULL, &mem);
			if (mem == who && (who >= 0 || committed >= 0))
				idx[k++] = i;
		}
		if (k)
			add_rows(r, g, idx, k, id, host, client);
	}
	free(idx);
	free(members);
	return 0;
}

static int width(int w, const char *s)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

static void print_num(char *buf, size_t size, int64_t v)
{
	if (v < 0)
		snprintf(buf, size, MISSING);
	else
		snprintf(buf, size, "%lld", (long long)v);
}

static void print_rows(const char *group, const struct rows *r)
{
	int gw = width(15, group), tw = 15, cw = 15, hw = 15;

	for (int i = 0; i < r->n; i++) {
		tw = width(tw, r->v[i].topic);
		cw = width(cw, r->v[i].member);
		hw = width(hw, r->v[i].host);
	}
	printf("\n%-*s %-*s %-10s %-15s %-15s %-15s %-*s %-*s %s", gw, "GROUP",
	       tw, "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
	       "LAG", cw, "CONSUMER-ID", hw, "HOST", "CLIENT-ID");
	for (int i = 0; i < r->n; i++) {
		const struct row *w = &r->v[i];
		char part[16], off[24], end[24], lag[24];

		snprintf(part, sizeof(part), "%d", (int)w->partition);
		print_num(off, sizeof(off), w->committed);
		print_num(end, sizeof(end), w->end);
		print_num(lag, sizeof(lag), w->committed >= 0 && w->end >= 0
		                                    ? w->end - w->committed : -1);
		printf("\n%-*s %-*s %-10s %-15s %-15s %-15s %-*s %-*s %s", gw,
		       group, tw, w->topic, part, off, end, lag, cw, w->member,
		       hw, w->host, w->client);
	}
	printf("\n");
}

/* What kafka-consumer-groups says of the group's state before a table
 * (on stderr); 1 when it does not exist (said), else 0. */
static int state_note(const kfk_admin_group *g)
{
	const char *name = kfk_admin_group_name(g);
	const char *state = kfk_admin_group_state(g);

	if (kfk_admin_group_err(g) == KFK_ERR_GROUP_ID_NOT_FOUND ||
	    !strcmp(state, "Dead")) {
		cli_err(CMD, "Consumer group '%s' does not exist.", name);
		return 1;
	}
	if (kfk_admin_group_err(g)) {
		cli_err(CMD, "describing group '%s': %s (%s)", name,
		        kfk_admin_group_errstr(g),
		        kfk_err_name(kfk_admin_group_err(g)));
		return 1;
	}
	if (!strcmp(state, "Empty"))
		fprintf(stderr, "\nConsumer group '%s' has no active members.\n",
		        name);
	else if (strcmp(state, "Stable"))
		fprintf(stderr, "\nWarning: Consumer group '%s' is rebalancing.\n",
		        name);
	return 0;
}

/* One group's offsets table; 1 when it does not exist. */
static int describe_one(const kfk_admin_group *g)
{
	struct rows r = { 0 };
	int rc = 0;

	if (state_note(g))
		return 1;
	if (build_rows(g, &r))
		rc = 1;
	else if (r.n)
		print_rows(kfk_admin_group_name(g), &r);
	free(r.v);
	return rc;
}

/* --members: one line per member (the header even with none, as Kafka
 * prints it; its lines end in a blank). */
static int describe_members(const kfk_admin_group *g)
{
	int n = kfk_admin_group_member_count(g);
	const char *name = kfk_admin_group_name(g);
	int gw = width(15, name), cw = 15, iw = 17, hw = 15, lw = 15;
	bool with_instance = false;

	if (state_note(g))
		return 1;
	for (int i = 0; i < n; i++) {
		const char *client, *host, *inst;
		const char *id = kfk_admin_group_member(g, i, &client, &host, &inst);

		cw = width(cw, id);
		iw = width(iw, inst ? inst : "");
		hw = width(hw, host);
		lw = width(lw, client);
		with_instance = with_instance || (inst && *inst);
	}
	if (with_instance)
		printf("\n%-*s %-*s %-*s %-*s %-*s %-15s \n", gw, "GROUP", cw,
		       "CONSUMER-ID", iw, "GROUP-INSTANCE-ID", hw, "HOST", lw,
		       "CLIENT-ID", "#PARTITIONS");
	else
		printf("\n%-*s %-*s %-*s %-*s %-15s \n", gw, "GROUP", cw,
		       "CONSUMER-ID", hw, "HOST", lw, "CLIENT-ID", "#PARTITIONS");
	for (int i = 0; i < n; i++) {
		const char *client, *host, *inst;
		const char *id = kfk_admin_group_member(g, i, &client, &host, &inst);
		char parts[16];

		snprintf(parts, sizeof(parts), "%d",
		         kfk_admin_group_member_assignment_count(g, i));
		if (with_instance)
			printf("%-*s %-*s %-*s %-*s %-*s %-15s \n", gw, name, cw, id,
			       iw, inst ? inst : "", hw, host, lw, client, parts);
		else
			printf("%-*s %-*s %-*s %-*s %-15s \n", gw, name, cw, id, hw,
			       host, lw, client, parts);
	}
	return 0;
}

/* --state: the group's coordinator, assignor, state and member count,
 * in Kafka 4.4's columns. */
static int describe_state(const kfk_admin_group *g)
{
	char coord[300], members[16];
	const char *host, *strategy = kfk_admin_group_protocol(g);
	const char *name = kfk_admin_group_name(g);
	int32_t port;
	int32_t id = kfk_admin_group_coordinator(g, &host, &port);
	int gw = width(15, name), cw;

	if (state_note(g))
		return 1;
	snprintf(coord, sizeof(coord), "%s:%d  (%d)", host ? host : "",
	         (int)port, (int)id);
	snprintf(members, sizeof(members), "%d",
	         kfk_admin_group_member_count(g));
	cw = width(25, coord);
	printf("\n%-*s %-*s %-20s %-20s %s", gw, "GROUP", cw,
	       "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS");
	printf("\n%-*s %-*s %-20s %-20s %s\n", gw, name, cw, coord,
	       *strategy ? strategy : MISSING, kfk_admin_group_state(g),
	       members);
	return 0;
}

static int do_describe(kfk_admin *a, const struct groups_opts *o)
{
	kfk_admin_result *r;
	uint64_t id;
	int rc = 0;

	if (kfk_admin_describe_groups(a, o->groups, o->group_cnt, true, NULL,
	                              &id)) {
		cli_err(CMD, "--group: not a group name");
		return 2;
	}
	if (!(r = kfk_admin_wait(a, id, WAIT_MS))) {
		cli_err(CMD, "no answer from the cluster in %d s", WAIT_MS / 1000);
		return 1;
	}
	if (o->json) {
		cJSON *j = cJSON_CreateArray();

		for (int i = 0; i < kfk_admin_result_group_count(r); i++) {
			const kfk_admin_group *g = kfk_admin_result_group(r, i);
			cJSON *x = json_group(g);

			/* Kafka describes a group it does not know as Dead. */
			if (!kfk_admin_group_err(g) &&
			    !strcmp(kfk_admin_group_state(g), "Dead"))
				cJSON_ReplaceItemInObject(
					x, "error",
					cJSON_CreateString("GROUP_ID_NOT_FOUND"));
			rc |= kfk_admin_group_err(g) != KFK_ERR_NONE ||
			      !strcmp(kfk_admin_group_state(g), "Dead");
			cJSON_AddItemToArray(j, x);
		}
		rc |= json_print(j, CMD);
	}
	for (int i = 0; !o->json && i < kfk_admin_result_group_count(r); i++) {
		const kfk_admin_group *g = kfk_admin_result_group(r, i);

		rc |= o->members ? describe_members(g)
		      : o->state ? describe_state(g) : describe_one(g);
	}
	kfk_admin_result_destroy(r);
	return rc;
}

/* --delete: Kafka's line for the groups deleted; each failure said. */
static int do_delete(kfk_admin *a, const struct groups_opts *o)
{
	kfk_admin_result *r;
	uint64_t id;
	int rc = 0, ok = 0;

	if (kfk_admin_delete_groups(a, o->groups, o->group_cnt, NULL, &id) ||
	    !(r = kfk_admin_wait(a, id, WAIT_MS))) {
		cli_err(CMD, "no answer from the cluster in %d s", WAIT_MS / 1000);
		return 1;
	}
	for (int i = 0; i < kfk_admin_result_group_count(r); i++) {
		const kfk_admin_group *g = kfk_admin_result_group(r, i);

		if (!kfk_admin_group_err(g)) {
			ok++;
			continue;
		}
		if (!rc)
			cli_err(CMD, "Deletion of some consumer groups failed:");
		fprintf(stderr, "* Group '%s' could not be deleted due to: %s "
		        "(%s)\n", kfk_admin_group_name(g),
		        kfk_admin_group_errstr(g),
		        kfk_err_name(kfk_admin_group_err(g)));
		rc = 1;
	}
	if (ok) {
		printf(rc ? "These consumer groups were deleted successfully: "
		          : "Deletion of requested consumer groups (");
		for (int i = 0, k = 0; i < kfk_admin_result_group_count(r); i++) {
			const kfk_admin_group *g = kfk_admin_result_group(r, i);

			if (!kfk_admin_group_err(g))
				printf("%s'%s'", k++ ? ", " : "",
				       kfk_admin_group_name(g));
		}
		printf(rc ? "\n" : ") was successful.\n");
	}
	kfk_admin_result_destroy(r);
	return rc;
}

static int do_list(kfk_admin *a, const struct groups_opts *o)
{
	kfk_admin_result *r;
	uint64_t id;
	int rc = 0;

	if (kfk_admin_list_groups(a, NULL, &id) ||
	    !(r = kfk_admin_wait(a, id, WAIT_MS))) {
		cli_err(CMD, "no answer from the cluster in %d s", WAIT_MS / 1000);
		return 1;
	}
	if (kfk_admin_result_err(r)) {
		cli_err(CMD, "listing groups: %s", kfk_admin_result_errstr(r));
		rc = 1;
	}
	if (o->json) {
		cJSON *j = cJSON_CreateArray();

		for (int i = 0; i < kfk_admin_result_group_count(r); i++) {
			const kfk_admin_group *g = kfk_admin_result_group(r, i);
			cJSON *x = cJSON_CreateObject();

			cJSON_AddStringToObject(x, "group", kfk_admin_group_name(g));
			cJSON_AddStringToObject(x, "state",
			                        kfk_admin_group_state(g));
			cJSON_AddStringToObject(x, "protocol_type",
			                        kfk_admin_group_protocol_type(g));
			cJSON_AddItemToArray(j, x);
		}
		rc |= json_print(j, CMD);
	}
	for (int i = 0; !o->json && i < kfk_admin_result_group_count(r); i++)
		printf("%s\n", kfk_admin_group_name(kfk_admin_result_group(r, i)));
	kfk_admin_result_destroy(r);
	return rc;
}

/* ---- options ----------------------------------------------------------------- */

enum { O_LIST = 256, O_DESCRIBE, O_GROUP, O_ALL_GROUPS, O_JSON, O_DELETE,
       O_DELETE_OFFSETS,
       O_MEMBERS, O_STATE, O_OFFSETS, O_RESET, O_TOPIC, O_ALL_TOPICS,
       O_EARLIEST, O_LATEST, O_CURRENT, O_OFFSET, O_SHIFT, O_DATETIME,
       O_DURATION, O_DRY_RUN, O_EXECUTE };

/* --to-datetime: YYYY-MM-DDTHH:mm:SS[.sss][Z] (local time without Z, as
 * kafka-consumer-groups takes it) into ms; -1 when malformed. */
static int64_t parse_datetime(const char *s)
{
	struct tm tm;
	int ms = 0, n = 0;
	const char *rest;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (!(rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return -1;
	if (*rest == '.' && sscanf(rest, ".%3d%n", &ms, &n) == 1)
		rest += n;
	tm.tm_isdst = -1;
	t = *rest == 'Z' ? timegm(&tm) : mktime(&tm);
	if (*rest == 'Z')
		rest++;
	return *rest || t == (time_t)-1 ? -1 : (int64_t)t * 1000 + ms;
}

/* --by-duration: PnDTnHnMnS (ISO 8601, days and smaller) into ms; -1
 * when malformed. */
static int64_t parse_duration(const char *s)
{
	int64_t ms = 0, v;
	bool time_part = false;
	char *end;

	if (*s++ != 'P' || !*s)
		return -1;
	while (*s) {
		if (*s == 'T' && !time_part) {
			time_part = true;
			s++;
			continue;
		}
		v = strtoll(s, &end, 10);
		if (end == s || v < 0)
			return -1;
		switch (*end) {
		case 'D': if (time_part) return -1; ms += v * 86400000; break;
		case 'H': if (!time_part) return -1; ms += v * 3600000; break;
		case 'M': if (!time_part) return -1; ms += v * 60000; break;
		case 'S': if (!time_part) return -1; ms += v * 1000; break;
		default: return -1;
		}
		s = end + 1;
	}
	return ms;
}

static int set_spec(struct groups_opts *o, enum reset_spec spec,
                    int64_t value)
{
	if (o->spec != RESET_NONE) {
		cli_err(CMD, "only one --to-... / --shift-by / --by-duration");
		return -1;
	}
	o->spec = spec;
	o->value = value;
	return 0;
}

static int add_str(const char ***v, int *n, const char *s)
{
	const char **w = realloc(*v, (size_t)(*n + 1) * sizeof(*w));

	if (!w)
		return -1;
	w[(*n)++] = s;
	*v = w;
	return 0;
}

/* A reset option; 0, -1 when its value is bad (said). */
static int reset_option(int c, char *arg, struct groups_opts *o)
{
	long long v;
	int64_t t;
	char *end;

	switch (c) {
	case O_RESET: o->reset = true; return 0;
	case O_TOPIC: return add_str(&o->topics, &o->topic_cnt, arg);
	case O_ALL_TOPICS: o->all_topics = true; return 0;
	case O_EARLIEST: return set_spec(o, RESET_EARLIEST, 0);
	case O_LATEST: return set_spec(o, RESET_LATEST, 0);
	case O_CURRENT: return set_spec(o, RESET_CURRENT, 0);
	case O_OFFSET:
	case O_SHIFT:
		v = strtoll(arg, &end, 10);
		if (!*arg || *end || (c == O_OFFSET && v < 0)) {
			cli_err(CMD, "--%s %s: expected a%s number",
			        c == O_OFFSET ? "to-offset" : "shift-by", arg,
			        c == O_OFFSET ? " non-negative" : "");
			return -1;
		}
		return set_spec(o, c == O_OFFSET ? RESET_OFFSET : RESET_SHIFT, v);
	case O_DATETIME:
	case O_DURATION:
		t = c == O_DATETIME ? parse_datetime(arg) : parse_duration(arg);
		if (t < 0) {
			cli_err(CMD, "%s %s: expected %s",
			        c == O_DATETIME ? "--to-datetime" : "--by-duration",
			        arg, c == O_DATETIME ? "YYYY-MM-DDTHH:mm:SS[.sss]"
			                             : "PnDTnHnMnS");
			return -1;
		}
		if (c == O_DURATION) {
			struct timespec now;

			clock_gettime(CLOCK_REALTIME, &now);
			t = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 - t;
		}
		return set_spec(o, RESET_TIME, t);
	case O_DRY_RUN: o->dry_run = true; return 0;
	case O_EXECUTE: o->execute = true; return 0;
	default: return -1;
	}
}

static int option(int c, char *arg, void *ctx)
{
	struct groups_opts *o = ctx;
	switch (c) {
	case O_LIST: o->list = true; return 0;
	case O_DESCRIBE: o->describe = true; return 0;
	case O_GROUP: return add_str(&o->groups, &o->group_cnt, arg);
	case O_ALL_GROUPS: o->all_groups = true; return 0;
	case O_JSON: o->json = true; return 0;
	case O_DELETE: o->delete = true; return 0;
	case O_DELETE_OFFSETS: o->delete_offsets = true; return 0;
	case O_MEMBERS: o->members = true; return 0;
	case O_STATE: o->state = true; return 0;
	case O_OFFSETS: return 0; /* the default view */
	default: return reset_option(c, arg, o);
	}
}

static int parse(int argc, char **argv, struct groups_opts *o, kfk_conf *conf)
{
	static const struct option longopts[] = {
		{"bootstrap-server", required_argument, NULL, 'b'},
		{"command-property", required_argument, NULL, 'X'},
		{"command-config", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{"list", no_argument, NULL, O_LIST},
		{"describe", no_argument, NULL, O_DESCRIBE},
		{"group", required_argument, NULL, O_GROUP},
		{"all-groups", no_argument, NULL, O_ALL_GROUPS},
		{"json", no_argument, NULL, O_JSON},
		{"delete", no_argument, NULL, O_DELETE},
		{"delete-offsets", no_argument, NULL, O_DELETE_OFFSETS},
		{"members", no_argument, NULL, O_MEMBERS},
		{"state", no_argument, NULL, O_STATE},
		{"offsets", no_argument, NULL, O_OFFSETS},
		{"reset-offsets", no_argument, NULL, O_RESET},
		{"topic", required_argument, NULL, O_TOPIC},
		{"all-topics", no_argument, NULL, O_ALL_TOPICS},
		{"to-earliest", no_argument, NULL, O_EARLIEST},
		{"to-latest", no_argument, NULL, O_LATEST},
		{"to-current", no_argument, NULL, O_CURRENT},
		{"to-offset", required_argument, NULL, O_OFFSET},
		{"shift-by", required_argument, NULL, O_SHIFT},
		{"to-datetime", required_argument, NULL, O_DATETIME},
		{"by-duration", required_argument, NULL, O_DURATION},
		{"dry-run", no_argument, NULL, O_DRY_RUN},
		{"execute", no_argument, NULL, O_EXECUTE},
		{NULL, 0, NULL, 0},
	};
	int rc = cli_admin_options(CMD, argc, argv, ":b:X:F:h", longopts,
	                           conf, option, o);

	if (rc)
		return rc;
	if (o->list + o->describe + o->reset + o->delete +
	    o->delete_offsets != 1) {
		cli_err(CMD, "one of --list, --describe, --reset-offsets, "
		             "--delete or --delete-offsets is needed");
		return -1;
	}
	if (o->all_groups && (o->group_cnt || o->list || o->delete_offsets)) {
		cli_err(CMD, "--all-groups goes with --describe, --delete or "
		             "--reset-offsets, without --group");
		return -1;
	}
	if (!o->list && !o->group_cnt && !o->all_groups) {
		cli_err(CMD, "--%s needs --group",
		        o->describe ? "describe" : o->reset ? "reset-offsets"
		        : o->delete ? "delete" : "delete-offsets");
		return -1;
	}
	if (o->delete_offsets && (o->group_cnt != 1 || !o->topic_cnt)) {
		cli_err(CMD, "--delete-offsets needs one --group and --topic");
		return -1;
	}
	if (o->members && o->state) {
		cli_err(CMD, "only one of --members, --state and --offsets");
		return -1;
	}
	if (o->reset && (o->spec == RESET_NONE ||
	                 !o->all_topics == !o->topic_cnt ||
	                 (o->execute && o->dry_run))) {
		cli_err(CMD, "--reset-offsets needs one --to-... (or --shift-by, "
		             "--by-duration), --topic or --all-topics, and at "
		             "most one of --dry-run and --execute");
		return -1;
	}
	return 0;
}

/* --all-groups: every consumer group's name into o->groups (pointing
 * into the result returned, which the caller destroys at the end), sorted;
 * NULL after saying why. */
static kfk_admin_result *all_groups(kfk_admin *a, struct groups_opts *o)
{
	kfk_admin_result *r;
	uint64_t id = 0;

	if (!(r = groups_wait(a, kfk_admin_list_groups(a, NULL, &id), &id)))
		return NULL;
	if (kfk_admin_result_err(r)) {
		cli_err(CMD, "listing groups: %s", kfk_admin_result_errstr(r));
		kfk_admin_result_destroy(r);
		return NULL;
	}
	for (int i = 0; i < kfk_admin_result_group_count(r); i++) {
		const kfk_admin_group *g = kfk_admin_result_group(r, i);
		const char *type = kfk_admin_group_protocol_type(g);

		/* Consumer groups only, as kafka-consumer-groups lists. */
		if ((!type || !*type || !strcmp(type, "consumer")) &&
		    add_str(&o->groups, &o->group_cnt, kfk_admin_group_name(g))) {
			kfk_admin_result_destroy(r);
			return NULL;
		}
	}
	return r;
}

int cli_groups(int argc, char **argv)
{
	kfk_admin_result *all = NULL;
	struct groups_opts o = { 0 };
	kfk_conf *conf = kfk_conf_new();
	kfk_admin *a;
	int rc = parse(argc, argv, &o, conf);

	if (rc) {
		usage(rc > 0 ? stdout : stderr);
		kfk_conf_destroy(conf);
		free(o.groups);
		free(o.topics);
		return rc > 0 ? 0 : 2;
	}
	a = cli_admin_open(CMD, conf);
	if (!a) {
		free(o.groups);
		free(o.topics);
		return 2;
	}
	if (o.all_groups && !(all = all_groups(a, &o))) {
		kfk_admin_destroy(a);
		free(o.groups);
		free(o.topics);
		return 1;
	}
	rc = o.list ? do_list(a, &o) : o.reset ? groups_reset(a, &o)
	     : o.delete ? do_delete(a, &o)
	     : o.delete_offsets ? groups_delete_offsets(a, &o)
	     : do_describe(a, &o);
	kfk_admin_destroy(a);
	kfk_admin_result_destroy(all);
	free(o.groups);
	free(o.topics);
	return rc;
}
