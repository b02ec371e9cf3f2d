/*
 * consumer/tplist.h: the inside of kfk_tplist, for the consumer's files
 * (and, next, commits and the admin client).
 */
#ifndef KFK_CONSUMER_TPLIST_H
#define KFK_CONSUMER_TPLIST_H

#include <stdint.h>

#include <kfk/errors.h>

struct kfk_tp {
	char *topic;
	int32_t partition;
	int64_t offset;
	int32_t leader_epoch;
	kfk_err err;
	char *metadata;   /* commit metadata; NULL: none */
};

struct kfk_tplist {
	struct kfk_tp *v;
	int cnt, cap;
};

#endif /* KFK_CONSUMER_TPLIST_H */
