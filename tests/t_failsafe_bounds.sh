#!/bin/bash
# t_failsafe_bounds.sh - the tools fail safe (issue 16): no unbounded output or
# memory, no hang on planted files, no wrong numbers with exit 0, a
# reason with every usage error. Each case runs the real tool
# (postqueue, qshape, postsuper) on the same copy of the committed
# sample spool (tests/fixtures/spool-short, made by Postfix 3.7.11) and
# checks that postq gives the same output where the real tool gives a
# usable answer, and where it does not (it hangs, runs out of memory,
# dies, or prints zeros with exit 0) that postq gives what it could read
# with a non-zero exit and a warning that names what it could not.
#
# postqueue runs as root with no master, so it starts showq itself,
# which drops to the mail_owner (postfix): for permission cases postq
# runs as postfix too (setpriv), so both see the same files.
set -u
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"

[ "$(id -u)" = 0 ] || skip_all "not root"
command -v postqueue >/dev/null || skip_all "postfix is not installed"
[ -x /usr/sbin/qshape ] || skip_all "no /usr/sbin/qshape"
id postfix >/dev/null 2>&1 || skip_all "no user postfix"
QSHAPE=/usr/sbin/qshape
TIES="python3 $TOP/tests/lib/qshape_ties.py"
BLOCKS="python3 $TOP/tests/lib/blocks.py"
export TZ=UTC
chmod 755 "$TEST_TMP"

# copy NAME: a fresh copy of the sample spool, $S, with its config, $C.
copy() {
	local d=$TEST_TMP/$1
	rm -rf "$d"
	mkdir -p "$d/spool"
	chmod 755 "$d" "$d/spool"
	tar --warning=no-timestamp -xzf "$TOP/tests/fixtures/spool-short.tar.gz" -C "$d/spool"
	sandbox_offline_conf "$d/etc" "$d/spool"
	S=$d/spool
	C=$d/etc
}
AS_POSTFIX="setpriv --reuid=postfix --regid=postfix --clear-groups"
AS_NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
# pq ARGS: postqueue -p on $C into want.p (rc in $want_rc, 124 if it
# hung for PQ_WAIT seconds; showq reads a /dev/zero for ever, so its
# memory is capped); showq's "Mail system is down" warning is dropped
# from want.err.
PQ_WAIT=10
pq() {
	( ulimit -v 1000000; exec timeout $PQ_WAIT postqueue -c "$C" "$@" ) \
		>"$TEST_TMP/want.p" 2>"$TEST_TMP/want.err"
	want_rc=$?
	sed -i '/Mail system is down/d' "$TEST_TMP/want.err"
}
# ours CMD...: run one of ours into got.p / got.err, rc in $rc.
ours() {
	timeout 60 "$@" >"$TEST_TMP/got.p" 2>"$TEST_TMP/got.err"
	rc=$?
}
# no_total FILE: the listing without postqueue's closing line (and the
# blank line before it), as postq prints a listing with holes.
no_total() {
	grep -v -e '^-- [0-9]* Kbytes in [0-9]* Requests\.$' -e '^Mail queue is empty$' "$1" |
		awk 'NF == 0 { blank++; next } { while (blank) { print ""; blank-- } print }'
}
# expect LABEL WANT_RC PATTERN: $rc and got.err as wanted.
expect() {
	if [ "$rc" = "$2" ] && grep -q -- "$3" "$TEST_TMP/got.err"; then
		pass "$1"
	else
		fail "$1" "exit $rc (want $2), stderr: $(head -c 600 "$TEST_TMP/got.err")"
	fi
}
same_listing() {
	if cmp -s "$2" "$3" && [ -s "$2" ]; then pass "$1"; else
		fail "$1" "$(diff -u "$2" "$3" | head -20)"; fi
}

# --- 1. Unbounded output: every numeric option has a range -----------

