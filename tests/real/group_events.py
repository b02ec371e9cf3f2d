#!/usr/bin/env python3
"""Rebalance events of group members, as tests/real/group_java_real.sh
reads them from each member's stderr: kfk consume's "kfk consume: assigned
t[0], t[1]" (or "... nothing") and KfkPeer group-member's "assigned 0,1"
(or "-"); the same for revoked and lost.

  group_events.py owners STRATEGY PARTITIONS LOG...
      what each member owns now; exit 0 when every partition 0..N-1 is
      owned by exactly one member
  group_events.py revokes STRATEGY LOG
      exit 0 when, before its last event (the revoke of closing), the
      member's revocations were cooperative (part of what it held, never
      all of it at once) or eager (all of it), as STRATEGY says
"""
import re
import sys


def events(path):
    out = []
    for line in open(path, errors="replace"):
        line = line.strip()
        if line.startswith("kfk consume: "):
            line = line[len("kfk consume: "):]
        w = line.split(" ", 1)
        if w[0] not in ("assigned", "revoked", "lost") or len(w) < 2:
            continue
        rest = w[1]
        if "[" in rest:
            ps = {int(p) for p in re.findall(r"\[(\d+)\]", rest)}
        elif rest in ("-", "nothing"):
            ps = set()
        else:
            ps = {int(p) for p in rest.split(",")}
        out.append((w[0], ps))
    return out


def replay(evs, coop):
    """What the member owns after evs, and what was wrong on the way."""
    owned, bad = set(), []
    for what, ps in evs:
        if what == "assigned":
            owned = owned | ps if coop else ps
            continue
        if coop and what == "revoked" and ps and not ps < owned:
            bad.append("revoked %s of %s" % (sorted(ps), sorted(owned)))
        if not coop and what == "revoked" and ps != owned:
            bad.append("eager revoked %s of %s" % (sorted(ps), sorted(owned)))
        owned = owned - ps
    return owned, bad


def main(argv):
    coop = argv[2] == "cooperative-sticky"
    if argv[1] == "owners":
        parts = int(argv[3])
        count = {}
        for path in argv[4:]:
            owned, _ = replay(events(path), coop)
            print("%s: %s" % (path.rsplit("/", 1)[-1], sorted(owned)))
            for p in owned:
                count[p] = count.get(p, 0) + 1
        return 0 if all(count.get(p, 0) == 1 for p in range(parts)) and \
            set(count) <= set(range(parts)) else 1
    _, bad = replay(events(argv[3])[:-1], coop)
    print("; ".join(bad))
    return 1 if bad else 0


sys.exit(main(sys.argv))
