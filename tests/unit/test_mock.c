/*
 * The mock cluster harness (tests/mock.c driving tests/mockcluster): the
 * bootstrap it reports is real, every command answers as documented, the
 * commands change what a raw Kafka client sees on the wire, and stopping
 * is bounded.
 */
#include "config.h"

#include "../kt.h"
#include "../mock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define TOPIC "kfk.mock"
#define MAX_ADDRS 8
#define RECV_TIMEOUT_S 10

struct addrs {
	int n;
	char host[MAX_ADDRS][64];
	int port[MAX_ADDRS];
};

/* Splits "h:p,h:p,..." into addrs; fails the test when malformed. */
static void parse_bootstrap(const char *s, struct addrs *a)
{
	char copy[1024], *save = NULL, *w;

	snprintf(copy, sizeof(copy), "%s", s);
	a->n = 0;
	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(w, ':');
		KT_ASSERT_MSG(colon && a->n < MAX_ADDRS, "bad address '%s'", w);
		*colon = '\0';
		snprintf(a->host[a->n], sizeof(a->host[0]), "%s", w);
		a->port[a->n] = atoi(colon + 1);
		KT_ASSERT_MSG(a->port[a->n] > 0 && a->port[a->n] < 65536,
		              "bad port in '%s'", colon + 1);
		a->n++;
	}
}

/* A TCP connection to 127.0.0.1:port whose reads time out; -1 on failure
 * (errno kept). A loopback connect() completes or fails at once. */
