#!/usr/bin/env python3
"""pflogsumm_mklog.py OUT SIZE_MB LOG... - a big mail log for benchmarks.

Repeats the given real logs (RFC 3164 stamps) until OUT reaches SIZE_MB:
copy k is shifted k days later and every queue id gets a fresh value
(k and the id's index, in hex, same shape as a Postfix short id), so
messages do not merge across copies. Output goes under /tmp; never commit it.
"""
import datetime
import re
import sys

out, size_mb, logs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
QID = re.compile(r'(?<=: )([0-9A-F]{8,12})(?=: )')
MON = {m: i + 1 for i, m in enumerate('Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split())}
NAMES = {v: k for k, v in MON.items()}

templates = []
for path in logs:
    with open(path, 'rb') as f:
        text = f.read().decode('latin-1')
    ids = {}
    lines = []
    for line in text.splitlines():
        m = re.match(r'^([A-Z][a-z]{2}) ([ \d]\d) ', line)
        if not m or m.group(1) not in MON:
            continue
        parts = QID.split(line[6:])
        # parts: text, qid, text, qid, ... -> keep qid indexes
        segs = []
        for i, p in enumerate(parts):
            if i % 2:
                segs.append(ids.setdefault(p, len(ids)))
            else:
                segs.append(p)
        lines.append(((MON[m.group(1)], int(m.group(2))), segs))
    templates.append(lines)

limit = size_mb * 1000 * 1000
written = 0
k = 0
with open(out, 'w', encoding='latin-1', newline='\n') as f:
    while written < limit:
        for lines in templates:
            cache = {}
            buf = []
            for (mon, day), segs in lines:
                key = (mon, day)
                if key not in cache:
                    d = datetime.date(2015, mon, day) + datetime.timedelta(days=k)
                    cache[key] = '%s %2d' % (NAMES[d.month], d.day)
                s = [cache[key]]
                for i, p in enumerate(segs):
                    s.append('%05X%06X' % (k, p) if i % 2 else p)
                buf.append(''.join(s))
            chunk = '\n'.join(buf) + '\n'
            f.write(chunk)
            written += len(chunk)
            if written >= limit:
                break
        k += 1
print(f'{out}: {written} bytes, {k} copies', file=sys.stderr)