copy opts
# qshape itself runs out of memory (or loops) on these; postq says no.
for o in "-w 1e12" "-b inf" "-b 1e9" "-t 1e9" "-N 1e12" "-n 1e12" "-m 1e12"; do
	opt=${o%% *}
	( ulimit -v 1000000; timeout 3 "$QSHAPE" -c "$C" $o deferred >/dev/null 2>&1 )
	real=$?
	ours "$BIN/postq-qshape" -c "$C" $o deferred
	if [ "$rc" = 255 ] && [ ! -s "$TEST_TMP/got.p" ] && grep -q -- "fatal: $opt .*out of range.*at most" "$TEST_TMP/got.err"; then
		pass "qshape $o: refused, naming $opt and its range (qshape: exit $real)"
	else
		fail "qshape $o: refused, naming $opt and its range" "exit $rc: $(cat "$TEST_TMP/got.err")"
	fi
done
# In range and in qshape's own corners (ignored values, Perl numbers),
# the table is qshape's.
for o in "-w 10000" "-w 80" "-w 81.5" "-w -3" "-b 1000" "-b 0" "-b 2.5" "-t 525600" "-t 0.001" \
	"-t 0" "-m 1e9 -p" "-w abc" "-b 12abc" "-N 1e9 -n 1e9"; do
	"$QSHAPE" -c "$C" $o deferred hold 2>/dev/null | $TIES >"$TEST_TMP/want.q"
	"$BIN/postq-qshape" -c "$C" $o deferred hold 2>/dev/null | $TIES >"$TEST_TMP/got.q"
	same_listing "qshape $o: in range, the table is qshape's" "$TEST_TMP/want.q" "$TEST_TMP/got.q"
done
for o in "-w 10001" "-b 1001" "-t 525601"; do
	ours "$BIN/postq-qshape" -c "$C" $o deferred
	expect "qshape $o: just past the limit is refused" 255 "out of range"
done
for v in 0 65 5x 1e9; do
	ours "$BIN/postq-qshape" -c "$C" --threads $v deferred
	expect "qshape --threads $v: refused with the range" 255 "threads takes 1 to 64"
done
ours env POSTQ_THREADS=1000 "$BIN/postq-mailq" -c "$C" -i
[ "$rc" = 0 ] && grep -q "POSTQ_THREADS" "$TEST_TMP/got.err" &&
	pass "POSTQ_THREADS=1000: said and ignored" || fail "POSTQ_THREADS=1000: said and ignored" "exit $rc: $(cat "$TEST_TMP/got.err")"
# Filter values: durations, sizes, postsuper's --confirm-over.
for spec in "--older 36501d|--older" "--newer 99999999999999999999|--newer" \
	"--older 5214w3d|--older" "--min-size 1025g|--min-size" "--max-size 1099511627777|--max-size"; do
	a=${spec%|*}
	ours "$BIN/postq-mailq" -c "$C" $a
	expect "mailq $a: refused, naming ${spec#*|} and the range" 64 "fatal: ${spec#*|}: bad .*at most"
	ours "$BIN/postq-qshape" -c "$C" $a deferred
	expect "qshape $a: refused, naming ${spec#*|}" 255 "fatal: ${spec#*|}: bad"
	ours "$BIN/postq-postsuper" -c "$C" -n -d $a
	expect "postsuper $a: refused, naming ${spec#*|}" 64 "${spec#*|}: bad"
done
for a in "--older 36500d" "--max-size 1024g"; do
	ours "$BIN/postq-mailq" -c "$C" $a -i
	[ "$rc" = 0 ] && pass "mailq $a: the limit itself is taken" ||
		fail "mailq $a: the limit itself is taken" "exit $rc: $(cat "$TEST_TMP/got.err")"
