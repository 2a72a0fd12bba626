#!/bin/bash
# t_snapshot_live.sh - the queue snapshot (lib/spool/snapshot) on a live
# sandboxed Postfix whose every queue holds mail (tests/lib/all_queues.sh;
# arrival times spread over 30 days with tests/lib/qshape_craft.py retime):
# per-queue messages, bytes, recipients, oldest age, the age and size
# histograms and the per-domain recipients against what postqueue -j
# lists, the corrupt queue against find(1); built from the spool and
# from showq (as root and as a member of postdrop, who cannot read
# corrupt), at several "now"s. The snapshot is printed by the unit test
# binary's dump mode (tests/unit/test_snapshot.c). Every dump, oracle
# and normalisation is captured with its exit status (capture/check_same,
# tests/lib/common.sh): a dump that failed fails its comparisons.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"
. "$(dirname "$0")/lib/all_queues.sh"

command -v postqueue >/dev/null || skip_all "postfix is not installed"
why=$(sandbox_available) || skip_all "$why"
command -v setpriv >/dev/null || skip_all "no setpriv"
SNAPS=$TOP/build/tests/unit/test_snapshot
[ -x "$SNAPS" ] || skip_all "no $SNAPS (make unit)"
if [ -n "${ASAN_BIN:-}" ] && [ -x "$ASAN_BIN/../tests/unit/test_snapshot" ]; then
	SNAPS="$SNAPS $ASAN_BIN/../tests/unit/test_snapshot"
fi
ORACLE="python3 $TOP/tests/lib/snapshot_oracle.py"

# compare LABEL NOW CORRUPT_FILES CORRUPT_BYTES DUMP: the dump (captured
# by dump_to, so with its exit status in DUMP.st) against postqueue -j
# ($TEST_TMP/j). A dump that did not exit 0 fails here, whatever it
# printed.
compare() {
	local label=$1 now=$2 cf=$3 cb=$4 dump=$5 dst=missing
	[ -f "$dump.st" ] && read -r dst _ <"$dump.st"
	if [ "$dst" != 0 ]; then
		fail "$label" "the dump: exit status $dst" "$(head -3 "$dump.err")"
		return 0
	fi
	capture "$TEST_TMP/want" $ORACLE want "$now" "$cf" "$cb" "$dump" <"$TEST_TMP/j"
	capture "$TEST_TMP/got" $ORACLE norm <"$dump"
	check_same "$label" "$TEST_TMP/want" "$TEST_TMP/got"
}
# dump_to OUT CMD...: CMD's output in OUT, its stderr in OUT.err, its
# status in OUT.st
dump_to() {
	local out=$1
	shift
	capture "$out" "$@" 2>"$out.err"
}

sandbox_trap
sandbox_build_tools
sandbox_start snap || { fail "sandbox starts"; exit 0; }
sandbox_inject_varied || fail "varied mail injected"
sandbox_wait_quiet
sandbox_fill_all_queues || fail "every queue filled"
# Ages over 30 days (T records rewritten in place; nothing moves now).
python3 "$TOP/tests/lib/qshape_craft.py" retime "$SB_SPOOL" "$(date +%s)"
capture "$TEST_TMP/j" postqueue -c "$SB_CONF" -j 2>/dev/null &&
	pass "postqueue -j: exit 0" || fail "postqueue -j: exit 0" "exit statuses $(cat "$TEST_TMP/j.st")"
for q in maildrop incoming active deferred hold; do
	n=$(grep -c "\"queue_name\": \"$q\"" "$TEST_TMP/j")
	[ "$n" -gt 0 ] && pass "postqueue -j lists $n messages in $q" ||
		fail "postqueue -j lists messages in $q"
done
[ "$SB_CORRUPT_FILES" -gt 0 ] && pass "corrupt holds $SB_CORRUPT_FILES files" ||
	fail "corrupt holds files"

SHOWQ=$SB_SPOOL/public/showq
t0=$(date +%s)
for snap in $SNAPS; do
	tag=""; [ "$snap" = "$TOP/build/tests/unit/test_snapshot" ] || tag=" (asan)"
	for off in 0 2000 90000 400000 -3000000; do
		now=$((t0 + off))
		dump_to "$TEST_TMP/spool.d" "$snap" dump "$SB_CONF" "$now"
		compare "snapshot from the spool, now $off s on, as postqueue -j and find$tag" \
			"$now" "$SB_CORRUPT_FILES" "$SB_CORRUPT_BYTES" "$TEST_TMP/spool.d"
		dump_to "$TEST_TMP/showq.d" "$snap" dump "$SB_CONF" "$now" "$SHOWQ"
		compare "snapshot from showq, now $off s on, as postqueue -j and find$tag" \
			"$now" "$SB_CORRUPT_FILES" "$SB_CORRUPT_BYTES" "$TEST_TMP/showq.d"
		# Same order, so the same first-oldest ids and reason classes too.
		check_same "snapshot from showq = from the spool, reason classes too, now $off s on$tag" \
			"$TEST_TMP/spool.d" "$TEST_TMP/showq.d"
		if [ "$off" = 0 ] && [ -z "$tag" ]; then
			n=$(awk '$1 == "ages" && $2 == "deferred" { for (i = 4; i <= NF; i++) if ($i > 0) k++; print k }' \
				"$TEST_TMP/spool.d")
			[ "${n:-0}" -ge 6 ] && pass "deferred ages fill $n age buckets" ||
				fail "deferred ages fill several age buckets" "$(grep '^ages' "$TEST_TMP/spool.d")"
		fi
	done
	now=$t0
	dump_to "$TEST_TMP/user.d" setpriv --reuid=nobody --regid=nogroup --groups=postdrop \
		"$snap" dump "$SB_CONF" "$now" "$SHOWQ"
	compare "snapshot from showq as nobody in group postdrop (corrupt unknown)$tag" \
		"$now" - - "$TEST_TMP/user.d"
	# The spool itself is closed to that user: an error (the dump's exit
	# status 1), not a partial snapshot (nothing printed).
	setpriv --reuid=nobody --regid=nogroup --groups=postdrop \
		"$snap" dump "$SB_CONF" "$now" >"$TEST_TMP/user.d" 2>"$TEST_TMP/err"
	rc=$?
	if [ $rc != 1 ] || [ -s "$TEST_TMP/user.d" ]; then
		fail "snapshot from the spool as nobody fails (exit 1), printing nothing$tag" "exit $rc" \
			"$(head -3 "$TEST_TMP/user.d")"
	elif grep -q 'Permission denied' "$TEST_TMP/err"; then
		pass "snapshot from the spool as nobody fails: $(cat "$TEST_TMP/err")$tag"
	else
		fail "snapshot from the spool as nobody says why$tag" "$(cat "$TEST_TMP/err")"
	fi
done
sandbox_stop
exit 0
