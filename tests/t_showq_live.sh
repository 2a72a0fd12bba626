#!/bin/bash
# t_showq_live.sh - postq-mailq --showq and postq-qshape --showq (the
# showq client, lib/spool/showq) against postqueue -p / -j and qshape on
# live sandboxed Postfix instances (short and long queue ids) whose
# showq service runs and whose every queue holds mail that stays put
# (tests/lib/all_queues.sh; arrival times spread over 30 days with
# tests/lib/qshape_craft.py retime). Also: the same output through
# showq as from the spool (filters, --count-by, --by reason, --json), a
# client as a member of postdrop (works) and as a user outside it
# (refused, exit 77), and a stopped Postfix (exit 69). Every comparison
# goes through capture/check_same (tests/lib/common.sh): both sides exit
# 0 and print something, and no stage of a pipeline fails.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"
. "$(dirname "$0")/lib/all_queues.sh"

command -v postqueue >/dev/null || skip_all "postfix is not installed"
[ -x /usr/sbin/qshape ] || skip_all "no /usr/sbin/qshape"
why=$(sandbox_available) || skip_all "$why"
command -v setpriv >/dev/null || skip_all "no setpriv"
have_pinned || skip_all "no libfaketime"
ASAN_BIN=${ASAN_BIN:-}
QSHAPE=/usr/sbin/qshape
TIES="python3 $TOP/tests/lib/qshape_ties.py"
AS_POSTDROP="setpriv --reuid=nobody --regid=nogroup --groups=postdrop"
AS_NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"

frozen() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
# ft WHEN CMD...: CMD with the clock frozen at WHEN (as in t_qshape.sh).
ft() {
	local when=$1
	shift
	LD_PRELOAD=$FAKETIME_LIB FAKETIME="$(frozen "$when")" FAKETIME_SKIP_CMDS=postconf \
		NO_FAKE_STAT=1 ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@"
}

bins() { echo "$BIN" ${ASAN_BIN:+"$ASAN_BIN"}; }
tagof() { [ "$1" = "$BIN" ] && echo "$2" || echo "$2 (asan)"; }
# with_stderr CMD...: CMD's stderr on stdout too (compared along with it)
with_stderr() { "$@" 2>&1; }
# tied RAW OUT CMD...: CMD's output in RAW and, ties sorted, in OUT; RAW
# carries the same statuses as OUT (CMD's and the filter's)
tied() {
	local raw=$1 out=$2
	shift 2
	capture -f "tee $raw | $TIES" "$out" "$@"
	cp "$out.st" "$raw.st"
}
# totals: a qshape table's first two columns (the rows' totals)
totals() { awk '{ print $1, $2 }'; }

# no_diag LABEL FILE: nothing on stderr (a sanitizer report above all).
no_diag() {
	[ -s "$2" ] && fail "$1: nothing on stderr" "$(head -5 "$2")"
	return 0
}

mailq_vs_postqueue() {	# label
	local label=$1 tz bin mode
	for tz in UTC America/New_York Asia/Kolkata; do
		for mode in -p -j; do
			TZ=$tz capture "$TEST_TMP/want" postqueue -c "$SB_CONF" $mode 2>/dev/null
			for bin in $(bins); do
				TZ=$tz capture "$TEST_TMP/got" "$bin/postq-mailq" -c "$SB_CONF" --showq $mode 2>"$TEST_TMP/err"
				check_same "$(tagof "$bin" "$label: --showq $mode identical to postqueue $mode (TZ=$tz)")" \
					"$TEST_TMP/want" "$TEST_TMP/got"
				no_diag "$(tagof "$bin" "$label: --showq $mode")" "$TEST_TMP/err"
			done
		done
	done
	TZ=UTC capture "$TEST_TMP/want" postqueue -c "$SB_CONF" -p 2>/dev/null
	TZ=UTC capture "$TEST_TMP/got" "$BIN/postq-mailq" -c "$SB_CONF" --showq="$SB_SPOOL/public/showq"
	check_same "$label: --showq=PATH" "$TEST_TMP/want" "$TEST_TMP/got"
	# Without -c Postfix's defaults apply (smtputf8_enable = no, short
	# ids) to either source alike.
	TZ=UTC capture "$TEST_TMP/want.d" "$BIN/postq-mailq" --spool "$SB_SPOOL" 2>/dev/null
	TZ=UTC capture "$TEST_TMP/got" "$BIN/postq-mailq" --spool "$SB_SPOOL" --showq 2>/dev/null
	check_same "$label: --spool DIR --showq asks DIR/public/showq" "$TEST_TMP/want.d" "$TEST_TMP/got"
	TZ=UTC capture "$TEST_TMP/got" "$BIN/postq" mailq -c "$SB_CONF" --showq
	check_same "$label: postq mailq --showq" "$TEST_TMP/want" "$TEST_TMP/got"

	# Not root: a member of postdrop may ask showq, nobody else may.
	for mode in -p -j; do
		TZ=UTC capture "$TEST_TMP/want" postqueue -c "$SB_CONF" $mode 2>/dev/null
		TZ=UTC capture "$TEST_TMP/got" $AS_POSTDROP "$BIN/postq-mailq" -c "$SB_CONF" --showq $mode 2>"$TEST_TMP/err"
		check_same "$label: --showq $mode as nobody in group postdrop" "$TEST_TMP/want" "$TEST_TMP/got"
	done
	$AS_NOBODY "$BIN/postq-mailq" -c "$SB_CONF" --showq >"$TEST_TMP/got" 2>"$TEST_TMP/err"
	local rc=$?
	if [ $rc = 77 ] && [ ! -s "$TEST_TMP/got" ] && grep -q 'Permission denied.*postdrop' "$TEST_TMP/err"; then
		pass "$label: --showq as nobody outside postdrop: exit 77, $(cat "$TEST_TMP/err")"
	else
		fail "$label: --showq as nobody outside postdrop is refused (77)" "rc=$rc" "$(cat "$TEST_TMP/err")"
	fi
	# 77: a queue directory may not be read (postq-mailq(1)); nothing listed
	$AS_POSTDROP "$BIN/postq-mailq" -c "$SB_CONF" >"$TEST_TMP/got" 2>"$TEST_TMP/err"
	rc=$?
	[ $rc = 77 ] && [ ! -s "$TEST_TMP/got" ] && grep -q 'Permission denied' "$TEST_TMP/err" &&
		pass "$label: the spool itself stays closed to postdrop (exit $rc)" ||
		fail "$label: the spool itself stays closed to postdrop (exit 77, nothing listed)" "rc=$rc" \
			"$(cat "$TEST_TMP/err")" "$(head -3 "$TEST_TMP/got")"
}