done
ours "$BIN/postq-mailq" -c "$C" --max-size 1024g
pq -p
same_listing "mailq --max-size 1024g lists what postqueue lists" "$TEST_TMP/want.p" "$TEST_TMP/got.p"
ours "$BIN/postq-postsuper" -c "$C" -n -d --confirm-over 1000000001 --from x
expect "postsuper --confirm-over past 1000000000: refused with the range" 64 "confirm-over 1000000001: not a number from 0 to 1000000000"
ours "$BIN/postq-postsuper" -c "$C" -n -d --confirm-over 1000000000 --from '^$'
[ "$rc" = 0 ] && pass "postsuper --confirm-over 1000000000 is taken" ||
	fail "postsuper --confirm-over 1000000000 is taken" "exit $rc: $(cat "$TEST_TMP/got.err")"

# --- 2. Wrong numbers with exit 0 ---------------------------------------

# Not a spool: postqueue dies (showq cannot open maildrop); so do we, saying why.
mkdir -p "$TEST_TMP/notspool/etc" "$TEST_TMP/notspool/dir"
sandbox_offline_conf "$TEST_TMP/notspool/etc" "$TEST_TMP/notspool/dir"
C0=$C; C=$TEST_TMP/notspool/etc
pq -p
C=$C0
ours "$BIN/postq-mailq" --spool "$TEST_TMP/notspool/dir"
if [ "$rc" = "$want_rc" ] && [ "$rc" = 69 ] && [ ! -s "$TEST_TMP/got.p" ] &&
	grep -q "not a Postfix queue directory" "$TEST_TMP/got.err"; then
	pass "mailq on a directory that is not a spool: exit 69 like postqueue, saying why, not 'Mail queue is empty'"
else
	fail "mailq on a directory that is not a spool" "exit $rc (postqueue $want_rc): $(cat "$TEST_TMP/got.p" "$TEST_TMP/got.err")"
fi
ours "$BIN/postq-mailq" --spool /tmp
expect "mailq --spool /tmp: not a spool" 69 "/tmp: not a Postfix queue directory"
"$QSHAPE" -c "$TEST_TMP/notspool/etc" deferred >/dev/null 2>&1
real=$?
ours "$BIN/postq-qshape" -c "$TEST_TMP/notspool/etc" deferred
expect "qshape on a directory that is not a spool: exit 69 (qshape: a table of zeros, exit $real)" 69 "not a Postfix queue directory"
postsuper -c "$TEST_TMP/notspool/etc" -d ALL >/dev/null 2>&1
real=$?
ours "$BIN/postq-postsuper" -c "$TEST_TMP/notspool/etc" -d ALL
[ "$rc" != 0 ] && [ "$real" != 0 ] && grep -q "not a Postfix queue directory" "$TEST_TMP/got.err" &&
	pass "postsuper on a directory that is not a spool: non-zero like postsuper ($real), saying why" ||
	fail "postsuper on a directory that is not a spool" "exit $rc (postsuper $real): $(cat "$TEST_TMP/got.err")"
# A copy that holds only some queues is still a spool.
copy partial
rm -rf "$S/maildrop" "$S/incoming" "$S/active"
pq -p
ours "$BIN/postq-mailq" -c "$C"
[ "$rc" = 0 ] && pass "a copy without maildrop, incoming and active lists with exit 0" ||
	fail "a copy without maildrop, incoming and active lists with exit 0" "exit $rc: $(cat "$TEST_TMP/got.err")"

