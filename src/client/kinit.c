/*
 * client/kinit.c: renewing the GSSAPI ticket (kinit.h).
 */
#include "config.h"

#include "client/kinit.h"

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "client/client_int.h"
#include "client/conf.h"
#include "net/sasl.h"
#include "util/time.h"

extern char **environ;

struct kfk_kinit {
	struct kfk_client *c;
	struct kfk_timer timer;      /* control loop */
	char cmd[1024];
	int64_t period_ms;
	pid_t pid;                   /* a renewal still running, or 0 */
};

/* "%{name}" replaced by that property's value. */
static void kinit_expand(const kfk_conf *cf, const char *tmpl, char *out,
                         size_t size)
{
	size_t n = 0;

	while (*tmpl && n + 1 < size) {
		const char *end = strncmp(tmpl, "%{", 2) ? NULL : strchr(tmpl, '}');
		const char *v;
		char name[96];

		if (!end || (size_t)(end - tmpl - 2) >= sizeof(name)) {
			out[n++] = *tmpl++;
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(end - tmpl - 2), tmpl + 2);
		v = kfk_conf_get_str(cf, name);
		n += (size_t)snprintf(out + n, size - n, "%s", v ? v : "");
		tmpl = end + 1;
	}
	out[n < size ? n : size - 1] = '\0';
}

/* Reaps the last renewal; 1 while it still runs. */
static int kinit_busy(struct kfk_kinit *k)
{
	int st;

	if (k->pid <= 0)
		return 0;
	if (waitpid(k->pid, &st, WNOHANG) == 0)
		return 1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		kfk_log(&k->c->log, KFK_LOG_WARNING, "SASL",
		        "Kerberos ticket renewal failed (%s %d): %s",
		        WIFEXITED(st) ? "exit" : "signal",
		        WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), k->cmd);
	k->pid = 0;
	return 0;
}

static void kinit_tick(struct kfk_timer *t, void *arg)
{
	struct kfk_kinit *k = arg;
	char *argv[] = { "/bin/sh", "-c", k->cmd, NULL };

	(void)t;
	if (!kinit_busy(k)) {
		kfk_dbg(&k->c->log, KFK_DBG_SECURITY, "SASL",
		        "renewing the Kerberos ticket: %s", k->cmd);
		if (posix_spawn(&k->pid, argv[0], NULL, NULL, argv, environ))
			k->pid = 0;
	}
	kfk_loop_timer_arm(k->c->ctrl, &k->timer,
	                   kfk_now_us() + k->period_ms * 1000);
}

static void kinit_arm(void *arg)
{
	struct kfk_kinit *k = arg;

	kfk_loop_timer_arm(k->c->ctrl, &k->timer,
	                   kfk_now_us() + k->period_ms * 1000);
}

static void kinit_cancel(void *arg)
{
	struct kfk_kinit *k = arg;

	kfk_loop_timer_cancel(k->c->ctrl, &k->timer);
}

kfk_err kfk_kinit_start(struct kfk_client *c, char *errstr,
                        size_t errstr_size)
{
	const char *tmpl = kfk_conf_get_str(c->conf, "sasl.kerberos.kinit.cmd");
	const char *kt = kfk_conf_get_str(c->conf, "sasl.kerberos.keytab");
	struct kfk_kinit *k;
	int st;

	if (!c->sasl || c->sasl->mech != KFK_SASL_GSSAPI || !tmpl || !*tmpl ||
	    !kt || !*kt)
		return KFK_ERR_NONE;
	k = calloc(1, sizeof(*k));
	if (!k)
		return KFK_ERR__NO_MEMORY;
	k->c = c;
	kinit_expand(c->conf, tmpl, k->cmd, sizeof(k->cmd));
	k->period_ms = kfk_conf_get_int(c->conf,
	                                "sasl.kerberos.min.time.before.relogin");
	c->kinit = k;
	kfk_dbg(&c->log, KFK_DBG_SECURITY, "SASL", "running %s", k->cmd);
	st = system(k->cmd);
	if (st != 0) {
		snprintf(errstr, errstr_size, "sasl.kerberos.kinit.cmd failed "
		         "(exit %d): %s", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		         k->cmd);
		return KFK_ERR__AUTHENTICATION;
	}
	kfk_timer_init(&k->timer, kinit_tick, k);
	if (k->period_ms > 0)
		kfk_client_run_sync(c->ctrl, kinit_arm, k);
	return KFK_ERR_NONE;
}

void kfk_kinit_stop(struct kfk_client *c)
{
	struct kfk_kinit *k = c->kinit;

	if (!k)
		return;
	if (k->period_ms > 0 && c->ctrl)
		kfk_client_run_sync(c->ctrl, kinit_cancel, k);
	kinit_busy(k);
	free(k);
	c->kinit = NULL;
}
