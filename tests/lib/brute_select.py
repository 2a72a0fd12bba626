#!/usr/bin/env python3
# brute_select.py - the oracle for postq's filters: read "postqueue -j"
# output (from the real Postfix) on stdin and print, by brute force, the
# queue ids a filter selects, or the counts --count-by gives. The test
# compares this with postq-mailq --ids / --count-by on the same spool.
#
#   brute_select.py ids [--queue Q]... [--from RE] [--to RE] [--reason RE]
#                       [--domain D]... [--older S] [--newer S]
#                       [--min-size N] [--max-size N] [--ignore-case]
#   brute_select.py count sender|recipient|domain|reason
import json
import re
import sys
import time


def parse(argv):
    opts = {"queue": [], "domain": []}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--ignore-case":
            opts["icase"] = True
            i += 1
            continue
        key = a[2:]
        val = argv[i + 1]
        if key in ("queue", "domain"):
            opts[key].append(val)
        else:
            opts[key] = val
        i += 2
    return opts


def main():
    mode = sys.argv[1]
    msgs = [json.loads(line) for line in sys.stdin.buffer.read().decode(
        "utf-8", "surrogateescape").splitlines() if line.strip()]
    if mode == "count":
        by = sys.argv[2]
        counts = {}
        for m in msgs:
            if by == "sender":
                keys = [m["sender"]]
            else:
                keys = []
                for r in m["recipients"]:
                    if by == "recipient":
                        keys.append(r["address"])
                    elif by == "domain":
                        a = r["address"]
                        keys.append(a[a.rfind("@") + 1:] if "@" in a else "")
                    elif r.get("delay_reason"):
                        keys.append(r["delay_reason"])
            for k in keys:
                counts[k] = counts.get(k, 0) + 1
        items = sorted(counts.items(),
                       key=lambda kv: (-kv[1], kv[0].encode("utf-8", "surrogateescape")))
        out = sys.stdout.buffer
        for k, n in items:
            out.write(b"%7d %s\n" % (n, k.encode("utf-8", "surrogateescape")))
        return
    o = parse(sys.argv[2:])
    flags = re.I if o.get("icase") else 0
    now = time.time()

    def rx(key):
        return re.compile(o[key], flags) if key in o else None

    fr, to, why = rx("from"), rx("to"), rx("reason")
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

    def dur(s):
        total = 0
        for n, u in re.findall(r"(\d+)([smhdw]?)", s):
            total += int(n) * units[u or "s"]
        return total

    def size(s):
        mult = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}
        if s[-1].lower() in mult:
            return int(s[:-1]) * mult[s[-1].lower()]
        return int(s)

    for m in msgs:
        if o["queue"] and m["queue_name"] not in o["queue"]:
            continue
        age = now - m["arrival_time"]
        if "older" in o and age < dur(o["older"]):
            continue
        if "newer" in o and age >= dur(o["newer"]):
            continue
        if "min-size" in o and m["message_size"] < size(o["min-size"]):
            continue
        if "max-size" in o and m["message_size"] > size(o["max-size"]):
            continue
        if fr and not fr.search(m["sender"]):
            continue
        if to or why or o["domain"]:
            hit = False
            for r in m["recipients"]:
                a = r["address"]
                dom = a[a.rfind("@") + 1:] if "@" in a else ""
                if to and not to.search(a):
                    continue
                if o["domain"] and dom.lower() not in [d.lower().lstrip("@") for d in o["domain"]]:
                    continue
                if why and not why.search(r.get("delay_reason", "")):
                    continue
                hit = True
                break
            if not hit:
                continue
        print(m["queue_id"])


main()