# Run without permission: nothing readable, so no listing, no zeros.
copy perm
if $AS_NOBODY test -x "$BIN/postq-mailq"; then
	ours $AS_NOBODY "$BIN/postq-mailq" -c "$C"
	[ "$rc" = 77 ] && [ ! -s "$TEST_TMP/got.p" ] && grep -q "open directory deferred: Permission denied" "$TEST_TMP/got.err" &&
		pass "mailq as nobody: exit 77, the queues named, no 'Mail queue is empty'" ||
		fail "mailq as nobody: exit 77, no listing" "exit $rc: $(cat "$TEST_TMP/got.p" "$TEST_TMP/got.err")"
	$AS_NOBODY "$QSHAPE" -c "$C" deferred hold >"$TEST_TMP/want.q" 2>/dev/null
	real=$?
	ours $AS_NOBODY "$BIN/postq-qshape" -c "$C" deferred hold
	same_listing "qshape as nobody: the same (empty) table as qshape" "$TEST_TMP/want.q" "$TEST_TMP/got.p"
	expect "qshape as nobody: exit 77, not 0 as qshape ($real)" 77 "Can't cd to deferred: Permission denied"
	ours $AS_NOBODY "$BIN/postq-postsuper" -c "$C" -n -d --from .
	[ "$rc" = 1 ] && grep -q "could not be read (see above); nothing done" "$TEST_TMP/got.err" &&
		pass "postsuper -n -d --from as nobody: nothing done, exit 1" ||
		fail "postsuper -n -d --from as nobody: nothing done, exit 1" "exit $rc: $(cat "$TEST_TMP/got.p" "$TEST_TMP/got.err")"
else
	echo "# skipped the unprivileged checks: $BIN is not reachable by nobody"
fi

# A hash subdirectory the mail_owner cannot read: showq dies (postqueue
# exit 69, nothing listed); we list the rest, which is what postqueue
# lists once that directory is gone, and exit 77.
copy hashperm
chmod 000 "$S/deferred/E"
pq -p
real=$want_rc
chmod 700 "$S/deferred/E"
mv "$S/deferred/E" "$TEST_TMP/E.aside"
pq -p
no_total "$TEST_TMP/want.p" >"$TEST_TMP/want.rest"
mv "$TEST_TMP/E.aside" "$S/deferred/E"
chmod 000 "$S/deferred/E"
ours $AS_POSTFIX "$BIN/postq-mailq" -c "$C"
same_listing "mailq, deferred/E unreadable: lists the rest as postqueue does without it" \
	"$TEST_TMP/want.rest" "$TEST_TMP/got.p"
expect "mailq, deferred/E unreadable: exit 77 (postqueue: $real), naming deferred/E" 77 "open directory deferred/E: Permission denied"
ours $AS_POSTFIX "$BIN/postq-mailq" -c "$C" --count-by domain
expect "mailq --count-by, deferred/E unreadable: counts what it read, exit 77" 77 "incomplete listing"
$AS_POSTFIX "$QSHAPE" -c "$C" deferred hold 2>/dev/null | $TIES >"$TEST_TMP/want.q"
real=${PIPESTATUS[0]}
ours $AS_POSTFIX "$BIN/postq-qshape" -c "$C" deferred hold
$TIES <"$TEST_TMP/got.p" >"$TEST_TMP/got.q"
same_listing "qshape, deferred/E unreadable: qshape's table of the rest" "$TEST_TMP/want.q" "$TEST_TMP/got.q"
expect "qshape, deferred/E unreadable: exit 77, not $real as qshape" 77 "Can't cd to deferred/E: Permission denied"
ours $AS_POSTFIX "$BIN/postq-postsuper" -c "$C" -n -h --queue deferred
[ "$rc" = 1 ] && ! grep -q '^rename' "$TEST_TMP/got.p" && grep -q "nothing done" "$TEST_TMP/got.err" &&
	pass "postsuper -n -h --queue deferred, deferred/E unreadable: selects nothing, exit 1" ||
	fail "postsuper -n -h --queue deferred, deferred/E unreadable" "exit $rc: $(head -5 "$TEST_TMP/got.p" "$TEST_TMP/got.err")"
postsuper -c "$C" -h ALL deferred >/dev/null 2>&1
real=$?
[ "$real" != 0 ] && pass "postsuper -h ALL deferred, deferred/E unreadable: postsuper exits $real too" ||
	fail "postsuper -h ALL deferred, deferred/E unreadable: postsuper fails too"