# The same selection through either source. (Several --queue options
# in another order than showq's list in their order from the spool.)
mailq_filters() {	# label
	local label=$1 spec by
	while IFS= read -r spec; do
		[ -n "$spec" ] || continue
		eval "set -- $spec"
		TZ=UTC capture "$TEST_TMP/want" with_stderr "$BIN/postq-mailq" -c "$SB_CONF" "$@"
		TZ=UTC capture "$TEST_TMP/got" with_stderr "$BIN/postq-mailq" -c "$SB_CONF" --showq "$@"
		[ -s "$TEST_TMP/want" ] && ! grep -q '^Mail queue is empty' "$TEST_TMP/want" ||
			fail "$label: filter $spec selects something" "$(head -3 "$TEST_TMP/want")"
		check_same "$label: --showq $spec as from the spool" "$TEST_TMP/want" "$TEST_TMP/got"
	done <<'SPECS'
--queue deferred
--queue hold
--queue maildrop
--queue active --queue incoming
--queue active --queue deferred --queue hold
--from '^MAILER-DAEMON$' -j
--to '^defer' --ids
--to 'EXAMPLE\.COM$' --ignore-case
--reason 'sink' -j
--domain example.net --domain example.org
--older 1d
--newer 1h
--min-size 1k --max-size 5000
--to '^defer' --reason 'deferred by sink'
SPECS
	for by in sender recipient domain reason; do
		capture "$TEST_TMP/want" "$BIN/postq-mailq" -c "$SB_CONF" --count-by "$by"
		capture "$TEST_TMP/got" "$BIN/postq-mailq" -c "$SB_CONF" --showq --count-by "$by"
		check_same "$label: --showq --count-by $by as from the spool" "$TEST_TMP/want" "$TEST_TMP/got"
	done
}

