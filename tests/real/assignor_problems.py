#!/usr/bin/env python3
"""Assignor problems for tests/real/assignor_java.sh, from a fixed seed.

Usage: assignor_problems.py SEED STICKY
       assignor_problems.py --next PROBLEMS ANSWERS
The first prints 40 problems; with STICKY 1, members own partitions (what a
previous round gave them, some claimed twice by an older generation) as in
a cooperative group. The second prints the round after PROBLEMS were
answered with ANSWERS: the same members, each owning what it was given, in
generation 6 (a cooperative group's second round after revocations).
"""
import random, sys


def blocks(path):
    """The problems (or answers) of a file: lists of word lists."""
    cur = []
    for line in open(path):
        if line.strip() == "end":
            yield cur
            cur = []
        elif line.strip():
            cur.append(line.split())


def next_round(problems, answers):
    for prob, ans in zip(blocks(problems), blocks(answers)):
        given = {a[0]: a[1:] for a in ans}
        for w in prob:
            if w[0] == "topic":
                print(" ".join(w))
                continue
            own = ",".join(tp.rsplit("-", 1)[0] + ":" + tp.rsplit("-", 1)[1]
                           for tp in given[w[1]]) or "-"
            print("member %s %s 6 %s %s" % (w[1], w[2], w[4], own))
        print("end")


def first_round(seed, sticky):
    rnd = random.Random(seed)
    for n in range(40):
        topics = {"t%d" % i: rnd.randint(1, 12) for i in range(rnd.randint(1, 5))}
        names = sorted(topics)
        members = rnd.randint(1, 9)
        equal = n % 2 == 0
        for t, p in topics.items():
            print("topic %s %d" % (t, p))
        if n % 7 == 3:
            print("topic lonely 4")   # exists, nobody subscribes
        owned = {}
        if sticky and n % 4 != 0:
            # a previous round: round robin over some earlier members
            tps = [(t, p) for t in names for p in range(topics[t])]
            rnd.shuffle(tps)
            keep = tps[: rnd.randint(0, len(tps))]
            for i, tp in enumerate(keep):
                owned.setdefault(i % members, []).append(tp)
        rows = []
        for m in range(members):
            mid = "m%02d-%d" % (m, rnd.randint(0, 999))
            inst = "i%d" % m if n % 3 == 1 and m % 2 == 0 else "-"
            subs = names if equal else sorted(rnd.sample(names, rnd.randint(1, len(names))))
            own = [tp for tp in owned.get(m, []) if tp[0] in subs]
            gen = -1 if not own else (5 if rnd.random() < 0.8 else 4)
            rows.append([mid, inst, gen, subs, own])
        # a partition also claimed by an older generation's owner
        old = [r for r in rows if r[2] == 5]
        if sticky and n % 5 == 2 and old and len(rows) > 1:
            tp = old[0][4][0]
            other = next((r for r in rows if r is not old[0] and tp[0] in r[3]), None)
            if other:
                other[4].append(tp)
                other[2] = 4
        for mid, inst, gen, subs, own in rows:
            o = ",".join("%s:%d" % tp for tp in own) or "-"
            print("member %s %s %d %s %s" % (mid, inst, gen, ",".join(subs), o))
        print("end")


if __name__ == "__main__":
    if sys.argv[1] == "--next":
        next_round(sys.argv[2], sys.argv[3])
    else:
        first_round(int(sys.argv[1]), sys.argv[2] == "1")
