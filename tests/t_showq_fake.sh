#!/bin/bash
# t_showq_fake.sh - postq-mailq --showq and postq-qshape --showq against
# a fake showq service (tests/lib/fake_showq.py) that sends a correct
# listing, garbage, a listing cut short, an endless attribute, nothing
# at all, a trickle, a huge message. Where the real postqueue ends
# (finite input) it is the oracle: the same output and exit status when
# pointed at the same socket (queue_directory of a config of its own).
# Where postqueue would hang or grow without bound, ours must stop with
# a clear error within the time limits, under a 300 MB address-space
# limit, and say what happened. The comparisons with postqueue go
# through capture/check_same (tests/lib/common.sh), each with the exit
# status both must have and, where neither prints anything, --empty.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"

command -v python3 >/dev/null || skip_all "no python3"
ASAN_BIN=${ASAN_BIN:-}
FAKE=$TEST_TMP/fake
mkdir -p "$FAKE/spool/public" "$FAKE/etc"
cat >"$FAKE/etc/main.cf" <<EOF
queue_directory = $FAKE/spool
compatibility_level = 3.6
smtputf8_enable = yes
EOF
SOCK=$FAKE/spool/public/showq
FPID=

start_fake() {	# MODE
	rm -f "$FAKE/fake.out"
	python3 "$TOP/tests/lib/fake_showq.py" "$SOCK" "$1" >"$FAKE/fake.out" 2>&1 &
	FPID=$!
	local i
	for i in $(seq 1 100); do
		grep -q listening "$FAKE/fake.out" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "fake showq ($1) starts" "$(cat "$FAKE/fake.out")"
	return 1
}

stop_fake() {
	[ -n "$FPID" ] || return 0
	kill "$FPID" 2>/dev/null
	wait "$FPID" 2>/dev/null
	FPID=
}
trap stop_fake EXIT

# Against postqueue: output and status alike, our message on stderr.
# What postqueue (3.7.11) does, by mode: a correct listing exits 0; a
# malformed response exits 69 after what it listed so far, which is
# nothing unless a whole message came first (truncated, noend).
ORACLE=
[ "$(id -u)" = 0 ] && command -v postqueue >/dev/null && ORACLE=1
for mode in valid big empty http badproto extra truncated noend badnum order; do
	case $mode in
	valid | big) expect=(--status 0) ;;
	truncated | noend) expect=(--status 69) ;;
	*) expect=(--status 69 --empty) ;;
	esac
	start_fake "$mode" || continue
	for opt in -p -j; do
		if [ -n "$ORACLE" ]; then
			TZ=UTC capture "$TEST_TMP/want" postqueue -c "$FAKE/etc" $opt 2>"$TEST_TMP/want.err"
		fi
		for bin in "$BIN" ${ASAN_BIN:+"$ASAN_BIN"}; do
			tag=$mode; [ "$bin" = "$BIN" ] || tag="$mode (asan)"
			TZ=UTC capture "$TEST_TMP/got" "$bin/postq-mailq" -c "$FAKE/etc" --showq $opt 2>"$TEST_TMP/err"
			read -r rc _ <"$TEST_TMP/got.st"
			if [ -n "$ORACLE" ]; then
				check_same "${expect[@]}" "fake $tag: postq-mailq --showq $opt as postqueue $opt (output, exit $rc)" \
					"$TEST_TMP/want" "$TEST_TMP/got"
			fi
			case $mode in
			valid|big)
				[ -s "$TEST_TMP/err" ] && fail "fake $tag $opt: no diagnostics" "$(head -c 300 "$TEST_TMP/err")"
				n=$(grep -o '@example\.com' "$TEST_TMP/got" | wc -l)
				[ "$n" -ge 2 ] && pass "fake $tag $opt: a listing ($n lines with addresses)" ||
					fail "fake $tag $opt: a listing" "$(head -c 300 "$TEST_TMP/got")";;
			*)
				# 69: what postqueue 3.7.11 exits with on a malformed response
				grep -q "^postq-mailq: fatal: showq $SOCK: " "$TEST_TMP/err" && [ $rc = 69 ] &&
					pass "fake $tag $opt: exit 69, $(head -1 "$TEST_TMP/err")" ||
					fail "fake $tag $opt: exit 69 with a message naming the socket" "rc=$rc" "$(head -c 300 "$TEST_TMP/err")";;
			esac
		done
	done
	stop_fake
