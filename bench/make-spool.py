#!/usr/bin/env python3
"""make-spool.py - build a large Postfix spool for benchmarks by cloning
real queue files.

    make-spool.py TEMPLATE_SPOOL DEST_SPOOL COUNT [--long-ids] [--depth N]

TEMPLATE_SPOOL is a queue directory written by a real Postfix (for example
tests/fixtures/spool-short.tar.gz unpacked). Every message file found in
its deferred, hold and active queues is a template; COUNT clones are made
in the same proportions, each under a fresh valid queue id that encodes
its own inode number exactly as Postfix names files (short: %05X usec +
%lX inode; long: base-52 seconds and usec, 'z', base-51 inode), in the
right hash subdirectory (hash_queue_names = deferred, defer), with the
template's defer log cloned under the new id. Modes, owner and the
future mtime of deferred files (so a running qmgr leaves them alone) are
kept. Nothing here touches the template.
"""
import os
import random
import sys

SAFE = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"
QUEUES = ["deferred", "hold", "active"]
HASHED = {"deferred", "defer"}


def b52(val, base, pad):
    out = ""
    while True:
        out = SAFE[val % base] + out
        val //= base
        if val == 0:
            break
    return out.rjust(pad, "0")


def hash_dirs(qid, long_ids, depth):
    key = qid
    if long_ids:
        z = qid.rfind("z")
        usec = 0
        for ch in qid[z - 4:z]:
            usec = usec * 52 + SAFE.index(ch)
        key = "%05X" % usec
    return [key[i] if i < len(key) else "_" for i in range(depth)]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    long_ids = "--long-ids" in sys.argv
    depth = 1
    if "--depth" in sys.argv:
        depth = int(sys.argv[sys.argv.index("--depth") + 1])
        args.remove(str(depth))
    src, dst, count = args[0], args[1], int(args[2])
    templates = []
    for q in QUEUES:
        qdir = os.path.join(src, q)
        for root, _, files in os.walk(qdir):
            for f in files:
                path = os.path.join(root, f)
                st = os.lstat(path)
                if (st.st_mode & 0o700) != 0o700:
                    continue
                defer = None
                for droot, _, dfiles in os.walk(os.path.join(src, "defer")):
                    if f in dfiles:
                        defer = os.path.join(droot, f)
                with open(path, "rb") as fp:
                    data = fp.read()
                dlog = None
                if defer:
                    with open(defer, "rb") as fp:
                        dlog = fp.read()
                templates.append((q, data, dlog, st))
    if not templates:
        sys.exit("make-spool: no message files in %s" % src)
    for q in ["incoming", "active", "deferred", "hold", "maildrop", "corrupt",
              "defer", "bounce", "trace", "flush", "saved"]:
        os.makedirs(os.path.join(dst, q), exist_ok=True)
    rng = random.Random(20261123)
    now = 1763800000
    tmp = os.path.join(dst, "incoming", "bench.tmp")
    for i in range(count):
        q, data, dlog, st = templates[i % len(templates)]
        with open(tmp, "wb") as fp:
            fp.write(data)
            ino = os.fstat(fp.fileno()).st_ino
        usec = rng.randrange(1000000)
        if long_ids:
            qid = b52(now - rng.randrange(86400 * 3), 52, 6) + b52(usec, 52, 4) + "z" + b52(ino, 51, 0)
        else:
            qid = "%05X%X" % (usec, ino)
        qdir = os.path.join(dst, q, *(hash_dirs(qid, long_ids, depth) if q in HASHED else []))
        os.makedirs(qdir, exist_ok=True)
        final = os.path.join(qdir, qid)
        os.chmod(tmp, st.st_mode & 0o7777)
        os.utime(tmp, (st.st_atime, st.st_mtime))
        os.chown(tmp, st.st_uid, st.st_gid)
        os.rename(tmp, final)
        if dlog is not None and q == "deferred":
            ddir = os.path.join(dst, "defer", *hash_dirs(qid, long_ids, depth))
            os.makedirs(ddir, exist_ok=True)
            dpath = os.path.join(ddir, qid)
            with open(dpath, "wb") as fp:
                fp.write(dlog)
            os.chmod(dpath, 0o600)
            os.chown(dpath, st.st_uid, st.st_gid)
    for root, dirs, _ in os.walk(dst):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o700)
            os.chown(os.path.join(root, d), templates[0][3].st_uid, templates[0][3].st_gid)


main()
