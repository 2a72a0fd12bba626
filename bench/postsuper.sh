#!/bin/bash
# postsuper.sh - postq-postsuper against the real postsuper on a large
# spool, side by side in one run. Prints a Markdown table for
# BENCHMARKS.md.
#
#   bash bench/postsuper.sh [COUNT]        (default 200000 messages; root)
#
# A pristine spool is built once under $BENCH_DIR (default
# /tmp/postq-bench-postsuper) by cloning the real queue files of
# tests/fixtures/spool-short.tar.gz (bench/make-spool.py). Every timed run
# gets its own working copy made with "cp -al" (hard links: quick, and
# renames or deletes in the copy leave the pristine spool alone; nothing
# timed here changes file contents or modes), made before the clock
# starts. Each figure is the median of $ROUNDS (default 5) rounds in
# which the two tools take turns. Both tools log to a file
# (maillog_file), as a Postfix with no postlogd running makes them do.
#
# Operations: -h ALL deferred, -H ALL, -d ALL, and a filtered hold of
# about 10% of the queue: postq-postsuper -h --from RE against the
# guides' pipeline "postqueue -p | awk | tr | postsuper -h -".
set -eu
cd "$(dirname "$0")/.."
N=${1:-200000}
W=${BENCH_DIR:-/tmp/postq-bench-postsuper}
P=$W/pristine-$N
S=$W/spool
etc=$W/etc

make -s all
if [ ! -d "$P" ]; then
	rm -rf "$W/template-short"
	mkdir -p "$W/template-short"
	tar --warning=no-timestamp -xzf tests/fixtures/spool-short.tar.gz -C "$W/template-short"
	echo "building $P ($N messages)..." >&2
	python3 bench/make-spool.py "$W/template-short" "$P" "$N"
fi
# postsuper's default queue list must exist
for q in defer bounce maildrop incoming active deferred hold flush trace; do
	[ -d "$P/$q" ] || { mkdir -p "$P/$q"; chown postfix: "$P/$q"; chmod 700 "$P/$q"; }
done
chmod 755 "$W"
mkdir -p "$etc" "$W/log"
chmod 755 "$etc" "$W/log"
: >"$W/log/maillog"
chown postfix: "$W/log/maillog"
{
	cat tests/fixtures/spool-short.main.cf
	echo "queue_directory = $S"
	echo "compatibility_level = 3.6"
	echo "maillog_file = $W/log/maillog"
	echo "maillog_file_prefixes = $W/log"
} >"$etc/main.cf"
cp /usr/share/postfix/master.cf.dist "$etc/master.cf"

reset() {
	rm -rf "$S"
	cp -al "$P" "$S"
	: >"$W/log/maillog"
	sync
}

# pair_it CMD_A CMD_B: "median_a median_b" wall seconds over $ROUNDS
# rounds, each round running A then B, each on a fresh copy. Taking
# turns keeps slow stretches of the machine (journal commits, other
# jobs) from landing on one tool only.
ROUNDS=${ROUNDS:-5}
pair_it() {
	local as=() bs=() i
	for ((i = 0; i < ROUNDS; i++)); do
		reset
		/usr/bin/time -f "%e" -o "$W/time.out" bash -c "$1" >/dev/null 2>"$W/err.out" || true
		as+=("$(tail -1 "$W/time.out")")
		reset
		/usr/bin/time -f "%e" -o "$W/time.out" bash -c "$2" >/dev/null 2>"$W/err.out" || true
		bs+=("$(tail -1 "$W/time.out")")
	done
	local mid=$(((ROUNDS + 1) / 2))
	echo "$(printf '%s\n' "${as[@]}" | sort -n | sed -n ${mid}p) $(printf '%s\n' "${bs[@]}" | sort -n | sed -n ${mid}p)"
}

export TZ=UTC LC_ALL=C
reset
total=$(find "$S"/{deferred,hold,active,incoming} -type f | wc -l)
# the sender of about 10% of the messages
read -r sel_count sel_sender < <(bin/postq-mailq -c "$etc" --count-by sender |
	awk -v t="$total" '{ d = $1 - t / 10; if (d < 0) d = -d; print d, $1, $2 }' |
	sort -n | head -1 | cut -d' ' -f2-)
sel_re="^$(printf '%s' "$sel_sender" | sed 's/[].[^$*+?(){}|\\]/\\&/g')\$"

ps_=/usr/sbin/postsuper
us=bin/postq-postsuper
read -r r1a r1b < <(pair_it "$ps_ -c $etc -h ALL deferred" "$us -c $etc -h ALL deferred")
read -r r2a r2b < <(pair_it "$ps_ -c $etc -H ALL" "$us -c $etc -H ALL")
read -r r3a r3b < <(pair_it "$ps_ -c $etc -d ALL" "$us -c $etc -d ALL")
pipeline="postqueue -c $etc -p 2>/dev/null | tail -n +2 | grep -v '^ *(' | awk 'BEGIN { RS = \"\" } { if (\$7 == \"$sel_sender\") print \$1 }' | tr -d '*!' | $ps_ -c $etc -h -"
ours="$us -c $etc -h --from '$sel_re' --queue incoming --queue active --queue deferred --yes"
read -r r4a r4b < <(pair_it "$pipeline" "$ours")

# The same selection is part of the claim: both leave the same hold queue.
reset
bash -c "$pipeline" 2>/dev/null
(cd "$S/hold" && ls | sort) >"$W/hold.a"
reset
bash -c "$ours" 2>/dev/null
(cd "$S/hold" && ls | sort) >"$W/hold.b"
same=$(cmp -s "$W/hold.a" "$W/hold.b" && echo "same $(wc -l <"$W/hold.a") files in hold" || echo DIFFERENT)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "inf" }'; }
echo
echo "Spool: $total message files (+ defer logs), short ids; filtered hold selects $sel_count messages of sender $sel_sender; result: $same."
echo
echo "| operation | postsuper s | postq-postsuper s | speed-up |"
echo "| --- | --- | --- | --- |"
echo "| \`-h ALL deferred\` | $r1a | $r1b | $(ratio "$r1a" "$r1b")x |"
echo "| \`-H ALL\` | $r2a | $r2b | $(ratio "$r2a" "$r2b")x |"
echo "| \`-d ALL\` | $r3a | $r3b | $(ratio "$r3a" "$r3b")x |"
echo "| hold ~10% by sender: \`postqueue -p \| awk \| postsuper -h -\` vs \`postq-postsuper -h --from\` | $r4a | $r4b | $(ratio "$r4a" "$r4b")x |"
rm -rf "$S"