done

# elapsed SECS CMD...: run CMD, its status in $rc, its time in $took (s).
run_timed() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >"$TEST_TMP/got" 2>"$TEST_TMP/err"
	rc=$?
	t1=$(date +%s%N)
	took=$(( (t1 - t0) / 1000000 ))
}

# Peers that never end: bounded time and memory, a clear error.
KNOBS=showq_idle_ms=1000,showq_total_ms=4000
while read -r mode knobs want; do
	start_fake "$mode" || continue
	for tool in postq-mailq postq-qshape; do
		for bin in "$BIN" ${ASAN_BIN:+"$ASAN_BIN"}; do
			tag="$mode, $tool"; [ "$bin" = "$BIN" ] || tag="$tag (asan)"
			[ "$knobs" = - ] && k= || k=$knobs
			if [ "$bin" = "$BIN" ]; then
				# 300 MB of address space: growing memory would end in
				# "out of memory" (status 71), not in the expected error
				# (69, as for any malformed response).
				run_timed env POSTQ_TEST="$k" /usr/bin/time -f 'maxrss %M KB' \
					bash -c 'ulimit -v 300000; exec "$@"' - "$bin/$tool" -c "$FAKE/etc" --showq
			else
				run_timed env POSTQ_TEST="$k" "$bin/$tool" -c "$FAKE/etc" --showq
			fi
			rss=$(grep -o 'maxrss [0-9]* KB' "$TEST_TMP/err")
			if [ $rc = 69 ] && grep -q "^$tool: fatal: showq $SOCK: .*$want" "$TEST_TMP/err" &&
			   [ "$took" -lt 8000 ]; then
				pass "fake $tag: exit $rc in $took ms${rss:+, $rss}: $(grep fatal "$TEST_TMP/err")"
			else
				fail "fake $tag: a clear error (\"$want\", exit 69) in bounded time and memory" \
					"rc=$rc, $took ms" "$(head -5 "$TEST_TMP/err")"
			fi
		done
	done
	stop_fake
done <<EOF
silent $KNOBS timeout: nothing received for 1000 ms
stall $KNOBS timeout: nothing received for 1000 ms
trickle $KNOBS timeout after 4000 ms
endless - the value of queue_name longer than 1048576 bytes
endlessname - attribute name (expecting protocol) longer than 256 bytes
big showq_max_message=1000000 message B1G holds more than 1000000 bytes
EOF

# A socket where nothing listens, and a path that is not a socket.
start_fake valid && stop_fake
"$BIN/postq-mailq" -c "$FAKE/etc" --showq >"$TEST_TMP/got" 2>"$TEST_TMP/err"
rc=$?
[ $rc = 69 ] && grep -q 'Connection refused (is Postfix running?)' "$TEST_TMP/err" &&
	pass "no server on the socket: exit 69, $(cat "$TEST_TMP/err")" ||
	fail "no server on the socket: exit 69" "rc=$rc" "$(cat "$TEST_TMP/err")"
"$BIN/postq-mailq" -c "$FAKE/etc" --showq="$FAKE/etc/main.cf" >"$TEST_TMP/got" 2>"$TEST_TMP/err"
rc=$?
[ $rc = 69 ] && grep -q "connect to showq $FAKE/etc/main.cf: Connection refused" "$TEST_TMP/err" &&
	pass "--showq=PATH of a plain file: exit 69" ||
	fail "--showq=PATH of a plain file: exit 69" "rc=$rc" "$(cat "$TEST_TMP/err")"
exit 0
