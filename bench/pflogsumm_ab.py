#!/usr/bin/env python3
"""pflogsumm_ab.py LOG N BIN... - interleaved A/B timing of log summarisers.

Runs every BIN on LOG, N rounds, interleaved (so load changes hit all of
them alike); /usr/... binaries (the Perl pflogsumm) only every third
round. Each run is fork+exec+wait4 with stdout to /dev/null, LC_ALL=C,
TZ=UTC; prints wall time and the child's user+sys CPU time, best and
median. On a shared machine, wall equal to CPU means the run got one
CPU only.
"""
import os
import statistics
import sys
import time

log, n, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
env = dict(os.environ, LC_ALL='C', TZ='UTC')
res = {b: [] for b in bins}
devnull = os.open('/dev/null', os.O_WRONLY)
for i in range(n):
    for b in bins:
        if b.startswith('/usr/') and i % 3:
            continue
        t = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.dup2(devnull, 1)
            os.execve(b, [b, log], env)
        _, st, ru = os.wait4(pid, 0)
        w = time.perf_counter() - t
        if st != 0:
            sys.exit('%s failed' % b)
        res[b].append((w, ru.ru_utime + ru.ru_stime))
for b in bins:
    ws = sorted(x[0] for x in res[b])
    cs = sorted(x[1] for x in res[b])
    print('%-32s n=%2d wall best %.4f median %.4f | cpu best %.4f median %.4f' % (
        b, len(ws), ws[0], statistics.median(ws), cs[0], statistics.median(cs)))
print('load', open('/proc/loadavg').read().strip())
