#!/usr/bin/env python3
"""pflogsumm_ties.py - normalise a pflogsumm report modulo tie order.

pflogsumm 1.1.5 sorts several lists by value and falls back to Perl's
randomised hash order when values tie; postq-pflogsumm breaks those ties
by key. To compare the two, this filter reorders, and only reorders,
runs of consecutive lines that pflogsumm itself considers equal:

  * "Host/Domain Summary: Message Delivery" and "... Messages Received":
    rows with the same first two columns (count, bytes: 17 characters);
  * "Host/Domain Summary: SMTPD Connections": same count and total
    connect time (first 23 characters);
  * the four Senders/Recipients lists and every leaf row of the nested
    problem reports and "Master daemon messages" (indent, "%6d%s",
    two spaces, key): same indent, same count and same
    normalize_host(key) (pflogsumm's secondary sort key).

Each such run is sorted bytewise. No line is changed, added or removed,
so a list cut by -h/-u/--detail at a tie can still differ.
"""
import re
import sys

LEAF = re.compile(r'^( +)([ \d]{5}\d[ km])  (.*)$')
QUAD = re.compile(r'^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$')


def normalize_host(s):
    tok = re.split(r'[ \t\n\r\f\v]', s)[0]
    m = QUAD.match(tok)
    if m:
        return ''.join(chr(int(x)) for x in m.groups())
    return ''.join(reversed(re.split(r'[.@]', tok))).lower()


def main():
    data = sys.stdin.buffer.read().decode('latin-1')
    lines = data.split('\n')
    out = []
    section = ''
    run, runkey = [], None

    def flush():
        nonlocal run, runkey
        out.extend(sorted(run))
        run, runkey = [], None

    for i, line in enumerate(lines):
        if i + 1 < len(lines) and lines[i + 1] and set(lines[i + 1]) == {'-'} \
                and len(lines[i + 1]) == len(line):
            section = line
        key = None
        if section.startswith('Host/Domain Summary: Message') and re.match(r'^ [ \d]{5}\d', line):
            key = line[:17]
        elif section.startswith('Host/Domain Summary: SMTPD') and re.match(r'^  [ \d]{5}\d', line):
            key = line[:23]
        elif not section.startswith('Per-') and not section.startswith('Grand') \
                and not section.startswith('Host/') and section not in ('Messages with no size data', 'Message detail'):
            m = LEAF.match(line)
            if m:
                key = (m.group(1), m.group(2), normalize_host(m.group(3)))
        if key is not None and key == runkey:
            run.append(line)
            continue
        flush()
        if key is not None:
            run, runkey = [line], key
        else:
            out.append(line)
    flush()
    sys.stdout.buffer.write('\n'.join(out).encode('latin-1'))


main()