# A queue file the mail_owner cannot open: showq skips it silently and
# counts it out of the total (exit 0); we say so and exit 77.
copy fileperm
f=$(cd "$S" && find deferred -type f | sort | sed -n 5p)
chown root "$S/$f"
pq -p
no_total "$TEST_TMP/want.p" >"$TEST_TMP/want.rest"
ours $AS_POSTFIX "$BIN/postq-mailq" -c "$C"
same_listing "mailq, a queue file it cannot open: the same messages as postqueue" "$TEST_TMP/want.rest" "$TEST_TMP/got.p"
expect "mailq, a queue file it cannot open: exit 77 (postqueue: $want_rc, silently), naming it" 77 "open deferred $(basename "$f"): Permission denied"
$AS_POSTFIX "$QSHAPE" -c "$C" deferred 2>/dev/null | $TIES >"$TEST_TMP/want.q"
ours $AS_POSTFIX "$BIN/postq-qshape" -c "$C" deferred
$TIES <"$TEST_TMP/got.p" >"$TEST_TMP/got.q"
same_listing "qshape, a queue file it cannot open: qshape's table" "$TEST_TMP/want.q" "$TEST_TMP/got.q"
expect "qshape, a queue file it cannot open: exit 77, naming it" 77 "open deferred/.*$(basename "$f"): Permission denied"

# A queue, or a hash subdirectory, replaced by a file.
copy holdfile
rm -rf "$S/hold" && echo junk >"$S/hold"
pq -p
ours "$BIN/postq-mailq" -c "$C"
same_listing "mailq, hold replaced by a file: lists what postqueue lists before it dies" "$TEST_TMP/want.p" "$TEST_TMP/got.p"
[ "$rc" = "$want_rc" ] && grep -q "open directory hold: Not a directory" "$TEST_TMP/got.err" &&
	pass "mailq, hold replaced by a file: exit $rc as postqueue, naming hold" ||
	fail "mailq, hold replaced by a file: exit as postqueue" "exit $rc (postqueue $want_rc): $(cat "$TEST_TMP/got.err")"
copy hashfile
mv "$S/deferred/E" "$TEST_TMP/E.aside"
pq -p
no_total "$TEST_TMP/want.p" >"$TEST_TMP/want.rest"
echo junk >"$S/deferred/E"
pq -p
ours "$BIN/postq-mailq" -c "$C"
same_listing "mailq, deferred/E replaced by a file: the rest, as postqueue lists it without E" "$TEST_TMP/want.rest" "$TEST_TMP/got.p"
[ "$rc" = "$want_rc" ] && grep -q "open directory deferred/E: Not a directory" "$TEST_TMP/got.err" &&
	pass "mailq, deferred/E replaced by a file: exit $rc as postqueue (which lists nothing), naming it" ||
	fail "mailq, deferred/E replaced by a file" "exit $rc (postqueue $want_rc): $(cat "$TEST_TMP/got.err")"

# --- 3. Planted files: FIFOs, devices, a huge defer log ------------------

