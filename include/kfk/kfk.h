/*
 * kfk/kfk.h: the one header applications include.
 *
 * kfk is a Kafka client library: producer, consumer and admin client, all
 * multiplexed over a small fixed pool of I/O threads.
 *
 * Thread safety: every function may be called from any thread unless its
 * own comment says otherwise. docs/ARCHITECTURE.md has the full contract.
 */
#ifndef KFK_KFK_H
#define KFK_KFK_H

#include <kfk/common.h>
#include <kfk/version.h>
#include <kfk/errors.h>
#include <kfk/conf.h>
#include <kfk/producer.h>
#include <kfk/consumer.h>
#include <kfk/admin.h>

#endif /* KFK_KFK_H */
