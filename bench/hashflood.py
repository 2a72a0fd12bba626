#!/usr/bin/env python3
"""hashflood.py - inputs crafted against the unkeyed hashes postq used before.

    hashflood.py queue TEMPLATE_SPOOL OUT_SPOOL PAIRS
        OUT_SPOOL: a copy of TEMPLATE_SPOOL (tests/fixtures/spool-short.tar.gz
        unpacked) whose only message is its deferred E4558A723F2 with
        2^PAIRS more recipients, u@DOMAIN, all DOMAINs sharing the low 20
        bits of the FNV-1a that counter, strset and qshape's rows used
        (offset basis 1469598103934665603)
    hashflood.py log OUT N
        OUT: a mail log of N delivered messages whose recipient addresses
        all have one value of strmap's old multiply-xorshift hash

Against the old tables every key lands in one cluster, so building a
table of n keys takes n^2/2 probes (postq-mailq --count-by domain and
postq-qshape on the queue, postq-pflogsumm on the log); with the keyed
hash (lib/util/hash.h) the same inputs are ordinary. Everything goes
under /tmp; never commit the output.

FNV-1a pairs: the low k bits of an FNV-1a state depend only on the low
k bits before and the byte, so two blocks that reach the same low bits
from one state do so after any common prefix, and PAIRS pairs chained
give 2^PAIRS keys (each pair found by a birthday search over random
six-letter blocks). The multiply hash: every step h = g((h ^ w) * C) is
invertible, so for any first word the second word that leads to a
chosen state can be solved for; words with bytes an address cannot hold
in a log line are skipped.
"""
import os
import random
import shutil
import struct
import sys

MASK64 = (1 << 64) - 1


def fnv_old(b, h=1469598103934665603):
    for c in b:
        h = ((h ^ c) * 1099511628211) & MASK64
    return h


def colliding_domains(pairs, lowbits=20):
    rnd = random.Random(1)
    mask = (1 << lowbits) - 1
    prefix, chosen = b'', []
    for _ in range(pairs):
        seen = {}
        while True:
            blk = bytes(rnd.choice(b'abcdefghijklmnopqrstuvwxyz') for _ in range(6))
            low = fnv_old(prefix + blk) & mask
            if low in seen and seen[low] != blk:
                chosen.append((seen[low], blk))
                break
            seen[low] = blk
        prefix += chosen[-1][0]
    doms = [b''.join(chosen[p][(k >> p) & 1] for p in range(pairs)) + b'.example.com'
            for k in range(1 << pairs)]
    assert len({fnv_old(d) & mask for d in doms}) == 1
    return doms


def records(data):
    out, i = [], 0
    while i < len(data):
        t, i, n, shift = data[i:i + 1], i + 1, 0, 0
        while True:
            b = data[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        out.append((t, data[i:i + n]))
        i += n
    return out


def record(t, payload):
    n, lb = len(payload), bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        lb.append(b | 0x80 if n else b)
        if not n:
            return t + bytes(lb) + payload


def make_queue(tpl, out, pairs):
    doms = colliding_domains(pairs)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(tpl, out, symlinks=True)
    for q in ('deferred', 'hold', 'active', 'incoming', 'defer'):
        for root, _, files in os.walk(os.path.join(out, q)):
            for f in files:
                os.unlink(os.path.join(root, f))
    src = os.path.join(tpl, 'deferred/E/E4558A723F2')
    recs = records(open(src, 'rb').read())
    assert recs[-1][0] == b'E'
    # before the end record: no offset earlier in the file moves
    recs[-1:-1] = [(b'R', b'u@' + d) for d in doms]
    dst = os.path.join(out, 'deferred/E/E4558A723F2')
    with open(dst, 'wb') as f:
        f.write(b''.join(record(t, p) for t, p in recs))
    os.chmod(dst, os.stat(src).st_mode & 0o7777)
    print('%s: %d recipients in one message' % (out, len(doms)))


def make_log(out, n):
    c = 0xff51afd7ed558ccd
    cinv = pow(c, -1, 1 << 64)

    def g(x):
        return x ^ (x >> 32)            # its own inverse

    def step(h, w):
        return g(((h ^ w) * c) & MASK64)

    def word(b):
        return struct.unpack('<Q', b)[0]

    suffix = b'@example.org'
    h0 = 0x9E3779B97F4A7C15 ^ (16 + len(suffix))
    target = step(step(h0, word(b'aaaaaaaa')), word(b'bbbbbbbb'))
    allowed = (set(range(0x21, 0x7f)) - set(b'@<>,"\\()[];:')) | set(range(0x80, 0x100))
    rnd = random.Random(2)
    keys = set()
    while len(keys) < n:
        w1 = bytes(rnd.choice(b'abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(8))
        w2 = struct.pack('<Q', ((g(target) * cinv) & MASK64) ^ step(h0, word(w1)))
        if all(b in allowed for b in w2):
            keys.add(w1 + w2 + suffix)
    with open(out, 'wb') as f:
        for i, k in enumerate(sorted(keys)):
            qid = b'%010X' % (0x1000000000 + i)
            stamp = b'Oct 22 %02d:%02d:%02d' % (i // 3600 % 24, i // 60 % 60, i % 60)
            f.write(stamp + b' mx postfix/qmgr[1]: ' + qid
                    + b': from=<s@example.com>, size=100, nrcpt=1 (queue active)\n')
            f.write(stamp + b' mx postfix/smtp[2]: ' + qid + b': to=<' + k
                    + b'>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)\n')
            f.write(stamp + b' mx postfix/qmgr[1]: ' + qid + b': removed\n')
    print('%s: %d deliveries' % (out, len(keys)))


if __name__ == '__main__':
    if len(sys.argv) == 5 and sys.argv[1] == 'queue':
        make_queue(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == 'log':
        make_log(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