# plant KIND: put KIND in place of the defer log of one deferred message
# ($id); want.rest: postqueue's listing with that log removed.
plant() {
	copy "plant-$1"
	dlog=$(cd "$S" && find defer -type f | sort | sed -n 3p)
	id=$(basename "$dlog")
	rm -f "$S/$dlog"
	pq -p
	no_total "$TEST_TMP/want.p" >"$TEST_TMP/want.rest"
	case $1 in
	fifo) mkfifo "$S/$dlog" ;;
	zero) mknod "$S/$dlog" c 1 5 ;;
	esac
}
for kind in fifo zero; do
	plant $kind
	pq -p
	[ "$kind" = fifo ] && [ "$want_rc" = 124 ] && echo "# postqueue hangs on the FIFO (killed after ${PQ_WAIT}s)"
	ours env POSTQ_TEST=fetch_timeout=2 bash -c "ulimit -v 1000000; exec \"\$@\"" - "$BIN/postq-mailq" -c "$C"
	same_listing "mailq, a $kind as a defer log: the listing as without the log (postqueue: exit $want_rc)" \
		"$TEST_TMP/want.rest" "$TEST_TMP/got.p"
	expect "mailq, a $kind as a defer log: exit 69, naming it" 69 "open $dlog: not a regular file"
	ours "$BIN/postq-qshape" -c "$C" --by reason deferred
	expect "qshape --by reason, a $kind as a defer log: done, exit 69, naming it" 69 "open $dlog: not a regular file"
	ours "$BIN/postq-qshape" -c "$C" --reason . deferred
	expect "qshape --reason, a $kind as a defer log: done, exit 69" 69 "open $dlog: not a regular file"
	ours "$BIN/postq-mailq" -c "$C" --reason . -i
	expect "mailq --reason, a $kind as a defer log: done, exit 69" 69 "open $dlog: not a regular file"
done
# A FIFO with a writer that never writes: a read would wait for ever.
plant fifo
exec 7<>"$S/$dlog"
for how in "" POSTQ_TEST=uring=0; do
	start=$(date +%s)
	ours env POSTQ_TEST=fetch_timeout=2 $how "$BIN/postq-mailq" -c "$C"
	secs=$(( $(date +%s) - start ))
	same_listing "mailq${how:+ ($how)}, a FIFO with a writer as a defer log: the listing as without the log" \
		"$TEST_TMP/want.rest" "$TEST_TMP/got.p"
	expect "mailq${how:+ ($how)}, a FIFO with a writer: exit 69 after ${secs}s, naming it" 69 "open $dlog: not a regular file"
done
start=$(date +%s)
ours "$BIN/postq-mailq" -c "$C" -i
secs=$(( $(date +%s) - start ))
[ "$rc" = 69 ] && [ "$secs" -le 30 ] && pass "mailq, a FIFO with a writer, default timeout: done in ${secs}s" ||
	fail "mailq, a FIFO with a writer, default timeout" "exit $rc after ${secs}s"
