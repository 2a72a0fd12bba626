#!/usr/bin/env python3
"""pflogsumm_ab.py LOG N [VAR=VAL,...@]BIN... - interleaved A/B timing of log summarisers.

Runs every BIN on LOG, N rounds, interleaved (so load changes hit all of
them alike); /usr/... binaries (the Perl pflogsumm) only every third
round. VAR=VAL,...@BIN runs BIN with those variables set (for instance
POSTQ_THREADS=1@bin/postq-pflogsumm), so one binary can be timed in
several modes. Stdout goes to /dev/null, LC_ALL=C, TZ=UTC; prints wall
time and the child's user+sys CPU time, best and median. On a shared
machine, wall equal to CPU means the run got one CPU only.

The children are started by posix_spawn (a vfork-like clone, as
subprocess in bench/pflogsumm.sh): a plain os.fork of the Python
process costs some 10 ms of page-table copying on the benchmark VM, a
third of a 26 MB run.
"""
import os
import statistics
import sys
import time

log, n, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
res = {s: [] for s in specs}
for i in range(n):
    for s in specs:
        envs, _, b = s.rpartition('@')
        if b.startswith('/usr/') and i % 3:
            continue
        env = dict(os.environ, LC_ALL='C', TZ='UTC')
        for kv in filter(None, envs.split(',')):
            k, _, v = kv.partition('=')
            env[k] = v
        t = time.perf_counter()
        pid = os.posix_spawn(b, [b, log], env,
                             file_actions=[(os.POSIX_SPAWN_OPEN, 1, '/dev/null', os.O_WRONLY, 0)])
        _, st, ru = os.wait4(pid, 0)
        w = time.perf_counter() - t
        if st != 0:
            sys.exit('%s failed' % s)
        res[s].append((w, ru.ru_utime + ru.ru_stime))
for s in specs:
    ws = sorted(x[0] for x in res[s])
    cs = sorted(x[1] for x in res[s])
    print('%-40s n=%2d wall best %.4f median %.4f | cpu best %.4f median %.4f' % (
        s, len(ws), ws[0], statistics.median(ws), cs[0], statistics.median(cs)))
print('load', open('/proc/loadavg').read().strip())
