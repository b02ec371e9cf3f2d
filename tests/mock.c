/* mock: the C side of the mock cluster harness (see mock.h). */
#include "config.h"

#include "mock.h"
#include "kt.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define KT_MOCK_MAX_TOPICS 32

extern char **environ;

struct kt_mock {
	pid_t pid;
	int fd;               /* our end of the child's stdin/stdout */
	char bootstrap[8192]; /* without the "BOOTSTRAP " prefix */
	char reply[512];
	char buf[16384]; /* bytes read from the child, not yet a line */
	size_t len;
};

enum { KT_MOCK_LINE = 0, KT_MOCK_TIMEOUT = -1, KT_MOCK_EOF = -2 };

/* Milliseconds left until deadline, for poll(): at least 0. */
static int kt_mock_left(int64_t deadline)
{
	int64_t left = deadline - kt_now_ms();
	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* Reads the child's next line into out (newline removed, truncated to
 * outlen) before deadline. A socket pair rather than pipes lets
 * kt_mock_cmd() use MSG_NOSIGNAL: a dead child is an error, not SIGPIPE. */
static int kt_mock_read_line(struct kt_mock *m, char *out, size_t outlen,
                             int64_t deadline)
{
	for (;;) {
		char *nl = memchr(m->buf, '\n', m->len);
		struct pollfd pfd = {.fd = m->fd, .events = POLLIN};
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - m->buf);
			snprintf(out, outlen, "%.*s", (int)len, m->buf);
			m->len -= len + 1;
			memmove(m->buf, nl + 1, m->len);
			return KT_MOCK_LINE;
		}
		if (m->len == sizeof(m->buf))
			m->len = 0; /* an absurd line: drop what we have */
		if (poll(&pfd, 1, kt_mock_left(deadline)) < 0 && errno != EINTR)
			return KT_MOCK_EOF;
		if (pfd.revents == 0) {
			if (kt_now_ms() >= deadline)
				return KT_MOCK_TIMEOUT;
			continue;
		}
		n = recv(m->fd, m->buf + m->len, sizeof(m->buf) - m->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return KT_MOCK_EOF;
		m->len += (size_t)n;
	}
}

