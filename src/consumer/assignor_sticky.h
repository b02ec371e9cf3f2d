/*
 * consumer/assignor_sticky.h: the cooperative-sticky assignor's working
 * state, shared by its two halves: assignor_sticky.c (claims, placing
 * what no one keeps, the answer) and assignor_sticky_balance.c (moving
 * partitions until the counts are balanced).
 */
#ifndef KFK_CONSUMER_ASSIGNOR_STICKY_H
#define KFK_CONSUMER_ASSIGNOR_STICKY_H

#include "consumer/assignor_int.h"

/* Partitions are numbered 0..total-1 over the topics sorted by name. */
struct sticky {
	struct kfk_asg_input *in;
	struct kfk_asg_topic *topics;   /* sorted */
	int32_t *base;                  /* first index of each topic */
	int32_t total;
	struct kfk_asg_member **m;      /* Java's order */
	int n;
	int *claim;                     /* per partition: claiming member or
	                                 * -1 (none) or -2 (conflict) */
	int32_t *claim_gen;
	int *owner;                     /* per partition: target owner */
	int *count;                     /* per member: partitions targeted */
	bool *sub;                      /* [member * topics + topic] */
	int *free_cnt;                  /* per member: targeted partitions it
	                                 * does not own (free to move) */
};

/* The topic index of partition pidx. */
int kfk_sticky_topic_of(const struct sticky *s, int32_t pidx);
/* Whether member subscribes to pidx's topic. */
bool kfk_sticky_eligible(const struct sticky *s, int member, int32_t pidx);
/* Moves partitions until no move narrows the gap between the most and
 * the least loaded member; -1 on ENOMEM. */
int kfk_sticky_balance(struct sticky *s);

#endif
