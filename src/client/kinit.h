/*
 * client/kinit.h: the Kerberos ticket of GSSAPI, renewed while the client
 * lives: sasl.kerberos.kinit.cmd (with sasl.kerberos.keytab set) runs once
 * when the client is created, blocking its creation, and then every
 * sasl.kerberos.min.time.before.relogin on the control loop, started with
 * posix_spawn() and never waited for there (a slow KDC must not stall the
 * loop): it is reaped on the next tick, and a tick that finds it still
 * running skips its turn.
 */
#ifndef KFK_CLIENT_KINIT_H
#define KFK_CLIENT_KINIT_H

#include <stddef.h>

#include <kfk/errors.h>

struct kfk_client;

/* Runs the command now and starts the renewals; nothing when GSSAPI,
 * a keytab and a command are not all set. A command that fails fails the
 * creation with errstr. Creation thread, after the pool started. */
kfk_err kfk_kinit_start(struct kfk_client *c, char *errstr,
                        size_t errstr_size);

/* Stops the renewals and reaps a command still running (without waiting
 * for it). Destroy, before the pool stops. */
void kfk_kinit_stop(struct kfk_client *c);

#endif /* KFK_CLIENT_KINIT_H */