/* Writes all of s before deadline; 0 on success. */
static int kt_mock_send(struct kt_mock *m, const char *s, size_t len,
                        int64_t deadline)
{
	while (len > 0) {
		struct pollfd pfd = {.fd = m->fd, .events = POLLOUT};
		ssize_t n;

		if (poll(&pfd, 1, kt_mock_left(deadline)) < 0 && errno != EINTR)
			return -1;
		if (pfd.revents == 0) {
			if (kt_now_ms() >= deadline)
				return -1;
			continue;
		}
		n = send(m->fd, s, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Starts the child with argv, its stdin and stdout on a socket pair. */
static int kt_mock_spawn(struct kt_mock *m, char **argv)
{
	posix_spawn_file_actions_t fa;
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		kt_log("mock: socketpair: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	rc = posix_spawn(&m->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (rc != 0) {
		kt_log("mock: cannot run %s: %s", argv[0], strerror(rc));
		close(sv[0]);
		return -1;
	}
	m->fd = sv[0];
	return 0;
}

/* Reads the first line, which must be "BOOTSTRAP <servers>". */
static int kt_mock_read_bootstrap(struct kt_mock *m)
{
	static const char prefix[] = "BOOTSTRAP ";
	/* Fits the prefix and as much as m->bootstrap holds, plus one more
	 * byte to tell a truncated list. */
	char line[sizeof(m->bootstrap) + sizeof(prefix)];
	size_t len;
	int rc;

	rc = kt_mock_read_line(m, line, sizeof(line),
	                       kt_now_ms() + KT_MOCK_TIMEOUT_MS);
	if (rc != KT_MOCK_LINE) {
		kt_log("mock: no bootstrap line from mockcluster (%s)",
		       rc == KT_MOCK_EOF ? "it exited" : "timed out");
		return -1;
	}
	if (strncmp(line, prefix, sizeof(prefix) - 1) != 0) {
		kt_log("mock: unexpected first line from mockcluster: %s", line);
		return -1;
	}
	len = strlen(line) - (sizeof(prefix) - 1);
	if (len >= sizeof(m->bootstrap)) {
		kt_log("mock: bootstrap list too long: %s", line);
		return -1;
	}
	memcpy(m->bootstrap, line + sizeof(prefix) - 1, len + 1);
	return 0;
}

struct kt_mock *kt_mock_start(int brokers, ...)
{
	char path[4096], nbrokers[16], *argv[KT_MOCK_MAX_TOPICS + 5];
	const char *dir = getenv("KFK_BUILDDIR"), *topic;
	struct kt_mock *m;
	int argc = 0;
	va_list ap;

#ifdef KT_MOCK_UNAVAILABLE
	kt_skip("no mock cluster: librdkafka-dev was missing at configure time");
#endif
	snprintf(path, sizeof(path), "%s/tests/mockcluster", dir ? dir : ".");
	snprintf(nbrokers, sizeof(nbrokers), "%d", brokers);
	argv[argc++] = path;
	argv[argc++] = "-b";
	argv[argc++] = nbrokers;
	va_start(ap, brokers);
	while ((topic = va_arg(ap, const char *)) && argc < KT_MOCK_MAX_TOPICS + 3)
		argv[argc++] = (char *)topic;
	va_end(ap);
	argv[argc] = NULL;
	if (access(path, X_OK) != 0) {
		kt_log("mock: %s: %s (make tests/mockcluster)", path, strerror(errno));
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->fd = -1;
	if (kt_mock_spawn(m, argv) != 0) {
		free(m);
		return NULL;
	}
	if (kt_mock_read_bootstrap(m) != 0) {
		kt_mock_stop(m);
		return NULL;
	}
	return m;
}

const char *kt_mock_bootstrap(struct kt_mock *m)
{
	return m->bootstrap;
}

const char *kt_mock_reply(struct kt_mock *m)
{
	return m->reply;
}

int kt_mock_cmd(struct kt_mock *m, const char *fmt, ...)
{
	int64_t deadline = kt_now_ms() + KT_MOCK_TIMEOUT_MS;
	char cmd[1024];
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 1 || memchr(cmd, '\n', (size_t)n)) {
		snprintf(m->reply, sizeof(m->reply), "(command too long or multi-line)");
		return -1;
	}
	cmd[n++] = '\n';
	if (kt_mock_send(m, cmd, (size_t)n, deadline) != 0) {
		snprintf(m->reply, sizeof(m->reply), "(cannot send: child gone)");
		return -1;
	}
	rc = kt_mock_read_line(m, m->reply, sizeof(m->reply), deadline);
	if (rc != KT_MOCK_LINE) {
		snprintf(m->reply, sizeof(m->reply), "(no answer: %s)",
		         rc == KT_MOCK_EOF ? "child exited" : "timed out");
		return -1;
	}
	/* "ok", or "ok <what the command reports>". */
	return strcmp(m->reply, "ok") == 0 || strncmp(m->reply, "ok ", 3) == 0
	               ? 0
	               : -1;
}

/* Waits for the child to close its end (it does so by exiting), at most
 * until deadline; 0 when it did. Unread output is dropped. */
static int kt_mock_wait_eof(struct kt_mock *m, int64_t deadline)
{
	char line[512];
	int rc;

	while ((rc = kt_mock_read_line(m, line, sizeof(line), deadline)) ==
	       KT_MOCK_LINE)
		;
	return rc == KT_MOCK_EOF ? 0 : -1;
}

int kt_mock_stop(struct kt_mock *m)
{
	int status = 0, killed = 0;

	if (!m)
		return -1;
	if (m->fd >= 0) {
		shutdown(m->fd, SHUT_WR); /* the child's end of input */
		if (kt_mock_wait_eof(m, kt_now_ms() + KT_MOCK_TIMEOUT_MS) != 0) {
			kt_log("mock: mockcluster did not exit in time: killing it");
			kill(m->pid, SIGKILL);
			killed = 1;
		}
		close(m->fd);
	}
	while (waitpid(m->pid, &status, 0) < 0 && errno == EINTR)
		;
	free(m);
	if (killed || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}
