#!/bin/bash
# t_follow.sh - the mail-log follower (lib/log/follow.h), driven through
# tests/tools/follow_count while a writer appends numbered lines.
#
# The writer appends one line per write(2) (bash's printf builtin does
# one write per call), and some lines in two writes with a pause between
# them, while it rotates the log in turn: rename (mv log log.1, keep
# writing the old file, then a new log), copytruncate (cp log log.1,
# truncate log) right after a burst, rotation and copytruncate while the
# follower is stopped, a log that appears only after the follower
# started, a log deleted and created again, a corrupt state file and
# one that points past the end. After each step the set of lines the
# follower printed must equal the set written: no line missing, none
# twice (sort | uniq -d), the same count. All of it runs with inotify
# and again with the poll fallback (POSTQ_TEST=follow_poll=1), where a
# truncation must be noticed within about a second. Then hostile input:
# binary garbage, and 10 MB lines (one written whole, one written in
# pieces across a restart of the follower): cut to 1 MiB with one
# warning naming the file and line, the rest skipped, memory bounded.
# The system journal is tested only where one runs (journalctl shows an
# entry and /run/systemd/journal/socket exists); otherwise it says so.
# Where systemd-journald is installed but not running (containers), the
# test starts a private one in a journald namespace of its own and
# tests the journal reader against it (logger --socket), then stops it
# by its pid and removes its files.
set -u
. "$(dirname "$0")/lib/common.sh"
export LC_ALL=C

FC=
for c in ${ASAN_BIN:+"$(dirname "$ASAN_BIN")/tests/tools/follow_count"} \
	"$TOP/build/tests/tools/follow_count"; do
	[ -x "$c" ] && { FC=$c; break; }
done
if [ -z "$FC" ]; then
	fail "follow_count is built (make unit)"
	exit 0
fi

PAD="postfix/smtpd[4242]: 3F1A2B4C5D: client=mail.example.com[192.0.2.7]"
FPID=
# A follower still running when the script ends (a failed step) is ours: stop it.
trap '[ -n "$FPID" ] && kill -TERM "$FPID" 2>/dev/null; wait 2>/dev/null' EXIT

# start DIR [ARGS...]: follow DIR/log with state DIR/state, printing to DIR/out.
start() {
	local d=$1
	shift
	"$FC" -p -b -s "$d/state" "$@" "$d/log" >>"$d/out" 2>>"$d/err" &
	FPID=$!
	sleep 0.3
}

# stop: SIGTERM (save the state, exit 0) and wait.
stop() {
	local rc
	kill -TERM "$FPID"
	wait "$FPID"
	rc=$?
	FPID=
	[ $rc -eq 0 ] || fail "follower exits 0 on SIGTERM" "exit status $rc"
}

# w N...: write each numbered line with one write(2), and note it as written.
w() {
	local i
	for i in "$@"; do
		printf 'L%06d %s\n' "$i" "$PAD" >&3
		printf 'L%06d %s\n' "$i" "$PAD" >>"$D/written"
	done
}

# wn COUNT: the next COUNT numbered lines (N counts).
wn() {
	w $(seq $((N + 1)) $((N + $1)))
	N=$((N + $1))
}

# wsplit: the next line in two writes, the follower seeing the first half alone.
wsplit() {
	N=$((N + 1))
	printf 'L%06d first half' "$N" >&3
	sleep 0.4
	printf ' and second half\n' >&3
	printf 'L%06d first half and second half\n' "$N" >>"$D/written"
}

# caught_up: wait (10 s at most) until the follower printed as many lines as written.
caught_up() {
	local want n i
	want=$(wc -l <"$D/written")
	for i in $(seq 100); do
		n=$(wc -l <"$D/out")
		[ "$n" -ge "$want" ] && break
		sleep 0.1
	done
	sleep 0.2	# a line printed twice would show now
}

# same_set NAME: the lines printed are the lines written, each once.
same_set() {
	local dups missing extra
	caught_up
	dups=$(sort "$D/out" | uniq -d | wc -l)
	missing=$(sort -u "$D/written" | comm -23 - <(sort -u "$D/out") | wc -l)
	extra=$(sort -u "$D/out" | comm -13 <(sort -u "$D/written") - | wc -l)
	if [ "$dups" -eq 0 ] && [ "$missing" -eq 0 ] && [ "$extra" -eq 0 ] &&
	   [ "$(wc -l <"$D/out")" -eq "$(wc -l <"$D/written")" ] && [ -s "$D/out" ]; then
		pass "$NAME: $1 ($(wc -l <"$D/out") lines, none lost, none twice)"
	else
		fail "$NAME: $1" "written $(wc -l <"$D/written"), printed $(wc -l <"$D/out"): $dups twice, $missing missing, $extra unknown" \
			"$(sort -u "$D/written" | comm -23 - <(sort -u "$D/out") | head -3)" "$(head -5 "$D/err")"
	fi
}

