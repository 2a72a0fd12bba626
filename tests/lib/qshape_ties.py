#!/usr/bin/env python3
"""qshape_ties.py - normalise qshape output for comparison modulo ties.

    qshape_ties.py [--mask-last] < output > normalised

qshape sorts rows by count (descending), then by name length; rows with
equal count and equal length come in Perl's random hash order, and
postq-qshape puts them in byte order. This script sorts every run of
consecutive rows with the same count and the same shown name length, so
two outputs that differ only in that order become identical. Several
tables in one stream (qshape's batches on a terminal, each one starting
where a heading line "... T 5 10 ..." is) are handled one by one.

--mask-last: also reduce the rows of the last run of each table to "?"
and the row total: with a row limit (-n on a terminal) the cut can fall
inside a run of ties, and then which of the tied rows made it in (name
and bucket counts) is random too.
"""
import re
import sys

ESC = re.compile(rb"^(\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9])*")


def tokens(line):
    return line.split()


def main():
    mask = "--mask-last" in sys.argv
    # a terminal (script(1)'s pty) ends lines with CR LF
    data = sys.stdin.buffer.read().replace(b"\r\n", b"\n")
    if not data:
        return  # nothing in, nothing out: an empty output must stay empty
    lines = data.split(b"\n")
    trailing = lines[-1] == b""
    if trailing:
        lines = lines[:-1]
    out, table, ncols, pending = [], None, 0, b""

    def flush():
        if table is None:
            return
        head, rows = table
        out.append(head)
        groups, cur, key = [], [], None
        for text, k in rows:
            if k != key and cur:
                groups.append(cur)
                cur = []
            cur.append(text)
            key = k
        if cur:
            groups.append(cur)
        for gi, g in enumerate(groups):
            g = sorted(g)
            if mask and gi == len(groups) - 1:
                g = [re.sub(rb"^.*?( +\d+)( +\d+){%d}$" % (ncols - 1), rb"?\1", t, flags=re.S)
                     for t in g]
            out.extend(g)

    for line in lines:
        bare = ESC.sub(b"", line)
        t = tokens(bare)
        if t and t[0] == b"T" and not pending:
            flush()
            table = (line, [])
            ncols = len(t)
            continue
        if table is None:
            out.append(line)
            continue
        pending = pending + b"\n" + line if pending else line
        t = tokens(line)
        if len(t) >= ncols and all(x.isdigit() for x in t[-ncols:]):
            m = re.match(rb"^(.*?)(( +\d+){%d})$" % ncols, pending, re.S)
            if m is None:
                sys.exit("qshape_ties.py: cannot split row: %r" % pending)
            name = m.group(1).lstrip(b" ")
            count = m.group(2).split()[0]
            table[1].append((pending, (count, len(name))))
            pending = b""
    if pending:
        out.append(pending)
    flush()
    sys.stdout.buffer.write(b"\n".join(out) + (b"\n" if trailing else b""))


main()
