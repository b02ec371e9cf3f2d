/*
 * consumer/assignor_int.h: what the assignors share (assignor.c) and the
 * built-in assignors themselves.
 */
#ifndef KFK_CONSUMER_ASSIGNOR_INT_H
#define KFK_CONSUMER_ASSIGNOR_INT_H

#include "consumer/assignor.h"

extern const struct kfk_assignor kfk_assignor_range;
extern const struct kfk_assignor kfk_assignor_roundrobin;
extern const struct kfk_assignor kfk_assignor_cooperative_sticky;

/* Java's MemberInfo order (static members by instance id first). */
int kfk_asg_member_cmp(const struct kfk_asg_member *a,
                       const struct kfk_asg_member *b);
/* Pointers to in's members in that order (caller frees); NULL ENOMEM. */
struct kfk_asg_member **kfk_asg_sorted_members(struct kfk_asg_input *in);
/* A copy of in's topics sorted by name (caller frees); NULL ENOMEM. */
struct kfk_asg_topic *kfk_asg_sorted_topics(const struct kfk_asg_input *in);
/* Whether m subscribes to topic. */
bool kfk_asg_subscribes(const struct kfk_asg_member *m, const char *topic);

#endif /* KFK_CONSUMER_ASSIGNOR_INT_H */
