#!/usr/bin/env python3
# blocks.py - put a "postqueue -p" listing in a canonical order: the
# message blocks (separated by blank lines) sorted, the heading first and
# the totals line last. A listing follows directory order, which changes
# when a spool is unpacked elsewhere; the blocks themselves must not.
import sys

data = sys.stdin.buffer.read()
lines = data.split(b"\n")
if not data.startswith(b"-") or len(lines) < 3:
    sys.stdout.buffer.write(data)
    sys.exit(0)
heading = lines[0]
text = b"\n".join(lines[1:])
body, sep, tail = text.rpartition(b"\n\n-- ")
blocks = sorted(body.split(b"\n\n"))
sys.stdout.buffer.write(heading + b"\n" + b"\n\n".join(blocks) + sep + tail)