exec 7>&-
# A huge defer log: read up to 4 MiB, the rest ignored, and said.
copy huge
dlog=$(cd "$S" && find defer -type f | sort | sed -n 3p)
id=$(basename "$dlog")
python3 - "$S/$dlog" <<'PY'
import sys
p = sys.argv[1]
e = open(p, "rb").read()
open(p, "wb").write(e * (5 * 1024 * 1024 // len(e) + 1))
PY
pq -p
ours bash -c "ulimit -v 1000000; exec \"\$@\"" - "$BIN/postq-mailq" -c "$C"
# Every other message as postqueue lists it.
awk -v id="$id" 'BEGIN { RS = ""; ORS = "\n\n" } index($0, id) != 1' "$TEST_TMP/want.p" | no_total /dev/stdin >"$TEST_TMP/want.rest"
awk -v id="$id" 'BEGIN { RS = ""; ORS = "\n\n" } index($0, id) != 1' "$TEST_TMP/got.p" | no_total /dev/stdin >"$TEST_TMP/got.rest"
same_listing "mailq, a 5 MiB defer log: every other message as postqueue lists it" "$TEST_TMP/want.rest" "$TEST_TMP/got.rest"
expect "mailq, a 5 MiB defer log: exit 69, the cut said" 69 "$dlog: longer than 4194304 bytes: the rest of it is ignored"
n_want=$(grep -c 'deferred by sink' "$TEST_TMP/want.p")
n_got=$(grep -c 'deferred by sink' "$TEST_TMP/got.p")
[ "$n_got" -gt 1000 ] && [ "$n_got" -lt "$n_want" ] &&
	pass "mailq, a 5 MiB defer log: its first 4 MiB listed ($n_got of postqueue's $n_want reasons)" ||
	fail "mailq, a 5 MiB defer log: its first 4 MiB listed" "$n_got of $n_want"
# Planted in place of a queue file: showq (and qshape) skip what is not
# a regular file, with a warning, and so do we, with the same exit.
for kind in fifo zero; do
	copy "qf-$kind"
	f=$(cd "$S" && find deferred -type f | sort | sed -n 7p)
	rm "$S/$f"
	case $kind in fifo) mkfifo -m 700 "$S/$f" ;; zero) mknod -m 700 "$S/$f" c 1 5 ;; esac
	pq -p
	ours "$BIN/postq-mailq" -c "$C"
	same_listing "mailq, a $kind as a queue file: postqueue's listing" "$TEST_TMP/want.p" "$TEST_TMP/got.p"
	[ "$rc" = "$want_rc" ] && grep -q "$f: uid 0: not a regular file" "$TEST_TMP/got.err" &&
		pass "mailq, a $kind as a queue file: exit $rc as postqueue, with showq's warning" ||
		fail "mailq, a $kind as a queue file: exit as postqueue" "exit $rc (postqueue $want_rc): $(cat "$TEST_TMP/got.err")"
	timeout 20 "$QSHAPE" -c "$C" deferred >"$TEST_TMP/want.q" 2>/dev/null
	real=$?
	ours "$BIN/postq-qshape" -c "$C" deferred
	$TIES <"$TEST_TMP/want.q" >"$TEST_TMP/want.qt"; $TIES <"$TEST_TMP/got.p" >"$TEST_TMP/got.qt"
	same_listing "qshape, a $kind as a queue file: qshape's table" "$TEST_TMP/want.qt" "$TEST_TMP/got.qt"
	[ "$rc" = "$real" ] && pass "qshape, a $kind as a queue file: exit $rc as qshape" ||
		fail "qshape, a $kind as a queue file: exit as qshape" "exit $rc (qshape $real)"
done

# --- 4. Usage errors say what is wrong -----------------------------------

copy usage
"$QSHAPE" -c "$C" deferred --json >/dev/null 2>"$TEST_TMP/want.err"
real=$?
ours "$BIN/postq-qshape" -c "$C" deferred --json
[ "$rc" = 255 ] && [ ! -s "$TEST_TMP/got.p" ] && grep -q "options come before queue names" "$TEST_TMP/got.err" &&
	pass "qshape deferred --json: options come before queue names (qshape: $(head -1 "$TEST_TMP/want.err"), exit $real)" ||
	fail "qshape deferred --json: options come before queue names" "exit $rc: $(cat "$TEST_TMP/got.err")"
for o in "" "-s -p -m 1"; do
	"$QSHAPE" -c "$C" $o deferred -s >/dev/null 2>"$TEST_TMP/want.err"
	real=$?
	ours "$BIN/postq-qshape" -c "$C" $o deferred -s
	[ "$rc" = 255 ] && [ ! -s "$TEST_TMP/got.p" ] && grep -q "options come before queue names" "$TEST_TMP/got.err" &&
		pass "qshape $o deferred -s: options come before queue names (qshape: exit $real)" ||
		fail "qshape $o deferred -s: options come before queue names" "exit $rc: $(cat "$TEST_TMP/got.err")"
	# A queue that is not there: qshape's table of the rest, but not exit 0.
	"$QSHAPE" -c "$C" $o nonexistent deferred 2>/dev/null | $TIES >"$TEST_TMP/want.q"
	real=${PIPESTATUS[0]}
	ours "$BIN/postq-qshape" -c "$C" $o nonexistent deferred
	$TIES <"$TEST_TMP/got.p" >"$TEST_TMP/got.q"
	same_listing "qshape $o nonexistent deferred: qshape's table" "$TEST_TMP/want.q" "$TEST_TMP/got.q"
	expect "qshape $o nonexistent deferred: exit 69 (qshape: $real), naming it" 69 "Can't stat nonexistent: No such file or directory"
