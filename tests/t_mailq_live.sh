#!/bin/bash
# t_mailq_live.sh - postq-mailq against the real postqueue on live
# sandboxed Postfix instances (short and long queue ids): -p and -j byte
# for byte in several time zones, every filter against a brute-force
# selection over postqueue -j, --count-by likewise, and the postq front.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"

command -v postqueue >/dev/null || skip_all "postfix is not installed"
ASAN_BIN=${ASAN_BIN:-}

compare_listing() {	# label
	local label=$1 tz bin
	for tz in UTC America/New_York Asia/Kolkata; do
		TZ=$tz capture "$TEST_TMP/want.p" postqueue -c "$SB_CONF" -p 2>"$TEST_TMP/want.err"
		TZ=$tz capture "$TEST_TMP/want.j" postqueue -c "$SB_CONF" -j 2>>"$TEST_TMP/want.err"
		for bin in "$BIN" ${ASAN_BIN:+"$ASAN_BIN"}; do
			local tag=$label
			[ "$bin" = "$BIN" ] || tag="$label asan"
			TZ=$tz capture "$TEST_TMP/got.p" "$bin/postq-mailq" -c "$SB_CONF" 2>"$TEST_TMP/got.err"
			check_same "$tag: -p identical to postqueue -p (TZ=$tz)" "$TEST_TMP/want.p" "$TEST_TMP/got.p"
			TZ=$tz capture "$TEST_TMP/got.j" "$bin/postq-mailq" -c "$SB_CONF" -j 2>>"$TEST_TMP/got.err"
			check_same "$tag: -j identical to postqueue -j (TZ=$tz)" "$TEST_TMP/want.j" "$TEST_TMP/got.j"
			if [ -s "$TEST_TMP/got.err" ]; then
				fail "$tag: no diagnostics on a healthy spool" "$(head -5 "$TEST_TMP/got.err")"
			fi
		done
	done
	TZ=UTC capture "$TEST_TMP/want.p" postqueue -c "$SB_CONF" -p 2>/dev/null
	TZ=UTC capture "$TEST_TMP/got.p" "$BIN/postq" mailq -c "$SB_CONF"
	check_same "$label: 'postq mailq' runs postq-mailq" "$TEST_TMP/want.p" "$TEST_TMP/got.p"
	# Reader threads, and plain system calls instead of io_uring
	# batches (what a kernel without io_uring gets).
	local how
	for how in POSTQ_THREADS=1 POSTQ_THREADS=3 POSTQ_THREADS=8 \
		POSTQ_TEST=uring=0 "POSTQ_TEST=uring=0 POSTQ_THREADS=1"; do
		capture "$TEST_TMP/got.p" env TZ=UTC $how "$BIN/postq-mailq" -c "$SB_CONF"
		check_same "$label: same listing with $how" "$TEST_TMP/want.p" "$TEST_TMP/got.p"
	done
}

check_filters() {	# label
	local label=$1
	local n st
	postqueue -c "$SB_CONF" -j >"$TEST_TMP/oracle.j" 2>/dev/null
	st=$?
	n=$(wc -l <"$TEST_TMP/oracle.j")
	[ "$st" = 0 ] && [ "$n" -gt 10 ] && pass "$label: the queue has $n messages to filter" ||
		fail "$label: the queue has only $n messages (postqueue -j: exit $st)"
	# "empty:" marks a filter that rightly selects nothing here (the
	# queue is quiet, every address is lower case, every message is new,
	# every reason starts with "host")
	local empty
	while IFS= read -r spec; do
		[ -n "$spec" ] || continue
		empty=()
		case $spec in "empty: "*) spec=${spec#empty: }; empty=(--empty) ;; esac
		eval "set -- $spec"
		capture -f sort "$TEST_TMP/want.ids" \
			python3 "$TOP/tests/lib/brute_select.py" ids "$@" <"$TEST_TMP/oracle.j"
		capture -f sort "$TEST_TMP/got.ids" "$BIN/postq-mailq" -c "$SB_CONF" --ids "$@"
		check_same "${empty[@]}" "$label: filter $spec selects $(wc -l <"$TEST_TMP/want.ids") as brute force does" \
			"$TEST_TMP/want.ids" "$TEST_TMP/got.ids"
	done <<'SPECS'
--queue deferred
--queue hold
--queue deferred --queue hold
empty: --queue active --queue incoming
--from '^MAILER-DAEMON$'
--from 'sender'
--to '^defer'
--to 'EXAMPLE\.COM$' --ignore-case
empty: --to 'EXAMPLE\.COM$'
--reason 'sink'
empty: --reason '^4[0-9][0-9] '
--reason '^host [^ ]* said: 4[0-9][0-9] '
--domain example.com
--domain example.com --domain example.net
--to '^defer' --reason 'deferred by sink'
--to '^ok' --reason 'deferred'
--min-size 1k
--max-size 700
--min-size 500 --max-size 2000
empty: --older 1h
--newer 1h
--domain example.org --from '.'
SPECS
	local by
	for by in sender recipient domain; do
		capture "$TEST_TMP/want.c" python3 "$TOP/tests/lib/brute_select.py" count "$by" <"$TEST_TMP/oracle.j"
		capture "$TEST_TMP/got.c" "$BIN/postq-mailq" -c "$SB_CONF" --count-by "$by"
		check_same "$label: --count-by $by matches brute force" "$TEST_TMP/want.c" "$TEST_TMP/got.c"
	done
	# Reasons are counted by class (addresses, hosts, numbers masked):
	# the same recipients in all, in no more rows than raw reasons, none
	# of them showing an address or an IP address. Both exit 0.
	local bad=()
	capture "$TEST_TMP/want.c" python3 "$TOP/tests/lib/brute_select.py" count reason <"$TEST_TMP/oracle.j" ||
		bad+=("brute force: exit statuses $(cat "$TEST_TMP/want.c.st")")
	capture "$TEST_TMP/got.c" "$BIN/postq-mailq" -c "$SB_CONF" --count-by reason ||
		bad+=("postq-mailq: exit statuses $(cat "$TEST_TMP/got.c.st")")
	local wt gt wr gr
	wt=$(awk '{ s += $1 } END { print s + 0 }' "$TEST_TMP/want.c")
	gt=$(awk '{ s += $1 } END { print s + 0 }' "$TEST_TMP/got.c")
	wr=$(wc -l <"$TEST_TMP/want.c")
	gr=$(wc -l <"$TEST_TMP/got.c")
	if [ ${#bad[@]} -eq 0 ] && [ "$wt" -gt 0 ] && [ "$wt" = "$gt" ] && [ "$gr" -le "$wr" ] && [ "$gr" -gt 0 ] &&
	   ! grep -Eq '@|[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+' "$TEST_TMP/got.c"; then
		pass "$label: --count-by reason: $gt recipients in $gr classes ($wr raw reasons)"
	else
		fail "$label: --count-by reason groups by class" "want total $wt in $wr rows, got $gt in $gr" \
			${bad[@]+"${bad[@]}"} "$(head -5 "$TEST_TMP/got.c")"
	fi
}

sandbox_trap
sandbox_build_tools || fail "sandbox tools build"
for kind in short long; do
	if [ "$kind" = long ]; then sandbox_start "mq$kind" long; else sandbox_start "mq$kind"; fi ||
		{ fail "$kind: sandbox starts"; continue; }
	sandbox_inject_varied || fail "$kind: injection"
	sandbox_wait_quiet || fail "$kind: queue settles"
	compare_listing "$kind ids"
	check_filters "$kind ids"
	sandbox_stop
done
exit 0