qshape_vs_qshape() {	# label
	local label=$1 now o q bin
	now=$(($(date +%s) + 60))
	for o in "" "-s" "-p -m 1" "-s -p -m 2" "-b 5 -l -t 60" "-b 14 -t 1" "-w 120 -b 12"; do
		for q in "" "deferred" "hold" "maildrop" "deferred hold" "maildrop incoming active deferred hold"; do
			# shellcheck disable=SC2086
			capture -f "$TIES" "$TEST_TMP/want" ft "$now" "$QSHAPE" -c "$SB_CONF" $o $q 2>/dev/null
			for bin in $(bins); do
				[ "$bin" = "$BIN" ] || [ -z "$q" ] || [ "$q" = "deferred hold" ] || continue
				# shellcheck disable=SC2086
				tied "$TEST_TMP/got.raw" "$TEST_TMP/got" \
					ft "$now" "$bin/postq-qshape" -c "$SB_CONF" --showq $o $q 2>"$TEST_TMP/err"
				check_same "$(tagof "$bin" "$label: qshape $o ${q:-(incoming active)} through showq")" \
					"$TEST_TMP/want" "$TEST_TMP/got"
				no_diag "$(tagof "$bin" "$label: qshape --showq $o $q")" "$TEST_TMP/err"
				# shellcheck disable=SC2086
				capture "$TEST_TMP/spool.raw" ft "$now" "$bin/postq-qshape" -c "$SB_CONF" $o $q 2>/dev/null
				check_same "$(tagof "$bin" "$label: postq-qshape $o ${q:-(incoming active)} byte for byte as from the spool")" \
					"$TEST_TMP/spool.raw" "$TEST_TMP/got.raw"
			done
		done
	done
	# A day later, every column shifts.
	capture -f "$TIES" "$TEST_TMP/want" ft "$((now + 86400))" "$QSHAPE" -c "$SB_CONF" deferred hold 2>/dev/null
	capture -f "$TIES" "$TEST_TMP/got" ft "$((now + 86400))" "$BIN/postq-qshape" -c "$SB_CONF" --showq deferred hold
	check_same "$label: qshape deferred hold a day later through showq" "$TEST_TMP/want" "$TEST_TMP/got"
	local buckets st
	capture "$TEST_TMP/want" ft "$now" "$QSHAPE" -c "$SB_CONF" deferred hold 2>/dev/null
	st=$(cat "$TEST_TMP/want.st")
	buckets=$(awk '/TOTAL/ { n = 0; for (i = 3; i <= NF; i++) if ($i > 0) n++; print n }' "$TEST_TMP/want")
	[ "$st" = "0 0" ] && [ "${buckets:-0}" -ge 5 ] && pass "$label: the ages fill $buckets buckets" ||
		fail "$label: the ages fill several buckets" "qshape: exit statuses $st" "$(head -3 "$TEST_TMP/want")"
	# postq's extensions, both sources alike
	for o in "--by reason deferred hold" "--json -s deferred" "--by reason -w 200 --older 1d deferred" \
		"--to ^defer --domain example.com deferred hold" "--from ^MAILER-DAEMON$ -s deferred" \
		"--reason sink -p -m 1 deferred" "--min-size 1k maildrop incoming active deferred hold"; do
		# shellcheck disable=SC2086
		capture "$TEST_TMP/want" with_stderr ft "$now" "$BIN/postq-qshape" -c "$SB_CONF" $o
		# shellcheck disable=SC2086
		capture "$TEST_TMP/got" with_stderr ft "$now" "$BIN/postq-qshape" -c "$SB_CONF" --showq $o
		check_same "$label: postq-qshape $o through showq as from the spool" "$TEST_TMP/want" "$TEST_TMP/got"
	done
	# (a second may tick between the two: compare the rows' totals)
	capture -f totals "$TEST_TMP/got.t" $AS_POSTDROP "$BIN/postq-qshape" -c "$SB_CONF" --showq deferred hold \
		2>"$TEST_TMP/err"
	capture -f totals "$TEST_TMP/want.t" "$BIN/postq-qshape" -c "$SB_CONF" deferred hold
	check_same "$label: postq-qshape --showq as nobody in group postdrop" "$TEST_TMP/want.t" "$TEST_TMP/got.t"
	local rc
	for q in "$SB_SPOOL/deferred" corrupt; do
		"$BIN/postq-qshape" -c "$SB_CONF" --showq "$q" >"$TEST_TMP/got" 2>"$TEST_TMP/err"
		rc=$?
		[ $rc = 255 ] && grep -q 'not "' "$TEST_TMP/err" &&
			pass "$label: postq-qshape --showq refuses queue $(basename "$q")" ||
			fail "$label: postq-qshape --showq refuses queue $q" "rc=$rc" "$(cat "$TEST_TMP/err")"
	done
}

stopped() {	# label
	local label=$1 rc tool
	for tool in postq-mailq postq-qshape; do
		"$BIN/$tool" -c "$SB_CONF" --showq >"$TEST_TMP/got" 2>"$TEST_TMP/err"
		rc=$?
		[ $rc = 69 ] && grep -q 'is Postfix running' "$TEST_TMP/err" &&
			pass "$label: $tool --showq on a stopped Postfix: exit 69, $(cat "$TEST_TMP/err")" ||
			fail "$label: $tool --showq on a stopped Postfix: exit 69" "rc=$rc" "$(cat "$TEST_TMP/err")"
	done
}

sandbox_trap
sandbox_build_tools
for kind in short long; do
	if [ "$kind" = long ]; then sandbox_start "sq$kind" long; else sandbox_start "sq$kind"; fi ||
		{ fail "$kind: sandbox starts"; continue; }
	sandbox_inject_varied || fail "$kind: varied mail injected"
	sandbox_wait_quiet
	sandbox_fill_all_queues || fail "$kind: every queue filled"
	python3 "$TOP/tests/lib/qshape_craft.py" retime "$SB_SPOOL" "$(date +%s)"
	capture "$TEST_TMP/all.j" postqueue -c "$SB_CONF" -j 2>/dev/null ||
		fail "$kind: postqueue -j: exit 0" "exit statuses $(cat "$TEST_TMP/all.j.st")"
	for q in maildrop incoming active deferred hold; do
		grep -q "\"queue_name\": \"$q\"" "$TEST_TMP/all.j" || fail "$kind: mail in $q"
	done
	mailq_vs_postqueue "$kind ids"
	mailq_filters "$kind ids"
	qshape_vs_qshape "$kind ids"
	sandbox_stop
	stopped "$kind ids"
done
exit 0
