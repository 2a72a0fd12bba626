#!/usr/bin/env python3
# spool_state.py - print the state of a copied Postfix spool that
# postsuper may change, one sorted line per object, for comparing the
# real postsuper with postq-postsuper on two copies of the same spool.
#
#   spool_state.py SPOOLDIR [SINCE]
#
# Files: path, type, mode, owner, group, size, md5, mtime, atime (ns).
# Directories: path, mode, owner, group (their times change with every
# rename). A file time from SINCE (epoch seconds: when the tools
# started) to now is written NOW (postsuper -r sets "now", with no fraction:
# NOW.0). Short queue ids that name their
# own inode (postsuper -s renames files so) differ between two copies:
# such an id is written as its first 5 characters plus a digest of the
# message content, in the message's name and in its logs' names.
import hashlib
import os
import stat
import sys
import time

MSGQ = ("maildrop", "incoming", "active", "deferred", "hold", "corrupt")


def main():
    root = sys.argv[1]
    since = float(sys.argv[2]) if len(sys.argv) > 2 else time.time() + 1e9
    until = time.time() + 1
    entries = []
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            entries.append((os.path.relpath(p, root), os.lstat(p)))
    canon = {}
    digests = {}
    for rel, st in entries:
        if not stat.S_ISREG(st.st_mode):
            continue
        # O_NOATIME: reading must not change what is compared
        fd = os.open(os.path.join(root, rel), os.O_RDONLY | os.O_NOATIME)
        with os.fdopen(fd, "rb") as f:
            digests[rel] = hashlib.md5(f.read()).hexdigest()
        name = os.path.basename(rel)
        if rel.split("/")[0] in MSGQ and len(name) > 5 and \
                name[5:] == "%X" % st.st_ino:
            canon[name] = name[:5] + "~" + digests[rel][:10]
    out = []
    for rel, st in entries:
        parts = rel.split("/")
        parts[-1] = canon.get(parts[-1], parts[-1])
        rel2 = "/".join(parts)
        owner = "%d:%d" % (st.st_uid, st.st_gid)
        mode = "%o" % stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            out.append("%s d %s %s" % (rel2, mode, owner))
            continue
        times = []
        for t in (st.st_mtime_ns, st.st_atime_ns):
            if since <= t / 1e9 <= until:
                times.append("NOW.0" if t % 1000000000 == 0 else "NOW.frac")
            else:
                times.append(str(t))
        kind = "f" if stat.S_ISREG(st.st_mode) else "o%o" % stat.S_IFMT(st.st_mode)
        out.append("%s %s %s %s %d %s %s %s" % (
            rel2, kind, mode, owner, st.st_size, digests.get(rel, "-"),
            times[0], times[1]))
    out.sort()
    sys.stdout.write("".join(line + "\n" for line in out))


main()