static int connect_port(int port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct timeval tv = {.tv_sec = RECV_TIMEOUT_S};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), e;

	KT_ASSERT(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Reads exactly n bytes; returns how many came before EOF or time-out. */
static size_t read_full(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = recv(fd, p + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static int32_t get_be32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	                 (uint32_t)p[2] << 8 | p[3]);
}

/* ApiVersions v0, correlation id 0x1234abcd, client id "mock". */
static const unsigned char api_versions_req[] = {
	0, 0, 0, 14,              /* size */
	0, 18, 0, 0,              /* ApiVersions v0 */
	0x12, 0x34, 0xab, 0xcd,   /* correlation id */
	0, 4, 'm', 'o', 'c', 'k', /* client id */
};

/* Sends ApiVersions on fd; returns how many of the first 10 response bytes
 * (size, correlation id, error code) arrived into hdr. */
static size_t api_versions_send(int fd, unsigned char hdr[10])
{
	KT_ASSERT_INT_EQ(send(fd, api_versions_req, sizeof(api_versions_req),
	                      MSG_NOSIGNAL),
	                 sizeof(api_versions_req));
	return read_full(fd, hdr, 10);
}

/* Sends ApiVersions on fd and returns the response's error code; fails
 * the test when no well-formed answer comes. */
static int api_versions_error(int fd)
{
	unsigned char hdr[10];

	KT_ASSERT_INT_EQ(api_versions_send(fd, hdr), sizeof(hdr));
	KT_ASSERT(get_be32(hdr) >= 6);
	KT_ASSERT_INT_EQ(get_be32(hdr + 4), 0x1234abcd);
	return (int16_t)(hdr[8] << 8 | hdr[9]);
}

/* The error code broker at port answers a fresh ApiVersions with. */
static int broker_api_versions_error(int port)
{
	int fd = connect_port(port), err;

	KT_ASSERT_MSG(fd >= 0, "connect to port %d: %s", port, strerror(errno));
	err = api_versions_error(fd);
	close(fd);
	return err;
}

static struct kt_mock *start_three(void)
{
	struct kt_mock *m = kt_mock_start(3, TOPIC ":3:3", "kfk.mock.b:1", NULL);
	KT_ASSERT_MSG(m, "mockcluster did not start (see log)");
	return m;
}

KT_TEST(mock_bootstrap_three_loopback_brokers)
{
	struct kt_mock *m = start_three();
	struct addrs a;
	int i, j;

	kt_log("bootstrap %s", kt_mock_bootstrap(m));
	parse_bootstrap(kt_mock_bootstrap(m), &a);
	KT_ASSERT_INT_EQ(a.n, 3);
	for (i = 0; i < a.n; i++) {
		int fd;
		KT_ASSERT_STR_EQ(a.host[i], "127.0.0.1");
		for (j = 0; j < i; j++)
			KT_ASSERT(a.port[i] != a.port[j]);
		fd = connect_port(a.port[i]);
		KT_ASSERT_MSG(fd >= 0, "connect: %s", strerror(errno));
		KT_ASSERT_INT_EQ(api_versions_error(fd), 0);
		close(fd);
	}
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

static struct kt_mock *cmd_mock;

static void check_ok(void *arg)
{
	const char *cmd = arg;
	KT_ASSERT_MSG(kt_mock_cmd(cmd_mock, "%s", cmd) == 0, "'%s' answered '%s'",
	              cmd, kt_mock_reply(cmd_mock));
	KT_ASSERT_STR_EQ(kt_mock_reply(cmd_mock), "ok");
}

KT_TEST(mock_every_command_answers_ok)
{
	static const char *const cmds[] = {
		"ping",
		"down 1",
		"up 1",
		"down -1",
		"up -1",
		"rtt 2 50",
		"rtt -1 0",
		"rack 3 rack-c",
		"leader " TOPIC " 0 2",
		"leader " TOPIC " 1 -1",
		"leader " TOPIC " 1 1",
		"follower " TOPIC " 2 3",
		"wmarks " TOPIC " 2 0 10",
		"create kfk.mock.created 4 2",
		"topicerr kfk.mock.created 3",
		"topicerr kfk.mock.created 0",
		"err Produce 6",
		"err Fetch NOT_LEADER_FOR_PARTITION 3",
		"err metadata -1 2",
		"err 22 15",
		"clear Produce",
		"clear Fetch",
		"clear Metadata",
		"clear InitProducerId",
		"errbroker 1 Produce 0 100 2",
		"errbroker 2 Heartbeat 27 0",
		"coordinator group g1 2",
		"coordinator transaction t1 3",
		"apiversion DeleteGroups -1 -1",
		"quit",
	};
	size_t i;

	cmd_mock = start_three();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		kt_subtest(check_ok, (void *)cmds[i], "mock command '%s' is ok", cmds[i]);
	/* After quit the child has gone: the next command gets no answer. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(cmd_mock, "ping"), -1);
	KT_ASSERT_INT_EQ(kt_mock_stop(cmd_mock), 0);
}

struct bad_case {
	const char *cmd, *reply;
};

static void check_error(void *arg)
{
	const struct bad_case *c = arg;
	KT_ASSERT_INT_EQ(kt_mock_cmd(cmd_mock, "%s", c->cmd), -1);
	KT_ASSERT_STR_EQ(kt_mock_reply(cmd_mock), c->reply);
}

KT_TEST(mock_bad_commands_answer_error)
{
	static const struct bad_case cases[] = {
		{"bogus", "error unknown command bogus"},
		{"", "error empty command"},
		{"a b c d e f g h i", "error too many words"},
		{"down", "error usage: down <id>"},
		{"down 1 2", "error usage: down <id>"},
		{"down 0", "error bad broker id '0' (brokers are 1..3, or -1 for all)"},
		{"up 4", "error bad broker id '4' (brokers are 1..3, or -1 for all)"},
		{"rtt 1 x", "error bad rtt 'x' (want 0..3600000)"},
		{"leader " TOPIC " x 1", "error bad partition 'x' (want 0..2147483647)"},
		{"leader " TOPIC " 0 9", "error bad broker id '9' (brokers are 1..3, "
		                         "or -1 for all)"},
		{"create " TOPIC " 3 3",
		 "error TOPIC_ALREADY_EXISTS: Broker: Topic already exists"},
		{"create bad/name 1 1", "error bad topic name 'bad/name'"},
		{"create kfk.x 1 4", "error bad replication factor '4' (want 1..3)"},
		{"create kfk.x 0 1", "error bad partition count '0' (want 1..100000)"},
		{"err NoSuchApi 6", "error unknown API 'NoSuchApi'"},
		{"err Produce NOPE", "error unknown error code 'NOPE'"},
		{"err Produce -2", "error unknown error code '-2'"},
		{"err Produce 6 0", "error bad count '0' (want 1..100000)"},
		{"errbroker -1 Produce 6 0", "error bad broker id '-1' (brokers are "
		                             "1..3)"},
		{"coordinator member k 1",
		 "error bad key type 'member' (want group or transaction)"},
	};
	size_t i;

	cmd_mock = start_three();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		kt_subtest(check_error, (void *)&cases[i], "mock command '%s' is an error",
		           cases[i].cmd);
	/* Errors leave the cluster usable. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(cmd_mock, "ping"), 0);
	KT_ASSERT_INT_EQ(kt_mock_stop(cmd_mock), 0);
}

KT_TEST(mock_commands_change_the_wire)
{
	struct kt_mock *m = start_three();
	struct addrs a;
	unsigned char hdr[10];
	int64_t t0;
	int fd;

	parse_bootstrap(kt_mock_bootstrap(m), &a);
	KT_ASSERT_INT_EQ(a.n, 3);

	/* err: the next request of that API, on any broker, gets the code. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err ApiVersions 35 2"), 0);
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[1]), 35);
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[2]), 35);
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[0]), 0);

	/* clear drops what err queued. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "err ApiVersions 35 5"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "clear ApiVersions"), 0);
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[0]), 0);

	/* errbroker: only that broker, only count times, after the delay. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "errbroker 2 ApiVersions 42 200"), 0);
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[0]), 0);
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[1]), 42);
	KT_ASSERT(kt_now_ms() - t0 >= 200);
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[1]), 0);

	/* rtt delays every response of that broker. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 3 300"), 0);
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[2]), 0);
	KT_ASSERT(kt_now_ms() - t0 >= 300);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt 3 0"), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt -1 200"), 0); /* every broker */
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[0]), 0);
	KT_ASSERT(kt_now_ms() - t0 >= 200);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt -1 0"), 0);

	/* down: a connection is closed without an answer; up: served again. */
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "down 1"), 0);
	fd = connect_port(a.port[0]);
	if (fd >= 0) { /* the listener may accept, then hang up */
		t0 = kt_now_ms();
		KT_ASSERT_INT_EQ(api_versions_send(fd, hdr), 0);
		/* a hang-up, not our read time-out */
		KT_ASSERT(kt_now_ms() - t0 < RECV_TIMEOUT_S * 1000 / 2);
		close(fd);
	}
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[1]), 0);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "up 1"), 0);
	KT_ASSERT_INT_EQ(broker_api_versions_error(a.port[0]), 0);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}

