#!/usr/bin/env python3
"""Checks kfk's cooperative-sticky answers against the Java client's.

Usage: assignor_check.py P1 JAVA1 KFK1 JAVA_P2 JAVA2 KFK_P2 KFK2

P1 are the first-round problems, JAVA1/KFK1 the answers; *_P2 the second
round each client's group would run after its first answer (members owning
what they were given), JAVA2/KFK2 those answers. Per problem:
  round 1: no partition twice, only to subscribers; a partition left out is
           one being revoked (owned, by the newest generation claiming it,
           by a member that does not keep it);
  round 2: every subscribed partition exactly once, nothing taken from its
           owner; with equal subscriptions counts differ by at most one;
  both:    kfk keeps at least as many owned partitions with their owner
           as Java and balances as well (the largest difference in counts
           after round 2), or is better at one of the two (with unequal
           subscriptions kfk balances harder than Java, at times at the
           cost of one more revocation).
Prints a line per failed problem and a count; exit 1 when any fails.
"""
import os
import sys

sys.dont_write_bytecode = True  # the source tree may be read-only
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from assignor_problems import blocks  # noqa: E402


def parse_problem(lines):
    topics, members = {}, {}
    for w in lines:
        if w[0] == "topic":
            topics[w[1]] = int(w[2])
            continue
        own = set()
        if w[5] != "-":
            for tp in w[5].split(","):
                t, p = tp.rsplit(":", 1)
                own.add((t, int(p)))
        members[w[1]] = (set(w[4].split(",")), own, int(w[3]))
    return topics, members


def parse_answer(lines):
    return {w[0]: [(tp.rsplit("-", 1)[0], int(tp.rsplit("-", 1)[1]))
                   for tp in w[1:]] for w in lines}


def owners(members):
    """Partition -> the member of the newest generation claiming it."""
    claim = {}
    for m, (_, own, gen) in members.items():
        for tp in own:
            if tp not in claim or gen > claim[tp][1]:
                claim[tp] = (m, gen)
    return {tp: m for tp, (m, _) in claim.items()}


def spread(ans):
    c = [len(v) for v in ans.values()]
    return max(c) - min(c)


def common(topics, members, ans):
    """Problems shared by both rounds; returns (reasons, missing)."""
    why = []
    want = {(t, p) for t, n in topics.items() for p in range(n)
            if any(t in s for s, _, _ in members.values())}
    got = [tp for v in ans.values() for tp in v]
    if len(got) != len(set(got)):
        why.append("a partition given twice")
    if not set(got) <= want:
        why.append("a partition nobody subscribes to given")
    for m, tps in ans.items():
        if any(t not in members[m][0] for t, _ in tps):
            why.append("%s given a topic it does not subscribe to" % m)
    return why, want - set(got)


def kept(members, ans):
    return sum(1 for tp, m in owners(members).items() if tp in ans[m])


def check(p1, j1, k1, jp2, j2, kp2, k2):
    topics, m1 = parse_problem(p1)
    java1, kfk1 = parse_answer(j1), parse_answer(k1)
    why, missing = common(topics, m1, kfk1)
    own = owners(m1)
    for tp in missing:
        if tp not in own or tp in kfk1[own[tp]]:
            why.append("%s-%d left out, not being revoked" % tp)
    _, km2 = parse_problem(kp2)
    kfk2, java2 = parse_answer(k2), parse_answer(j2)
    w2, missing2 = common(topics, km2, kfk2)
    why += ["round 2: " + w for w in w2]
    if missing2:
        why.append("round 2: %d partitions left out" % len(missing2))
    if kept(km2, kfk2) != sum(len(o) for _, o, _ in km2.values()):
        why.append("round 2 took partitions from their owners")
    equal = len({frozenset(s) for s, _, _ in m1.values()}) == 1
    if equal and spread(kfk2) > 1:
        why.append("round 2 counts differ by %d" % spread(kfk2))
    # Stickier or better balanced than Java may cost a little of the
    # other; worse at one and no better at the other may not.
    k, j = kept(m1, kfk1), kept(m1, java1)
    if (k < j and spread(kfk2) >= spread(java2)) or \
       (spread(kfk2) > spread(java2) and k <= j):
        why.append("kept %d owned (Java %d), counts differ by %d (Java %d)"
                   % (k, j, spread(kfk2), spread(java2)))
    line = "%d members, %d partitions, kept %d (Java %d), spread %d (Java %d)" % (
        len(m1), sum(len(v) for v in kfk2.values()), kept(m1, kfk1),
        kept(m1, java1), spread(kfk2), spread(java2))
    return line, why


def main(argv):
    bad = n = 0
    for i, b in enumerate(zip(*(blocks(f) for f in argv[1:8]))):
        line, why = check(*b)
        n += 1
        if why:
            print("problem %d: %s: %s" % (i, line, "; ".join(why)))
            bad += 1
    print("%d problems, %d failed" % (n, bad))
    return 1 if bad else 0


sys.exit(main(sys.argv))