# cpu_ticks PID: user + system time of a process, in clock ticks.
cpu_ticks() {
	awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# warned NAME PATTERN: the follower's stderr has a line matching PATTERN.
warned() {
	if grep -q -- "$2" "$D/err"; then
		pass "$NAME: $1"
	else
		fail "$NAME: $1" "no '$2' in: $(tail -5 "$D/err")"
	fi
}

rotation_suite() {
	NAME=$1
	D=$TEST_TMP/$NAME
	N=0
	mkdir -p "$D"
	: >"$D/log" && : >"$D/out" && : >"$D/err" && : >"$D/written"
	exec 3>>"$D/log"
	start "$D"
	wn 49
	wsplit
	wn 99
	wsplit
	wn 50
	same_set "appended lines, two of them split over two writes"

	# rename: the writer goes on writing the old file, then opens a new one
	mv "$D/log" "$D/log.1"
	wn 50
	sleep 0.3
	exec 3>>"$D/log"
	wn 150
	same_set "rename rotation, old file written after the rename"

	# the same with the follower frozen: it finds it all done at once
	kill -STOP "$FPID"
	mv "$D/log.1" "$D/log.2"
	mv "$D/log" "$D/log.1"
	wn 50
	exec 3>>"$D/log"
	wn 50
	kill -CONT "$FPID"
	same_set "rename rotation while the follower was frozen (SIGSTOP)"

	# copytruncate right after a burst: the follower is behind when it happens
	wn 1000
	cp "$D/log" "$D/log.1"
	: >"$D/log"
	wn 100
	local t0=$(date +%s%N)
	same_set "copytruncate just after a burst"
	if [ -n "${POLL:-}" ]; then
		local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		# the poll interval is 1 s; the rest is slack for a loaded machine
		if [ "$ms" -le 3000 ]; then
			pass "$NAME: truncation noticed in ${ms} ms"
		else
			fail "$NAME: truncation noticed within a second or so" "took ${ms} ms"
		fi
	fi

	# the same, frozen: certainly behind, the rest must come from the copy
	kill -STOP "$FPID"
	wn 500
	mv "$D/log.1" "$D/log.2"
	cp "$D/log" "$D/log.1"
	: >"$D/log"
	wn 100
	kill -CONT "$FPID"
	same_set "copytruncate while the follower was frozen, behind by 500 lines"

	# truncated and written again to the same size, or beyond, before the follower looks
	kill -STOP "$FPID"
	cp "$D/log" "$D/log.1"
	: >"$D/log"
	wn 100
	kill -CONT "$FPID"
	same_set "copytruncate, then as much written again before the follower looked"
	kill -STOP "$FPID"
	cp "$D/log" "$D/log.1"
	: >"$D/log"
	wn 150
	kill -CONT "$FPID"
	same_set "copytruncate, then more written than the old size before the follower looked"

	# rename rotation while the follower is stopped
	stop
	wn 50
	mv "$D/log.2" "$D/log.3"
	mv "$D/log.1" "$D/log.2"
	mv "$D/log" "$D/log.1"
	wn 50
	exec 3>>"$D/log"
	wn 100
	start "$D"
	same_set "rotated while stopped: rest of log.1, then the new log"

	# copytruncate while stopped
	stop
	wn 50
	mv "$D/log.2" "$D/log.3"
	mv "$D/log.1" "$D/log.2"
	cp "$D/log" "$D/log.1"
	: >"$D/log"
	wn 50
	start "$D"
	same_set "copytruncate while stopped: rest of the copy, then the log"

	# a corrupt state file: warned, started at the end
	stop
	printf 'postq-follow-state 1\nsource file\ngarbage\n' >"$D/state"
	start "$D"
	wn 100
	same_set "corrupt state file"
	warned "corrupt state file named in a warning" "warning: state file $D/state: corrupt"

	# a state file pointing past the end: warned, started at the end
	stop
	sed -i 's/^off .*/off 999999999/; s/^line .*/line 0/' "$D/state"
	start "$D"
	wn 100
	same_set "state offset past the end of the log"
	warned "past-the-end state named in a warning" "warning: state file $D/state: offset 999999999 is past the end"

	# compressed while stopped: those lines cannot be resumed; the warning says so
	stop
	printf 'X%06d %s\n' 0 "lost: rotated and compressed while stopped" >&3
	mv "$D/log" "$D/log.1"
	gzip -f "$D/log.1"
	exec 3>>"$D/log"
	wn 100
	start "$D"
	same_set "rotated and compressed while stopped: the new log read from 0"
	warned "compressed rotated file named in a warning" "log.1.gz?), it cannot be resumed by offset"
	stop
	exec 3>&-

	if grep -v -e 'rotated while stopped' -e 'copy made while stopped' -e 'truncated' \
		-e 'state file' -e '^follow_count: [0-9]* lines$' "$D/err" | grep -q .; then
		fail "$NAME: no other messages" "$(grep -v -e 'state file' -e '^follow_count' "$D/err" | head -5)"
	else
		pass "$NAME: no other messages"
	fi
}

late_log() {
	NAME=$1
	D=$TEST_TMP/$NAME
	mkdir -p "$D"
	: >"$D/out" && : >"$D/err" && : >"$D/written"
	N=0
	start "$D"
	sleep 1
	exec 3>>"$D/log"
	wn 100
	same_set "a log that appears after the start"
	rm "$D/log"
	# the deleted file is finished and nothing replaces it: the follower must sleep
	sleep 0.3
	local t0 t1
	t0=$(cpu_ticks "$FPID")
	sleep 2
	t1=$(cpu_ticks "$FPID")
	if [ $((t1 - t0)) -le 20 ]; then
		pass "$NAME: idle while the log is missing ($((t1 - t0)) ticks of CPU in 2 s)"
	else
		fail "$NAME: idle while the log is missing" "$((t1 - t0)) ticks of CPU in 2 s"
	fi
	exec 3>>"$D/log"
	wn 100
	same_set "a log deleted and created again"
	stop
	exec 3>&-
}

rotation_suite inotify
late_log late-inotify
POLL=1 POSTQ_TEST=follow_poll=1 rotation_suite poll
POSTQ_TEST=follow_poll=1 late_log late-poll

# Hostile input: binary garbage, a 10 MB line, a 10 MB line in pieces across a restart.
NAME=hostile
D=$TEST_TMP/$NAME
mkdir -p "$D"
: >"$D/log" && : >"$D/out" && : >"$D/err" && : >"$D/written"
head -c 300000 /dev/urandom >"$D/garbage"
printf '\n' >>"$D/garbage"
glines=$(tr -cd '\n' <"$D/garbage" | wc -c)
exec 3>>"$D/log"
start "$D"
cat "$D/garbage" >&3
head -c 10485760 /dev/zero | tr '\0' x >&3
printf '\n' >&3
w $(seq 1 100)
caught_up
sleep 0.5
if head -c "$(stat -c %s "$D/garbage")" "$D/out" | cmp -s - "$D/garbage"; then
	pass "$NAME: binary garbage passed through byte for byte"
else
	fail "$NAME: binary garbage passed through byte for byte"
fi
big=$(sed -n "$((glines + 1))p" "$D/out")
if [ "${#big}" -eq 1048576 ] && [ -z "${big//x/}" ]; then
	pass "$NAME: 10 MB line cut to 1 MiB"
else
	fail "$NAME: 10 MB line cut to 1 MiB" "line $((glines + 1)) has ${#big} bytes"
fi
unset big
if [ "$(grep -c 'longer than 1048576 bytes' "$D/err")" -eq 1 ] &&
   grep -q "warning: $D/log: line $((glines + 1)): longer than 1048576 bytes; the rest of it is skipped" "$D/err"; then
	pass "$NAME: one warning naming the file and the line"
else
	fail "$NAME: one warning naming the file and the line" "$(grep longer "$D/err")"
fi
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$FPID/status")
# An ASan build keeps a quarantine of freed memory: allow it more.
limit=32768
case $FC in *build-asan*) limit=262144 ;; esac
if [ -n "$hwm" ] && [ "$hwm" -le "$limit" ]; then
	pass "$NAME: peak memory ${hwm} kB for 10 MB of line"
