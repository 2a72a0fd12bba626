#!/usr/bin/env python3
"""qshape_craft.py - make qshape test spools out of real Postfix queue files.

    qshape_craft.py retime SPOOL NOW     spread the arrival times (T records)
                                         of SPOOL's message files over the
                                         last 30 days before NOW, in place
    qshape_craft.py quirks TEMPLATE DIR  write crafted variants of the real
                                         queue file TEMPLATE into DIR (odd
                                         addresses, senders, first records,
                                         truncations, modes, names, symlinks)

retime keeps every record's length (the seconds keep their digit count), so
the files stay valid; it spreads the ages deterministically (by file name)
so that every geometric and linear bucket gets some mail. The quirk files
change only envelope records before the M record (content offsets are
relative to M, so qshape's content skip still lands on X), or cut or
re-mode copies of the template.
"""
import hashlib
import os
import sys


def parse(data):
    """Records as (type, payload) until the data ends or breaks."""
    out, i = [], 0
    while i < len(data):
        t = data[i:i + 1]
        i += 1
        n, shift = 0, 0
        while True:
            if i >= len(data):
                return out
            b = data[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        out.append((t, data[i:i + n]))
        i += n
    return out


def rec(t, payload):
    n, lb = len(payload), bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        lb.append(b | 0x80 if n else b)
        if not n:
            break
    return t + bytes(lb) + payload


def build(records):
    return b"".join(rec(t, p) for t, p in records)


def message_files(spool):
    for q in ("incoming", "active", "deferred", "hold"):
        for root, _, files in os.walk(os.path.join(spool, q)):
            for f in sorted(files):
                yield os.path.join(root, f), f


def retime(spool, now):
    # ages in seconds: 0..30 days, chosen by name so runs are repeatable
    spans = [30, 200, 299, 301, 599, 601, 1199, 1201, 2500, 4900, 9700, 19300,
             38500, 76900, 153700, 307300, 700000, 1500000, 2592000]
    for path, name in message_files(spool):
        st = os.lstat(path)
        with open(path, "rb") as fp:
            data = bytearray(fp.read())
        if data[:1] != b"C":
            continue
        recs = parse(bytes(data))
        if len(recs) < 2 or recs[1][0] != b"T":
            continue
        # offset of the T payload: C record, then T's type and length
        off = len(rec(*recs[0])) + len(rec(*recs[1])) - len(recs[1][1])
        secs, _, rest = recs[1][1].partition(b" ")
        h = int(hashlib.md5(name.encode()).hexdigest(), 16)
        age = spans[h % len(spans)] + (h >> 8) % 7
        new = str(now - age).encode()
        if len(new) != len(secs):
            continue
        data[off:off + len(secs)] = new
        with open(path, "r+b") as fp:
            fp.write(data)
        os.utime(path, (st.st_atime, st.st_mtime))


ADDRS = [
    b"User@Example.COM", b"a@b@c.example.com", b"noat", b"", b"x@",
    b"x@.lead.example.com", b"x@trail.example.com.", b"x@dots..in...between.example",
    b"x@....", b"x@.", b"x@..", b"a\nb@c.example.com", b"a@b\nc.example.com",
    b"a@b.example.com\n", b"x@a.b.c.d.e.f.g.example.com", b"x@MiXeD.CaSe.ExAmPlE.oRg",
    b"x@\xc3\x84\xc3\x96.example.com", b"x@tab\there.example", b"x@nul\x00byte.example.com",
    b"x@" + b"very-long-label-" * 6 + b".example.com",
    b"x@sub1.parent.example.net", b"x@sub2.parent.example.net", b"x@sub3.parent.example.net",
    b"x@sub4.parent.example.net", b"x@sub5.parent.example.net", b"x@sub6.parent.example.net",
    b"x@a." + b"p" * 70 + b".example.net", b"x@b." + b"p" * 70 + b".example.net",
    b"x@..a.b.c", b"x@...a.b.c", b"@", b"@@", b"x@.example", b"x@-", b"TOTAL@TOTAL",
    b"x@" + b"q" * 30, b"x@a.b.c.d.e.f.g.example.com",
]


def name(i, prefix="Q"):
    return "%s%05dQX" % (prefix, i)


def write(path, data, mode=0o700):
    with open(path, "wb") as fp:
        fp.write(data)
    os.chmod(path, mode)


def quirks(template, outdir):
    with open(template, "rb") as fp:
        data = fp.read()
    recs = parse(data)
    m = [i for i, r in enumerate(recs) if r[0] == b"M"][0]
    env, rest = recs[:m], recs[m:]
    base = [r for r in env if r[0] not in (b"R", b"O", b"D")]
    os.makedirs(outdir, exist_ok=True)
    n = 0
    # odd recipients, one per message and all in one
    for a in ADDRS:
        write(os.path.join(outdir, name(n)), build(base + [(b"R", a)] + rest))
        n += 1
    write(os.path.join(outdir, name(n)), build(base + [(b"R", a) for a in ADDRS] + rest))
    n += 1
    # senders: null, odd, a second S record (the last wins), no sender
    for s in [b"", b"Sender@Example.ORG", b"odd@x@y.example", None]:
        e = [r for r in base if r[0] != b"S"]
        if s is not None:
            e.append((b"S", s))
        write(os.path.join(outdir, name(n)), build(e + [(b"R", b"r@example.com")] + rest))
        n += 1
    write(os.path.join(outdir, name(n)),
          build(base + [(b"S", b"second@sender.example")] + [(b"R", b"r@example.com")] + rest))
    n += 1
    # first records: S first and F then S (mtime is the time), T first
    # (a maildrop file), F then not S, C then not T, empty, one byte
    tail = [(b"R", b"first@records.example")] + rest
    for head in ([(b"S", b"s@first.example")],
                 [(b"F", b"Full Name"), (b"S", b"f@first.example")],
                 [(b"T", b"1700000000 0"), (b"S", b"t@first.example")],
                 [(b"F", b"Full Name"), (b"R", b"x@y.example")],
                 [recs[0], (b"S", b"c@first.example")]):
        write(os.path.join(outdir, name(n)), build(head + tail))
        n += 1
    write(os.path.join(outdir, name(n)), b"")
    n += 1
    write(os.path.join(outdir, name(n)), b"Z")
    n += 1
    # odd T records: leading space, empty, junk
    for t in [b" 1700000000 0", b"", b"   ", b"1700000000abc 5", b"nan", b"inf"]:
        e = [(b"T", t) if r[0] == b"T" else r for r in base]
        write(os.path.join(outdir, name(n)), build(e + [(b"R", b"t@odd-time.example")] + rest))
        n += 1
    # a record type '0', a 4-byte length, a bad C record (scan N/L to X)
    write(os.path.join(outdir, name(n)), build(base + [(b"0", b""), (b"R", b"z@zero.example")] + rest))
    n += 1
    write(os.path.join(outdir, name(n)),
          build(base) + b"R\x80\x80\x80\x00" + build([(b"R", b"l@len.example")] + rest))
    n += 1
    e = [(b"C", b"junk") if r[0] == b"C" else r for r in base]
    write(os.path.join(outdir, name(n)), build(e + [(b"R", b"c@bad-size.example")] + rest))
    n += 1
    # the template cut at every length (the last ones end inside E)
    for cut in list(range(0, len(data), max(1, len(data) // 40))) + [len(data) - 1, len(data) - 2]:
        write(os.path.join(outdir, name(n, "T")), data[:cut])
        n += 1
    # ... and ending in a bare "E" / "E\x80" (EOF inside a zero length)
    write(os.path.join(outdir, name(n)), data[:-1])
    n += 1
    write(os.path.join(outdir, name(n)), data[:-1] + b"\x80")
    n += 1
    # modes: only (mode & 0733) == 0700 counts
    for mode in (0o600, 0o710, 0o720, 0o740, 0o701, 0o704, 0o500, 0o4700):
        write(os.path.join(outdir, name(n, "M")), data, mode)
        n += 1
    # names: too short, underscore, final newline, long
    for nm in ("ABCDE", "ABC_DEF", "ABCDEF\n", "A" * 60, "abcdef.tmp"):
        write(os.path.join(outdir, nm), data)
    # a symlink, a subdirectory (recursed), a directory with a queue-id name
    os.symlink(name(0), os.path.join(outdir, "LINK00000"))
    sub = os.path.join(outdir, "SUBDIR0", "deeper")
    os.makedirs(sub, exist_ok=True)
    write(os.path.join(sub, name(0, "S")), data)
    write(os.path.join(outdir, "SUBDIR0", name(1, "S")), data)


if __name__ == "__main__":
    if sys.argv[1] == "retime":
        retime(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "quirks":
        quirks(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
