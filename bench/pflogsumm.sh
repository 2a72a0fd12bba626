#!/bin/bash
# bench/pflogsumm.sh - pflogsumm 1.1.5-8 vs postq-pflogsumm, side by side.
#
# Builds two logs under /tmp (never committed) by repeating the real
# corpus logs with shifted days and fresh queue ids
# (bench/pflogsumm_mklog.py): ~26 MB and ~1 GB. Times both tools on the
# same file in the same run, checks that their reports agree (modulo tie
# order), prints median wall times (the two tools taking turns), their
# ratio and peak RSS (/usr/bin/time -v),
# and, with --write, appends the table to BENCHMARKS.md.
#
#   bash bench/pflogsumm.sh [--write] [--small-only]
set -eu
cd "$(dirname "$0")/.."
TOP=$PWD
WRITE=0 SMALL_ONLY=0
for a in "$@"; do
	case $a in
	--write) WRITE=1 ;;
	--small-only) SMALL_ONLY=1 ;;
	*) echo "usage: $0 [--write] [--small-only]" >&2; exit 2 ;;
	esac
done
export LC_ALL=C TZ=UTC
CORPUS=${CORPUS:-/work/shared/corpus/logs}
DIR=${BENCH_DIR:-/tmp/postq-bench-pflogsumm}
mkdir -p "$DIR"
make -s all
SRC=("$CORPUS/kdent-mail.log" "$CORPUS/kdent-mail2.log" "$CORPUS/kdent-mail3.log")
[ -s "$DIR/26mb.log" ] || python3 bench/pflogsumm_mklog.py "$DIR/26mb.log" 26 "${SRC[@]}"
[ $SMALL_ONLY = 1 ] || [ -s "$DIR/1gb.log" ] || python3 bench/pflogsumm_mklog.py "$DIR/1gb.log" 1000 "${SRC[@]}"

# pair N LOG LABEL: run pflogsumm and ours on LOG N times each, taking turns
# (so a slow stretch of the shared machine hits both), and print the
# table row: median wall times (Python's perf_counter around the bare
# command), their ratio, and peak RSS from one more run of each under
# /usr/bin/time -v. The reports of the last turn are compared.
pair() {
	local n=$1 log=$2 label=$3
	python3 - "$n" "$log" "$label" "$DIR" /usr/sbin/pflogsumm "$TOP/bin/postq-pflogsumm" <<'PY'
import os, re, statistics, subprocess, sys, time
n, log, label, d, perl, ours = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
times = {perl: [], ours: []}
outs = {perl: d + '/perl.out', ours: d + '/c.out'}
for _ in range(n):
    for cmd in (perl, ours):
        with open(outs[cmd], 'wb') as f:
            t = time.perf_counter()
            subprocess.run([cmd, log], stdout=f, check=True)
            times[cmd].append(time.perf_counter() - t)
def rss(cmd):
    p = subprocess.run(['/usr/bin/time', '-v', cmd, log], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(re.search(rb'Maximum resident set size \(kbytes\): (\d+)', p.stderr).group(1)) // 1024
def norm(path):
    with open(path, 'rb') as f:
        return subprocess.run(['python3', 'tests/lib/pflogsumm_ties.py'], stdin=f, capture_output=True).stdout
same = 'identical' if norm(outs[perl]) == norm(outs[ours]) else 'DIFFERENT'
mp, mc = statistics.median(times[perl]), statistics.median(times[ours])
print('| %s | %d bytes | %.2f s (best %.2f) | %.3f s (best %.3f) | **%.1f×** | %d MB | %d MB | %s |' % (
    label, os.stat(log).st_size, mp, min(times[perl]), mc, min(times[ours]), mp / mc, rss(perl), rss(ours), same))
PY
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "| log | size | pflogsumm 1.1.5-8 | postq-pflogsumm | speed-up (medians) | pflogsumm peak RSS | postq peak RSS | reports |"
	echo "|---|---|---|---|---|---|---|---|"
	pair 11 "$DIR/26mb.log" "26 MB (9 copies of kdent-mail*.log), median of 11 turns"
	[ $SMALL_ONLY = 1 ] || pair 3 "$DIR/1gb.log" "1 GB (342 copies of kdent-mail*.log), median of 3 turns"
} | tee "$DIR/table.md"
if [ $WRITE = 1 ]; then
	{
		[ -s BENCHMARKS.md ] || echo "# Benchmarks"
		echo
		echo "## postq-pflogsumm"
		echo
		echo "$(date -u +%Y-%m-%d), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), LC_ALL=C, files in the page cache,"
		echo "default options (no -e), both tools on the same file in the same run;"
		echo "load average before the run: $LOAD_BEFORE (the machine is shared). Command:"
		echo
		echo "    bash bench/pflogsumm.sh --write"
		echo
		cat "$DIR/table.md"
		echo
		echo "\"reports\": the two reports compared modulo tie order (tests/lib/pflogsumm_ties.py)."
	} >>BENCHMARKS.md
fi