else
	fail "$NAME: peak memory bounded" "VmHWM ${hwm:-?} kB, limit $limit kB"
fi

# A second 10 MB line, written in pieces, the follower stopped in the middle of its rest.
head -c 3000000 /dev/zero | tr '\0' y >&3
sleep 0.5
stop
grep -q '^skip 1$' "$D/state" && pass "$NAME: stopped inside a skipped line: state says skip 1" ||
	fail "$NAME: stopped inside a skipped line: state says skip 1" "$(cat "$D/state")"
start "$D"
head -c 7485760 /dev/zero | tr '\0' y >&3
printf '\n' >&3
w $(seq 101 200)
caught_up
sleep 0.3
ys=$(grep -a -c '^yyyyyyyy' "$D/out")
ylen=$(grep -a '^yyyyyyyy' "$D/out" | head -1 | wc -c)
if [ "$ys" -eq 1 ] && [ "$ylen" -eq 1048577 ]; then
	pass "$NAME: a long line's rest stays skipped across a restart"
else
	fail "$NAME: a long line's rest stays skipped across a restart" "$ys lines of y, the first $ylen bytes"
fi
grep -a -F -- " $PAD" "$D/out" | grep -a '^L[0-9]\{6\} ' >"$D/out.L"
if cmp -s "$D/out.L" "$D/written"; then
	pass "$NAME: the lines after the garbage and long lines all there, once, in order"