done
ours "$BIN/postq-qshape" -c "$C" --jsn deferred
expect "qshape --jsn: names the unknown option, no usage dump" 255 "unknown option --jsn"
grep -q "Usage:" "$TEST_TMP/got.err" && fail "qshape --jsn: no usage dump" || pass "qshape --jsn: no usage dump"
postqueue -c "$C" -p extra >/dev/null 2>&1
real=$?
ours "$BIN/postq-mailq" -c "$C" extra
[ "$rc" = "$real" ] && grep -q 'unexpected argument "extra"' "$TEST_TMP/got.err" &&
	pass "mailq extra: exit $rc as postqueue, naming the argument" ||
	fail "mailq extra: exit as postqueue, naming the argument" "exit $rc (postqueue $real): $(cat "$TEST_TMP/got.err")"
ours "$BIN/postq-mailq" -c "$C" --frobnicate
grep -q "unrecognized option '--frobnicate'" "$TEST_TMP/got.err" && ! grep -q "^usage:" "$TEST_TMP/got.err" &&
	pass "mailq --frobnicate: names the option, no usage dump" ||
	fail "mailq --frobnicate: names the option, no usage dump" "$(cat "$TEST_TMP/got.err")"
# --json is postq-mailq's -j, which is postqueue -j.
pq -j
sort "$TEST_TMP/want.p" >"$TEST_TMP/want.j"
ours "$BIN/postq-mailq" -c "$C" --json
sort "$TEST_TMP/got.p" >"$TEST_TMP/got.j"
same_listing "mailq --json: postqueue -j" "$TEST_TMP/want.j" "$TEST_TMP/got.j"

# --- 5. Versions, help ---------------------------------------------------

for t in mailq qshape postsuper; do
	out=$("$BIN/postq-$t" --version 2>&1)
	[ $? = 0 ] && [ "$out" = "postq-$t (postq) $(sed -n 's/^#define PQ_VERSION "\(.*\)"/\1/p' "$TOP/lib/util/version.h")" ] &&
		pass "postq-$t --version: $out" || fail "postq-$t --version" "$out"
	"$BIN/postq" help "$t" >"$TEST_TMP/a" 2>&1
	"$BIN/postq-$t" --help >"$TEST_TMP/b" 2>&1
	same_listing "postq help $t is postq-$t --help" "$TEST_TMP/b" "$TEST_TMP/a"
done
out=$("$BIN/postq" --version 2>&1)
[ $? = 0 ] && [ "${out%% *}" = postq ] && pass "postq --version: $out" || fail "postq --version" "$out"
"$BIN/postq" help nosuchtool >/dev/null 2>&1
[ $? = 127 ] && pass "postq help nosuchtool: 127" || fail "postq help nosuchtool: 127"

# --- The planted files again, under AddressSanitizer ----------------------

if [ -n "${ASAN_BIN:-}" ] && [ "$ASAN_BIN" != "$BIN" ] && [ -x "$ASAN_BIN/postq-mailq" ]; then
	for d in plant-fifo plant-zero huge qf-fifo qf-zero hashfile holdfile; do
		C=$TEST_TMP/$d/etc
		for cmd in "postq-mailq" "postq-mailq -j" "postq-qshape --by reason deferred" \
			"postq-qshape -s deferred hold"; do
			read -r tool args <<<"$cmd"
			# shellcheck disable=SC2086
			ours env POSTQ_TEST=fetch_timeout=2 "$ASAN_BIN/$tool" -c "$C" $args
			if grep -q 'Sanitizer\|runtime error' "$TEST_TMP/got.err"; then
				fail "asan: $cmd on $d" "$(grep -m3 'Sanitizer\|runtime error' "$TEST_TMP/got.err")"
			else
				pass "asan: $cmd on $d (exit $rc)"
			fi
		done
	done
fi
exit 0
