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
W=${BENCH_DIR:-/tmp/postq-bench}
spool=$W/spool-short-$N
etc=$W/etc-short-$N

make -s all
cc -O2 -o "$W/bare_read" bench/bare_read.c 2>/dev/null || { mkdir -p "$W"; cc -O2 -o "$W/bare_read" bench/bare_read.c; }

if [ ! -d "$spool" ]; then
	rm -rf "$W/template-short"
	mkdir -p "$W/template-short"
	tar --warning=no-timestamp -xzf tests/fixtures/spool-short.tar.gz -C "$W/template-short"
	echo "building $spool ($N messages)..." >&2
	python3 bench/make-spool.py "$W/template-short" "$spool" "$N"
fi
mkdir -p "$etc"
{
	cat tests/fixtures/spool-short.main.cf
	echo "queue_directory = $spool"
	echo "compatibility_level = 3.6"
	echo "maillog_file = /dev/stdout"
} >"$etc/main.cf"
cp /usr/share/postfix/master.cf.dist "$etc/master.cf"

# time_it NAME CMD...: median wall seconds and max RSS of 3 warm runs.
time_it() {
	local name=$1
	shift
	"$@" >/dev/null 2>&1 || true
	local runs=()
	for i in 1 2 3; do
		/usr/bin/time -f "%e %M" -o "$W/time.out" "$@" >/dev/null 2>&1 || true
		runs+=("$(cat "$W/time.out")")
	done
	printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | {
		read -r secs kb
		echo "$name $secs $kb"
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
rss() { echo "$1" | awk '{print $3}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }

echo
echo "Spool: $files message files (+ defer logs), short ids, $(du -sh "$spool" | cut -f1); output $same."
echo
echo "| command | seconds (median of 3, warm) | peak RSS (KB) | postqueue / this |"
echo "| --- | --- | --- | --- |"
for r in "$r_pq" "$r_us" "$r_pj" "$r_uj" "$r_bare"; do
	base=$r_pq
	case $r in postqueue-j* | postq-mailq-j*) base=$r_pj ;; esac
	echo "| $(echo "$r" | awk '{print $1}') | $(secs "$r") | $(rss "$r") | $(ratio "$(secs "$base")" "$(secs "$r")") |"
done
echo
echo "postq-mailq / bare_read: $(ratio "$(secs "$r_us")" "$(secs "$r_bare")")"