KT_TEST(mock_stop_is_bounded_and_final)
{
	struct kt_mock *m = start_three();
	struct addrs a;
	int64_t t0, took;
	int i, fd;

	parse_bootstrap(kt_mock_bootstrap(m), &a);
	KT_ASSERT_INT_EQ(kt_mock_cmd(m, "rtt -1 5000"), 0); /* slow, not stuck */
	t0 = kt_now_ms();
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
	took = kt_now_ms() - t0;
	kt_log("stop took %lld ms", (long long)took);
	KT_ASSERT(took < KT_MOCK_TIMEOUT_MS);
	/* The brokers are gone with the process. */
	for (i = 0; i < a.n; i++) {
		fd = connect_port(a.port[i]);
		KT_ASSERT_MSG(fd < 0, "port %d still accepts", a.port[i]);
		KT_ASSERT_INT_EQ(errno, ECONNREFUSED);
	}
	KT_ASSERT_INT_EQ(kt_mock_stop(NULL), -1);
}

KT_TEST(mock_bad_topic_fails_start)
{
	struct kt_mock *m = kt_mock_start(1, "kfk.mock:2:2", NULL);

	if (m)
		kt_mock_stop(m);
	KT_ASSERT_MSG(!m, "replication 2 on one broker was accepted");
	m = kt_mock_start(1, "kfk.mock:2:1", NULL);
	KT_ASSERT(m);
	KT_ASSERT_INT_EQ(strchr(kt_mock_bootstrap(m), ',') == NULL, 1);
	KT_ASSERT_INT_EQ(kt_mock_stop(m), 0);
}
