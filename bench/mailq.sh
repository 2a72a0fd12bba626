#!/bin/bash
# mailq.sh - postq-mailq against postqueue -p on a large spool, side by
# side in one run, with the bare-read floor (open and read every queue
# file once). Prints a Markdown table for BENCHMARKS.md.
#
#   bash bench/mailq.sh [COUNT]        (default 200000 messages)
#
# The spool is built once under $BENCH_DIR (default /tmp/postq-bench) by
# cloning the real queue files of tests/fixtures/spool-short.tar.gz
# (bench/make-spool.py). Caches are warm: every command runs once before
# it is timed; each figure is the median of 3 runs. postqueue runs as
# root with no master process, so it starts showq itself (the same code
# that serves the showq socket) and prints a warning that says so.
set -eu
cd "$(dirname "$0")/.."
TOP=$PWD
N=${1:-200000}
. bench/lib.sh
make -s all
bench_spool "$N"
etc=$W/etc-short-$N
bench_conf "$etc" <<EOC
compatibility_level = 3.6
maillog_file = /dev/stdout
EOC
cc -O2 -o "$W/bare_read" bench/bare_read.c

# time_it NAME CMD...: median wall seconds and max RSS of 3 warm runs.
time_it() {
	local name=$1
	shift
	"$@" >/dev/null 2>&1 || true
	local runs=()
	for i in 1 2 3; do
		/usr/bin/time -f "%e %M %U %S" -o "$W/time.out" "$@" >/dev/null 2>&1 || true
		runs+=("$(cat "$W/time.out")")
	done
	printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | {
		read -r secs kb user sys
		echo "$name $secs $kb $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
	}
}

export TZ=UTC
files=$(find "$spool"/{deferred,hold,active} -type f | wc -l)
r_pq=$(time_it postqueue postqueue -c "$etc" -p)
r_us=$(time_it postq-mailq bin/postq-mailq -c "$etc")
r_uj=$(time_it postq-mailq-j bin/postq-mailq -c "$etc" -j)
r_pj=$(time_it postqueue-j postqueue -c "$etc" -j)
r_bare=$(time_it bare_read sh -c "cd '$spool' && '$W/bare_read' maildrop active incoming deferred hold defer")

# Identical output is part of the claim.
postqueue -c "$etc" -p 2>/dev/null | md5sum >"$W/a.md5"
bin/postq-mailq -c "$etc" | md5sum >"$W/b.md5"
same=$(cmp -s "$W/a.md5" "$W/b.md5" && echo identical || echo DIFFERENT)

secs() { echo "$1" | awk '{print $2}'; }
cpu() { echo "$1" | awk '{print $4}'; }
rss() { echo "$1" | awk '{print $3}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }

echo
echo "Spool: $files message files (+ defer logs), short ids, $(du -sh "$spool" | cut -f1); output $same."
echo
echo "| command | seconds (median of 3, warm) | CPU s (user+sys, all processes) | peak RSS (KB) | postqueue / this (wall) | (CPU) |"
echo "| --- | --- | --- | --- | --- | --- |"
for r in "$r_pq" "$r_us" "$r_pj" "$r_uj" "$r_bare"; do
	base=$r_pq
	case $r in postqueue-j* | postq-mailq-j*) base=$r_pj ;; esac
	echo "| $(echo "$r" | awk '{print $1}') | $(secs "$r") | $(cpu "$r") | $(rss "$r") | $(ratio "$(secs "$base")" "$(secs "$r")") | $(ratio "$(cpu "$base")" "$(cpu "$r")") |"
done
echo
echo "postq-mailq / bare_read: $(ratio "$(secs "$r_us")" "$(secs "$r_bare")") (wall), $(ratio "$(cpu "$r_us")" "$(cpu "$r_bare")") (CPU)"

# Memory must not grow with the queue: the same listing of a 2,000-message spool.
big=$spool
bench_spool 2000
bench_conf "$W/etc-short-2000" </dev/null
r_small=$(time_it postq-mailq-2000 bin/postq-mailq -c "$W/etc-short-2000")
echo "postq-mailq peak RSS: $(rss "$r_small") KB at 2,000 messages, $(rss "$r_us") KB at $N."
spool=$big
