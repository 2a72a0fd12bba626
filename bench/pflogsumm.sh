#!/bin/bash
# bench/pflogsumm.sh - pflogsumm 1.1.5-8 vs postq-pflogsumm, side by side.
#
# Builds two logs under /tmp (never committed) by repeating the real
# corpus logs with shifted days and fresh queue ids
# (bench/pflogsumm_mklog.py): ~26 MB and ~1 GB. Times both tools on the
# same file in the same run, checks that their reports agree (modulo tie
# order), prints wall time, the ratio and peak RSS (/usr/bin/time -v),
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

# timed N OUT CMD...: run CMD N times; prints "best_wall_seconds
# peak_rss_kb". Wall clock from Python's perf_counter around the bare
# command (no wrapper in the timed runs); peak RSS from one more run
# under /usr/bin/time -v.
timed() {
	python3 - "$@" <<'PY'
import re, subprocess, sys, time
n, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
best = None
for _ in range(n):
    with open(out, 'wb') as f:
        t = time.perf_counter()
        subprocess.run(cmd, stdout=f, check=True)
        t = time.perf_counter() - t
    best = t if best is None else min(best, t)
p = subprocess.run(['/usr/bin/time', '-v'] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
rss = int(re.search(rb'Maximum resident set size \(kbytes\): (\d+)', p.stderr).group(1))
print('%.3f %d' % (best, rss))
PY
}
run() {
	local log=$1 label=$2 n=$3 ps cs pr cr
	read -r ps pr < <(timed "$n" "$DIR/perl.out" /usr/sbin/pflogsumm "$log")
	read -r cs cr < <(timed "$n" "$DIR/c.out" "$TOP/bin/postq-pflogsumm" "$log")
	python3 tests/lib/pflogsumm_ties.py <"$DIR/perl.out" >"$DIR/perl.n"
	python3 tests/lib/pflogsumm_ties.py <"$DIR/c.out" >"$DIR/c.n"
	local same=identical
	cmp -s "$DIR/perl.n" "$DIR/c.n" || same=DIFFERENT
	local size ratio
	size=$(stat -L -c %s "$log")
	ratio=$(python3 -c "print('%.1f' % ($ps / $cs))")
	printf '| %s | %s bytes | %.2f s | %.3f s | **%s×** | %s MB | %s MB | %s |\n' "$label" \
		"$size" "$ps" "$cs" "$ratio" "$((pr / 1024))" "$((cr / 1024))" "$same"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo "| log | size | pflogsumm 1.1.5-8 | postq-pflogsumm | speed-up | pflogsumm peak RSS | postq peak RSS | reports |"
	echo "|---|---|---|---|---|---|---|---|"
	run "$DIR/26mb.log" "26 MB (9 copies of kdent-mail*.log), best of 3" 3
	[ $SMALL_ONLY = 1 ] || run "$DIR/1gb.log" "1 GB (342 copies of kdent-mail*.log), one run" 1
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
