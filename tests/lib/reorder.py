#!/usr/bin/env python3
"""reorder.py MODE [ARG] FILE... - the lines of the files, out of order, on stdout.

Logs merged from several hosts, syslog over UDP, or rotated files given
in the wrong order put a message's lines out of order ("removed" before
"from=", a queue id of one host between another's lines). These make
such logs from real ones, reproducibly (the seed is the argument):

  shuffle SEED      every line anywhere
  jitter SEED       each line moved up to 20 places
  reverse           last line first
  halves            the second half of the lines, then the first
  interleave        the files' lines taken in turn, one from each
  twice             all the lines, then all of them again (queue ids reused)

A last line without a newline gets one; bytes are passed through.
"""
import random
import sys

mode, args = sys.argv[1], sys.argv[2:]
seed = None
if mode in ('shuffle', 'jitter'):
    seed, args = int(args[0]), args[1:]
files = [[x if x.endswith(b'\n') else x + b'\n' for x in open(f, 'rb').read().splitlines(True)] for f in args]
lines = [x for f in files for x in f]
if mode == 'shuffle':
    random.Random(seed).shuffle(lines)
elif mode == 'jitter':
    r = random.Random(seed)
    keyed = sorted(((i + r.uniform(0, 20), x) for i, x in enumerate(lines)), key=lambda t: t[0])
    lines = [x for _, x in keyed]
elif mode == 'reverse':
    lines.reverse()
elif mode == 'halves':
    h = len(lines) // 2
    lines = lines[h:] + lines[:h]
elif mode == 'interleave':
    out, i = [], 0
    while any(i < len(f) for f in files):
        out += [f[i] for f in files if i < len(f)]
        i += 1
    lines = out
elif mode == 'twice':
    lines = lines + lines
else:
    sys.exit('reorder.py: unknown mode ' + mode)
sys.stdout.buffer.write(b''.join(lines))
