#!/bin/bash
# qshape.sh - postq-qshape against Postfix's qshape (Perl) on a large
# spool, side by side in one run, for "deferred" and "-s -p deferred hold".
# Prints a Markdown table for BENCHMARKS.md.
#
#   bash bench/qshape.sh [COUNT]        (default 200000 messages)
#
# The spool is built once under $BENCH_DIR (default /tmp/postq-bench) by
# cloning the real queue files of tests/fixtures/spool-short.tar.gz under
# fresh queue ids that match their inode numbers, in the right hash
# directories, with their defer logs (bench/make-spool.py; the same spool
# bench/mailq.sh uses). Caches are warm: every command runs once before
# it is timed; each figure is the median of 3 runs, wall time and peak
# RSS from /usr/bin/time -v. The outputs are compared too (modulo the
# order of tied rows, which is random in qshape).
set -eu
cd "$(dirname "$0")/.."
N=${1:-200000}
. bench/lib.sh
make -s all
bench_spool "$N"
etc=$W/etc-qshape-$N
bench_conf "$etc" </dev/null

# time_it NAME CMD...: "NAME seconds maxrss_kb", median of 3 warm runs.
time_it() {
	local name=$1
	shift
	"$@" >/dev/null 2>&1 || true
	local runs=() i
	for i in 1 2 3; do
		/usr/bin/time -v -o "$W/time.out" "$@" >/dev/null 2>&1 || true
		runs+=("$(awk -F': ' '
			/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0
				for (k = 1; k <= n; k++) s = s * 60 + t[k] }
			/Maximum resident set size/ { kb = $2 }
			END { printf "%.2f %d\n", s, kb }' "$W/time.out")")
	done
	printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | {
		read -r secs kb
		echo "$name $secs $kb"
	}
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }
f() { echo "$1" | awk -v k="$2" '{ print $k }'; }

files=$(find "$spool"/{deferred,hold} -type f | wc -l)
echo
echo "Spool: $files message files in deferred and hold (+ defer logs), short ids, $(du -sh "$spool" | cut -f1)."
echo
echo "| command | qshape s | postq-qshape s | speed-up | qshape peak RSS KB | postq-qshape peak RSS KB | output |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for args in "deferred" "-s -p deferred hold"; do
	# shellcheck disable=SC2086
	a=$(time_it qshape /usr/sbin/qshape -c "$etc" $args)
	# shellcheck disable=SC2086
	b=$(time_it postq-qshape bin/postq-qshape -c "$etc" $args)
	# shellcheck disable=SC2086
	/usr/sbin/qshape -c "$etc" $args 2>/dev/null | python3 tests/lib/qshape_ties.py >"$W/qa.out"
	# shellcheck disable=SC2086
	bin/postq-qshape -c "$etc" $args 2>/dev/null | python3 tests/lib/qshape_ties.py >"$W/qb.out"
	same=$(cmp -s "$W/qa.out" "$W/qb.out" && echo "identical (mod ties)" || echo DIFFERENT)
	echo "| \`qshape $args\` | $(f "$a" 2) | $(f "$b" 2) | $(ratio "$(f "$a" 2)" "$(f "$b" 2)")x | $(f "$a" 3) | $(f "$b" 3) | $same |"
done
