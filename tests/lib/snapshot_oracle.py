#!/usr/bin/env python3
"""snapshot_oracle.py - what a queue snapshot should say, from postqueue -j.

    snapshot_oracle.py want NOW CORRUPT_FILES CORRUPT_BYTES OURS < postqueue-j
    snapshot_oracle.py norm < OURS

OURS is the output of `test_snapshot dump CONFIG_DIR NOW [SHOWQ]`
(tests/unit/test_snapshot.c). "want" prints what that output should be
for the listing postqueue -j gave, with these reductions, which "norm"
applies to OURS as well: the reason lines (whose classes only our C code
computes) become one line of recipients with a reason per queue; the
oldest message's id is taken from OURS when it is one of the messages
with the oldest arrival in that queue (postqueue cannot say which of
them is "first"), else the candidates are listed. CORRUPT_FILES "-"
means corrupt is expected to be unknown (a client that cannot read it).
"""
import json
import sys

QUEUES = ["maildrop", "incoming", "active", "deferred", "hold", "corrupt"]
AGE_BOUNDS = [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400,
              172800, 259200, 345600, 432000, 604800]
SIZE_BOUNDS = [1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
               16777216, 67108864]


def bucket(bounds, v):
    i = 0
    while i < len(bounds) and v > bounds[i]:
        i += 1
    return i


def reduce_reasons(lines):
    """Our reason lines -> one 'reason-recipients' line per queue."""
    out, sums, seen = [], [0] * len(QUEUES), False
    for line in lines:
        if line.startswith("reason "):
            f = line.split(" ")
            for q in range(len(QUEUES)):
                sums[q] += int(f[1 + 2 * q])
            seen = True
        else:
            out.append(line)
    out.append("reason-recipients " + " ".join(map(str, sums)))
    return out


def want(now, cfiles, cbytes, ours_path):
    ours_ids = {}
    with open(ours_path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            p = line.rstrip("\n").split(" ")
            if p[0] == "queue":
                ours_ids[p[1]] = p[8]
    stat = {q: dict(n=0, b=0, r=0, oldest=None, ids=[], age_sum=0,
                    ages=[0] * (len(AGE_BOUNDS) + 1),
                    sizes=[0] * (len(SIZE_BOUNDS) + 1)) for q in QUEUES}
    domains = {}
    with_reason = [0] * len(QUEUES)
    for line in sys.stdin.buffer:
        m = json.loads(line.decode("utf-8", "surrogateescape"))
        q = m["queue_name"]
        qi = QUEUES.index(q)
        s = stat[q]
        arrival, size = m["arrival_time"], m["message_size"]
        age = max(0, now - arrival)
        s["n"] += 1
        s["b"] += size
        s["r"] += len(m["recipients"])
        s["age_sum"] += age
        s["ages"][bucket(AGE_BOUNDS, age)] += 1
        s["sizes"][bucket(SIZE_BOUNDS, size)] += 1
        if s["oldest"] is None or arrival < s["oldest"]:
            s["oldest"], s["ids"] = arrival, [m["queue_id"]]
        elif arrival == s["oldest"]:
            s["ids"].append(m["queue_id"])
        for r in m["recipients"]:
            a = r["address"]
            d = a[a.rfind("@") + 1:] if "@" in a else ""
            d = "".join(c.lower() if "A" <= c <= "Z" else c for c in d)
            d = d.encode("utf-8", "surrogateescape")[:255]
            e = domains.setdefault(d, [[0, None] for _ in QUEUES])
            e[qi][0] += 1
            if e[qi][1] is None or arrival < e[qi][1]:
                e[qi][1] = arrival
            if r.get("delay_reason"):
                with_reason[qi] += 1
    out = []
    for q in QUEUES:
        s = stat[q]
        if q == "corrupt":
            if cfiles == "-":
                out.append("queue corrupt 0 0 0 0 0 -1 -")
            else:
                out.append("queue corrupt 1 %s %s 0 0 -1 -" % (cfiles, cbytes))
        else:
            if s["n"] == 0:
                oid, oage = "-", -1
            else:
                oage = max(0, now - s["oldest"])
                oid = ours_ids.get(q)
                if oid not in s["ids"]:
                    oid = "one-of:" + ",".join(sorted(s["ids"]))
            out.append("queue %s 1 %d %d %d 0 %d %s" % (q, s["n"], s["b"], s["r"],
                                                      oage, oid))
        out.append("ages %s %d %s" % (q, s["age_sum"], " ".join(map(str, s["ages"]))))
        out.append("sizes %s %s" % (q, " ".join(map(str, s["sizes"]))))
    rows = sorted(domains.items(), key=lambda kv: (-sum(x[0] for x in kv[1]), kv[0]))
    for d, e in rows:
        f = []
        for n, oldest in e:
            f.append("%d %d" % (n, -1 if oldest is None else max(0, now - oldest)))
        out.append("domain " + " ".join(f) + " " + d.decode("utf-8", "surrogateescape"))
    out.append("reason-recipients " + " ".join(map(str, with_reason)))
    for line in out:
        sys.stdout.buffer.write(line.encode("utf-8", "surrogateescape") + b"\n")


def main():
    if sys.argv[1] == "norm":
        lines = [l.decode("utf-8", "surrogateescape").rstrip("\n") for l in sys.stdin.buffer]
        for line in reduce_reasons(lines):
            sys.stdout.buffer.write(line.encode("utf-8", "surrogateescape") + b"\n")
    else:
        want(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])


if __name__ == "__main__":
    main()