else
	fail "$NAME: the lines after the garbage and long lines all there, once, in order" \
		"$(diff "$D/written" "$D/out.L" | head -5)"
fi
stop
exec 3>&-

# journal_suite NAME LOGGER_ARGS -- FOLLOWER_ARGS: lines sent with logger
# reach the follower (-j) in syslog form, other identifiers are left out,
# and a restart with the saved cursor loses and repeats nothing.
journal_suite() {
	NAME=$1
	shift
	local largs=() fargs=() ident="postq-t-follow-$$"
	while [ "$1" != -- ]; do largs+=("$1"); shift; done
	shift
	fargs=("$@")
	D=$TEST_TMP/$NAME
	mkdir -p "$D"
	: >"$D/out" && : >"$D/err" && : >"$D/written"
	jstart() {
		"$FC" -p -j -i "$ident/" -s "$D/state" "${fargs[@]}" >>"$D/out" 2>>"$D/err" &
		FPID=$!
		sleep 1
	}
	jw() {
		local i
		# first, so that a counted line is the last one read before a stop
		logger "${largs[@]}" -t "$ident-other" "not a line for the follower"
		for i in "$@"; do
			logger "${largs[@]}" -t "$ident/smtpd" "J$(printf %06d "$i") $PAD"
			echo "J$(printf %06d "$i") $PAD" >>"$D/written"
		done
	}
	jstart
	jw $(seq 1 100)
	caught_up
	stop
	jw $(seq 101 130)
	jstart
	jw $(seq 131 150)
	caught_up
	stop
	if grep -q "^[A-Z][a-z][a-z] [ 1-3][0-9] [0-9:]\{8\} [^ ]* $ident/smtpd\[[0-9]*\]: J000001 " "$D/out"; then
		pass "$NAME: lines rebuilt in syslog form"
	else
		fail "$NAME: lines rebuilt in syslog form" "$(head -2 "$D/out")"
	fi
	grep -q '^cursor ' "$D/state" && pass "$NAME: the state keeps a cursor" ||
		fail "$NAME: the state keeps a cursor" "$(cat "$D/state")"
	sed 's/^[^]]*\]: //' "$D/out" >"$D/out.msg"
	mv "$D/out.msg" "$D/out"
	same_set "journal lines, other identifiers left out, across a restart with the saved cursor"
}

# The system journal, where this machine has one running.
if [ -S /run/systemd/journal/socket ] && journalctl -n1 -q 2>/dev/null | grep -q . &&
   command -v logger >/dev/null; then
	journal_suite journal --
else
	echo "# skip journald: no journal on this machine"
fi

# A private journald in a namespace of its own (its sockets under
# /run/systemd/journal.NS, its files under NS-suffixed directories), so
# the journal reader is tested on machines without a running journal;
# stopped by its pid and its files removed at the end.
JD=/lib/systemd/systemd-journald
NS=postqtf$$
MID=$(cat /etc/machine-id 2>/dev/null)
JDPID=
jd_cleanup() {
	[ -n "$JDPID" ] && kill -TERM "$JDPID" 2>/dev/null && wait "$JDPID" 2>/dev/null
	JDPID=
	[ -n "$MID" ] && rm -rf "/var/log/journal/$MID.$NS" "/run/log/journal/$MID.$NS"
	rm -rf "/run/systemd/journal.$NS"
}
trap '[ -n "$FPID" ] && kill -TERM "$FPID" 2>/dev/null; jd_cleanup; wait 2>/dev/null' EXIT
if [ "$(id -u)" = 0 ] && [ -x "$JD" ] && [ -n "$MID" ] && command -v logger >/dev/null &&
   logger --help 2>&1 | grep -q -- '--socket'; then
	"$JD" "$NS" >"$TEST_TMP/journald.out" 2>&1 &
	JDPID=$!
	for i in $(seq 50); do
		[ -S "/run/systemd/journal.$NS/dev-log" ] && break
		sleep 0.1
	done
	if [ -S "/run/systemd/journal.$NS/dev-log" ]; then
		journal_suite private-journald -u "/run/systemd/journal.$NS/dev-log" -- -N "$NS"
	else
		echo "# skip private journald: it did not start ($(head -1 "$TEST_TMP/journald.out"))"
	fi
	jd_cleanup
else
	echo "# skip private journald: needs root, $JD, /etc/machine-id and logger --socket"
fi
exit 0
