#!/bin/bash
# t_failsafe.sh - the tools fail safe: selections that would take the
# whole queue by accident, big selections with nobody to ask, dry runs
# that must not claim changes, symlinks in the spool. Offline copies of
# the committed short-id sample spool, with the real postqueue, qshape
# and postsuper as the oracle wherever they do the same thing (the
# selection --all lets through must be exactly what they act on or list
# for the same messages); where postq deliberately differs, the test says
# so and checks that the difference is the safe one. Needs no running
# Postfix: a few seconds.
#
# Every comparison with a real tool goes through capture/check_same
# (tests/lib/common.sh): both sides' exit statuses are checked (0 unless
# stated), an empty side fails, and so does a failed pipeline stage.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"

ASAN_BIN=${ASAN_BIN:-}
command -v postsuper >/dev/null || skip_all "postfix is not installed"
why=$(sandbox_available) || skip_all "$why"
REAL=$SB_POSTSUPER
QSHAPE=/usr/sbin/qshape
PS=$BIN/postq-postsuper
MQ=$BIN/postq-mailq
QS=$BIN/postq-qshape
export TZ=UTC

GOLD=$TEST_TMP/gold
mkdir -p "$GOLD"
chmod 755 "$TEST_TMP"
tar --warning=no-timestamp -xzf "$TOP/tests/fixtures/spool-short.tar.gz" -C "$GOLD"
chown -R postfix: "$GOLD"
chown root "$GOLD"
chmod 755 "$GOLD"
CASE_START=$(date +%s)

# tree_state SPOOL OUT: the spool's state in OUT (captured: its status in OUT.st)
tree_state() { capture "$2" python3 "$TOP/tests/lib/spool_state.py" "$1" "$CASE_START"; }
# status_of OUT: the exit status of the command capture ran for OUT
status_of() { local st _; read -r st _ <"$1.st" && echo "$st"; }
fresh_copy() {	# NAME: $TEST_TMP/NAME/{spool,conf} from the gold copy
	local d=$TEST_TMP/$1
	rm -rf "$d"
	mkdir -p "$d"
	chmod 755 "$d"
	cp -a "$GOLD" "$d/spool"
	sandbox_offline_conf "$d/conf" "$d/spool" >/dev/null
}
fresh_copy J
tree_state "$TEST_TMP/J/spool" "$TEST_TMP/gold.tree"
capture "$TEST_TMP/gold.j" postqueue -c "$TEST_TMP/J/conf" -j 2>/dev/null &&
	[ "$(wc -l <"$TEST_TMP/gold.j")" -gt 20 ] && pass "the sample spool lists $(wc -l <"$TEST_TMP/gold.j") messages" ||
	fail "the sample spool lists too few messages" "postqueue -j: exit status $(status_of "$TEST_TMP/gold.j")"

# unchanged NAME LABEL: the copy NAME is still the gold tree
unchanged() {
	tree_state "$TEST_TMP/$1/spool" "$TEST_TMP/$1/tree"
	check_same "$2" "$TEST_TMP/gold.tree" "$TEST_TMP/$1/tree"
}

# refused LABEL OPTION CMD...: CMD exits with the status of a refused
# option (64; postq-qshape 255, as qshape after a usage error: see the
# man pages), prints nothing on stdout, and its message names OPTION
# and --all
refused() {
	local label=$1 opt=$2 rc want=64
	shift 2
	case $1 in */postq-qshape) want=255 ;; esac
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" </dev/null
	rc=$?
	if [ $rc = $want ] && [ ! -s "$TEST_TMP/out" ] && grep -q -- "$opt" "$TEST_TMP/err" &&
		grep -q -- "--all" "$TEST_TMP/err"; then
		pass "$label: refused (exit $rc), naming $opt"
	else
		fail "$label: refused (exit $want), naming $opt" "exit $rc" "$(head -3 "$TEST_TMP/out" "$TEST_TMP/err")"
	fi
}

# --- 1. criteria that select everything ---------------------------------

fresh_copy A
C=$TEST_TMP/A/conf
SENDER=
refused "postq-postsuper -d --from \"\$SENDER\" (empty)" --from "$PS" -c "$C" -d --from "$SENDER"
unchanged A "postq-postsuper -d --from '': nothing deleted"
refused "postq-postsuper -h --to ''" --to "$PS" -c "$C" -h --to ''
refused "postq-postsuper -d --reason '.*'" --reason "$PS" -c "$C" -d --reason '.*'
refused "postq-postsuper -d --domain ''" --domain "$PS" -c "$C" -d --domain ''
refused "postq-postsuper -d --domain @" --domain "$PS" -c "$C" -d --domain @
refused "postq-postsuper -d --from '^'" --from "$PS" -c "$C" -d --from '^'
refused "postq-postsuper -d --from '.*\$'" --from "$PS" -c "$C" -d --from '.*$'
refused "postq-postsuper -d --to '(?:)'" --to "$PS" -c "$C" -d --to '(?:)'
refused "postq-postsuper -d --ignore-case --from '[a-z]*'" --from "$PS" -c "$C" -d --ignore-case --from '[a-z]*'
refused "postq-postsuper -n -d --from '' (dry run too)" --from "$PS" -c "$C" -n -d --from ''
refused "postq-postsuper -d --to '^x' --from '' (beside a real criterion)" --from "$PS" -c "$C" -d --to '^x' --from ''
unchanged A "refused operations changed nothing"
refused "postq-mailq --from ''" --from "$MQ" -c "$C" --from ''
refused "postq-mailq --ids --to '.*'" --to "$MQ" -c "$C" --ids --to '.*'
refused "postq-mailq --count-by reason --reason '^'" --reason "$MQ" -c "$C" --count-by reason --reason '^'
refused "postq-mailq --domain ''" --domain "$MQ" -c "$C" --domain ''
refused "postq-qshape --from '' deferred" --from "$QS" -c "$C" --from '' deferred
refused "postq-qshape --to '.*\$' deferred" --to "$QS" -c "$C" --to '.*$' deferred

# patterns that narrow are taken
"$MQ" -c "$C" --ids --from '^$' >"$TEST_TMP/out" 2>"$TEST_TMP/err" && [ ! -s "$TEST_TMP/err" ] &&
	pass "postq-mailq --from '^\$' is taken (it narrows)" ||
	fail "postq-mailq --from '^\$' is taken" "$(cat "$TEST_TMP/err")"

# --all lets them through, and then they select exactly everything:
# the listings of postqueue, the table of qshape
capture "$TEST_TMP/want.p" postqueue -c "$C" -p 2>/dev/null
capture "$TEST_TMP/got.p" "$MQ" -c "$C" --from '' --all 2>"$TEST_TMP/err"
check_same "postq-mailq --from '' --all: postqueue -p" "$TEST_TMP/want.p" "$TEST_TMP/got.p"
capture "$TEST_TMP/got.p" "$MQ" -c "$C" --to '.*' --reason '^' --all 2>"$TEST_TMP/err"
check_same "postq-mailq --to '.*' --reason '^' --all: postqueue -p" "$TEST_TMP/want.p" "$TEST_TMP/got.p"
capture "$TEST_TMP/got.p" "$MQ" -c "$C" --all 2>"$TEST_TMP/err"
check_same "postq-mailq --all alone: postqueue -p" "$TEST_TMP/want.p" "$TEST_TMP/got.p"
if [ -x "$QSHAPE" ]; then
	# both at the same frozen clock (see t_qshape.sh), postconf left alone
	# (a sanitizer build under BIN wants to come first: let it not)
	frozen() {
		LD_PRELOAD=$FAKETIME_LIB FAKETIME="$(date -u -d "@$CASE_START" '+%Y-%m-%d %H:%M:%S')" \
			FAKETIME_SKIP_CMDS=postconf NO_FAKE_STAT=1 \
			ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@"
	}
	# rows tied in count and name length come in Perl's hash order
	capture -f "python3 $TOP/tests/lib/qshape_ties.py" "$TEST_TMP/want.q" \
		frozen "$QSHAPE" -c "$C" deferred hold 2>/dev/null
	capture -f "python3 $TOP/tests/lib/qshape_ties.py" "$TEST_TMP/got.q" \
		frozen "$QS" -c "$C" --from '' --all deferred hold 2>"$TEST_TMP/err"
	check_same "postq-qshape --from '' --all: qshape (ties sorted)" "$TEST_TMP/want.q" "$TEST_TMP/got.q"
fi

# run_vs_real LABEL IDS_FILE OP OURS...: the real postsuper "OP -" fed
# IDS_FILE on copy A, ours with OURS... on copy B: same tree, same log,
# the same stderr, both exit 0 (they are compared in "same stderr")
run_vs_real() {
	local label=$1 ids=$2 op=$3
	shift 3
	fresh_copy A
	fresh_copy B
	[ -s "$ids" ] || fail "$label: the oracle selects nothing: a weak test"
	capture "$TEST_TMP/A/err" stderr_of "$REAL" -c "$TEST_TMP/A/conf" "$op" - <"$ids"
	capture "$TEST_TMP/B/err" stderr_of "$PS" -c "$TEST_TMP/B/conf" "$op" "$@" </dev/null
	tree_state "$TEST_TMP/A/spool" "$TEST_TMP/A/tree"
	tree_state "$TEST_TMP/B/spool" "$TEST_TMP/B/tree"
	check_same "$label: same tree as postsuper $op -" "$TEST_TMP/A/tree" "$TEST_TMP/B/tree"
	cmp -s "$TEST_TMP/gold.tree" "$TEST_TMP/A/tree" && fail "$label: the real postsuper changed nothing: a weak test"
	check_same "$label: same stderr" "$TEST_TMP/A/err" "$TEST_TMP/B/err"
	capture "$TEST_TMP/A/log" sed -E 's/^.{15} [^ ]+ //; s/\[[0-9]+\]:/[PID]:/' "$TEST_TMP/A/conf/log/maillog"
	capture "$TEST_TMP/B/log" sed -E 's/^.{15} [^ ]+ //; s/\[[0-9]+\]:/[PID]:/' "$TEST_TMP/B/conf/log/maillog"
	check_same "$label: same log" "$TEST_TMP/A/log" "$TEST_TMP/B/log"
}
# brute IDS_FILE ARGS...: brute_select.py ids ARGS over postqueue -j, into
# IDS_FILE (emptied when it fails, which run_vs_real then reports)
brute() {
	local out=$1
	shift
	python3 "$TOP/tests/lib/brute_select.py" ids "$@" <"$TEST_TMP/gold.j" >"$out" || {
		fail "brute_select.py ids $*" "exit status $?"
		: >"$out"
	}
}
# every message a selection may take (not active: see postq-postsuper(1))
brute "$TEST_TMP/all.ids" --queue maildrop --queue incoming --queue deferred --queue hold
run_vs_real "-d --from '' --all" "$TEST_TMP/all.ids" -d --from '' --all
brute "$TEST_TMP/holdable.ids" --queue incoming --queue deferred
run_vs_real "-h --all (no other criterion)" "$TEST_TMP/holdable.ids" -h --all

# --- a big selection with nobody to ask ----------------------------------

brute "$TEST_TMP/sel.ids" --queue incoming --queue deferred --to '@example\.com$'
n=$(wc -l <"$TEST_TMP/sel.ids")
fresh_copy A
"$PS" -c "$TEST_TMP/A/conf" --confirm-over $((n - 1)) -h --to '@example\.com$' </dev/null >/dev/null 2>"$TEST_TMP/err"
rc=$?
# exit 1: postq-postsuper(1)
[ $rc = 1 ] && grep -q -- "--yes" "$TEST_TMP/err" && grep -q "$n messages selected" "$TEST_TMP/err" &&
	pass "no terminal, $n selected over --confirm-over $((n - 1)): refused (exit $rc), pointing at --yes" ||
	fail "no terminal, over --confirm-over: refused (exit 1), pointing at --yes" "exit $rc" "$(cat "$TEST_TMP/err")"
unchanged A "refused for want of --yes: nothing changed"
"$PS" -c "$TEST_TMP/A/conf" --confirm-over $((n - 1)) -n -h --to '@example\.com$' </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err"
[ $? = 0 ] && [ "$(grep -c '^rename ' "$TEST_TMP/out")" = "$n" ] &&
	pass "the same as a dry run: lists the $n renames, no refusal" ||
	fail "the same as a dry run: lists the renames" "$(cat "$TEST_TMP/err")"
unchanged A "the dry run changed nothing"
run_vs_real "over --confirm-over with --yes" "$TEST_TMP/sel.ids" -h --confirm-over $((n - 1)) --yes --to '@example\.com$'
run_vs_real "at --confirm-over, no terminal" "$TEST_TMP/sel.ids" -h --confirm-over "$n" --to '@example\.com$'
run_vs_real "under the default limit (1000), no terminal" "$TEST_TMP/sel.ids" -h --to '@example\.com$'

# --- a dry run says what it would do, once, and claims no change ---------

# The copy's files have new inodes, so their short ids no longer name
# them (as after a restore): -s renames every one, in two steps (to
# ID#FIX, then, in a second pass, home). The real postsuper -v on the
# very same copy, afterwards, is the oracle for what the dry run says.
fresh_copy D
capture -f "tee $TEST_TMP/D/out | sort" "$TEST_TMP/D/got" "$PS" -c "$TEST_TMP/D/conf" -n -s -p 2>"$TEST_TMP/D/err"
rc=$(status_of "$TEST_TMP/D/got")
unchanged D "dry run -n -s -p changed nothing"
[ $rc = 0 ] && pass "dry run -n -s -p: exit 0" || fail "dry run -n -s -p: exit 0" "exit $rc"
[ -z "$(sort "$TEST_TMP/D/out" | uniq -d)" ] && pass "dry run -n -s -p: no line said twice" ||
	fail "dry run -n -s -p: no line said twice" "$(sort "$TEST_TMP/D/out" | uniq -d | head -3)"
grep -q 'WERE CHANGED\|INCOMPLETE' "$TEST_TMP/D/err" &&
	fail "dry run -n -s -p: claims no change" "$(cat "$TEST_TMP/D/err")" ||
	pass "dry run -n -s -p: claims no change"
noise='^postsuper: (name_mask|inet_addr_local|been_here|mynetworks_core):'
capture -f "grep -Ev '$noise' | tee $TEST_TMP/D/real.err |
	sed -n 's/^postsuper: renamed file \(.*\) as \(.*\)$/rename \1 \2/p' | sort" \
	"$TEST_TMP/D/want" stderr_of "$REAL" -c "$TEST_TMP/D/conf" -v -s -p
check_same "dry run -n -s -p: the renames postsuper -v -s -p then does" "$TEST_TMP/D/want" "$TEST_TMP/D/got"
want=$(sed -n 's/^postsuper: \(Renamed to match inode number: [0-9]* messages\?\)$/\1 (dry run)/p' "$TEST_TMP/D/real.err")
got=$(sed -n 's/^postsuper: \(Renamed to match inode number: .*\)$/\1/p' "$TEST_TMP/D/err")
[ -n "$want" ] && [ "$want" = "$got" ] && pass "dry run -n -s -p: the real run's count ($got)" ||
	fail "dry run -n -s -p: the real run's count" "want: $want" "got:  $got"
# with an operation by queue id the real run stops after renaming (the
# ids may have changed): the dry run says it would, and stops too (both
# exit 1: postq-postsuper(1))
fresh_copy D
id=$(sed -n 1p "$TEST_TMP/holdable.ids")
"$PS" -c "$TEST_TMP/D/conf" -n -s -h "$id" >"$TEST_TMP/D/out" 2>"$TEST_TMP/D/err"
rc=$?
unchanged D "dry run -n -s -h ID changed nothing"
"$REAL" -c "$TEST_TMP/D/conf" -s -h "$id" >/dev/null 2>"$TEST_TMP/D/real.err"
want_rc=$?
[ -n "$id" ] && [ $rc = 1 ] && [ "$want_rc" = 1 ] && grep -q 'would be changed' "$TEST_TMP/D/err" && grep -q 'CHECK YOUR QUEUE IDS' "$TEST_TMP/D/real.err" &&
	! grep -q 'placed on hold' "$TEST_TMP/D/err" &&
	pass "dry run -n -s -h ID: says the real run stops before the hold (exit $rc, as postsuper's)" ||
	fail "dry run -n -s -h ID: says the real run stops before the hold (exit 1, as postsuper)" \
		"id '$id': exit $rc, postsuper $want_rc" \
		"$(cat "$TEST_TMP/D/err")"

# --- a selected file replaced before the action -------------------------

# Every operation, stopped between selection and action (a test switch):
# two selected files are replaced by another message under the same
# name, one by a new file renamed over it, one rewritten in place (the
# same inode). Both must be left exactly as they are, the rest acted on.
# (t_postsuper_race.sh does the same at scale on a live Postfix, with
# the real postsuper as the oracle that deletes them.)
for op in -d -h -r -e -f "-n -d"; do
	fresh_copy R
	sp=$TEST_TMP/R/spool
	case $op in
	-h) qs=(--queue incoming --queue deferred) ;;
	-d | "-n -d") qs=(--queue maildrop --queue incoming --queue deferred --queue hold) ;;
	*) qs=(--queue incoming --queue deferred --queue hold) ;;
	esac
	capture "$TEST_TMP/R/ids" "$MQ" -c "$TEST_TMP/R/conf" --ids "${qs[@]}" --from '^MAILER-DAEMON$' ||
		fail "$op: postq-mailq --ids selects the messages to replace" "exit statuses $(cat "$TEST_TMP/R/ids.st")"
	n=$(wc -l <"$TEST_TMP/R/ids")
	a=$(find "$sp/incoming" "$sp/deferred" "$sp/hold" -type f -name "$(sed -n 1p "$TEST_TMP/R/ids")")
	b=$(find "$sp/incoming" "$sp/deferred" "$sp/hold" -type f -name "$(sed -n 2p "$TEST_TMP/R/ids")")
	inn=$(grep -rl --null 'sender@example\.com' "$sp/deferred" | tr '\0' '\n' | sort | sed -n 1p)
	# shellcheck disable=SC2086 # $op is one or two words
	POSTQ_TEST=postsuper_stop_selected=1 "$PS" -c "$TEST_TMP/R/conf" -v $op --from '^MAILER-DAEMON$' \
		</dev/null >"$TEST_TMP/R/out" 2>"$TEST_TMP/R/err" &
	pid=$!
	for _ in $(seq 100); do
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ] && break
		sleep 0.05
	done
	if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != T ] || [ "$n" -lt 3 ] || [ -z "$a" ] || [ -z "$b" ]; then
		kill -9 "$pid" 2>/dev/null
		fail "$op: stopped between selection and action, with 3 or more selected" "$n selected: $a $b"
		continue
	fi
	cp -p "$inn" "$sp/.tmp" && mv "$sp/.tmp" "$a"
	cat "$inn" >"$b"
	kill -CONT "$pid"
	wait "$pid"
	rc=$?
	ok=yes
	for f in "$a" "$b"; do
		cmp -s "$inn" "$f" && [ "$(stat -c %a "$f")" = 700 ] || ok=no
	done
	[ $ok = yes ] && pass "$op: the two replaced files are left as they were" ||
		fail "$op: the two replaced files are left as they were" "$(ls -l "$a" "$b" 2>&1)"
	[ $rc = 0 ] && grep -qx 'postsuper: Left alone: 2 messages replaced or changed since selected\( (dry run)\)\?' "$TEST_TMP/R/err" &&
		[ "$(grep -c ': raced: not the file that was selected; left alone$' "$TEST_TMP/R/err")" = 2 ] &&
		pass "$op: exit 0, both named (-v) and counted" ||
		fail "$op: exit 0, both named (-v) and counted" "exit $rc" "$(grep -v 'renamed\|removed\|queue:' "$TEST_TMP/R/err")"
	case $op in
	"-n -d")
		grep -q "$(basename "$a")\|$(basename "$b")" "$TEST_TMP/R/out" &&
			fail "$op: the dry run does not list them" "$(cat "$TEST_TMP/R/out")" ||
			pass "$op: the dry run does not list them" ;;
	-d) [ "$(grep -c ': removed$' "$TEST_TMP/R/err")" = $((n - 2)) ] && pass "$op: the other $((n - 2)) deleted" ||
		fail "$op: the other $((n - 2)) deleted" "$(grep -c ': removed$' "$TEST_TMP/R/err")" ;;
	esac
done

# --- symbolic links in the spool ----------------------------------------

# A hash directory with a link to itself: showq enters it again and
# again (postqueue then fails); postq-mailq skips the link with a
# warning and lists the rest, which is what postqueue lists without the
# link. A hash directory linked to a directory outside the spool:
# postqueue lists the message there, postq-mailq does not (its listing is
# postqueue's without the link).
fresh_copy S
capture "$TEST_TMP/S/want.p" postqueue -c "$TEST_TMP/S/conf" -p 2>/dev/null
capture "$TEST_TMP/S/want.j" postqueue -c "$TEST_TMP/S/conf" -j 2>/dev/null
hdir=$(find "$TEST_TMP/S/spool/deferred" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | sed -n 1p)
ln -s . "$TEST_TMP/S/spool/deferred/$hdir/$hdir"
postqueue -c "$TEST_TMP/S/conf" -p >"$TEST_TMP/S/loop.p" 2>"$TEST_TMP/S/loop.err"
echo "# postqueue -p on a spool with deferred/$hdir/$hdir -> .: exit $?," \
	"$(grep -c '^[0-9A-F]' "$TEST_TMP/S/loop.p") message lines ($(grep -c '^[0-9A-F]' "$TEST_TMP/S/want.p") without the link)"
for bin in "$BIN" ${ASAN_BIN:+"$ASAN_BIN"}; do
	tag=""; [ "$bin" = "$BIN" ] || tag=" (asan)"
	capture "$TEST_TMP/S/got.p" "$bin/postq-mailq" -c "$TEST_TMP/S/conf" -p 2>"$TEST_TMP/S/got.err"
	rc=$(status_of "$TEST_TMP/S/got.p")
	check_same "a self-linked hash directory: the listing postqueue gives without the link$tag" \
		"$TEST_TMP/S/want.p" "$TEST_TMP/S/got.p"
	[ $rc = 0 ] && grep -q "deferred/$hdir/$hdir: a symbolic link in a queue directory: not followed" "$TEST_TMP/S/got.err" &&
		pass "a self-linked hash directory: exit 0, a warning naming the link$tag" ||
		fail "a self-linked hash directory: exit 0, a warning naming the link$tag" "exit $rc" "$(cat "$TEST_TMP/S/got.err")"
done
capture "$TEST_TMP/S/got.j" "$MQ" -c "$TEST_TMP/S/conf" -j 2>/dev/null
check_same "a self-linked hash directory: -j as postqueue -j without the link" "$TEST_TMP/S/want.j" "$TEST_TMP/S/got.j"
rm "$TEST_TMP/S/spool/deferred/$hdir/$hdir"

# plant_outside SPOOL OUTSIDE: deferred/Z, a link to OUTSIDE, which holds
# a copy of a deferred message under the id ZZZZZ12345 (its hash
# directory is Z: Postfix itself would find it there)
plant_outside() {
	local f
	mkdir -p "$2"
	f=$(find "$1/deferred" -mindepth 2 -type f | sort | sed -n 1p)
	cp -p "$f" "$2/ZZZZZ12345"
	chown -R postfix: "$2"
	ln -s "$2" "$1/deferred/Z"
}
plant_outside "$TEST_TMP/S/spool" "$TEST_TMP/S/outside"
capture "$TEST_TMP/S/link.p" postqueue -c "$TEST_TMP/S/conf" -p 2>/dev/null &&
	grep -q '^ZZZZZ12345' "$TEST_TMP/S/link.p" && pass "postqueue lists the message behind the link (the oracle sees it)" ||
	fail "postqueue lists the message behind the link: the test is weak" "exit status $(status_of "$TEST_TMP/S/link.p")"
capture "$TEST_TMP/S/got.p" "$MQ" -c "$TEST_TMP/S/conf" -p 2>"$TEST_TMP/S/got.err"
check_same "a hash directory linked outside: the listing postqueue gives without the link" \
	"$TEST_TMP/S/want.p" "$TEST_TMP/S/got.p"
grep -q "deferred/Z: a symbolic link in a queue directory: not followed" "$TEST_TMP/S/got.err" &&
	pass "a hash directory linked outside: a warning naming it" ||
	fail "a hash directory linked outside: a warning naming it" "$(cat "$TEST_TMP/S/got.err")"
# (--all --ids lists every other id: exit 0 and not empty, or the test is weak)
if ! capture "$TEST_TMP/S/got.ids" "$MQ" -c "$TEST_TMP/S/conf" --all --ids 2>/dev/null ||
   [ ! -s "$TEST_TMP/S/got.ids" ]; then
	fail "a selection does not take the message behind the link" \
		"postq-mailq --all --ids: exit status $(status_of "$TEST_TMP/S/got.ids"), $(wc -l <"$TEST_TMP/S/got.ids") ids"
elif grep -q ZZZZZ12345 "$TEST_TMP/S/got.ids"; then
	fail "a selection does not take the message behind the link" "it does"
else
	pass "a selection does not take the message behind the link"
fi

# postsuper -d ALL: the real one deletes the file outside the spool;
# postq-postsuper leaves it, and otherwise does what postsuper does
fresh_copy A
fresh_copy B
plant_outside "$TEST_TMP/A/spool" "$TEST_TMP/A/outside"
plant_outside "$TEST_TMP/B/spool" "$TEST_TMP/B/outside"
"$REAL" -c "$TEST_TMP/A/conf" -d ALL >/dev/null 2>"$TEST_TMP/A/err"
real_rc=$?
"$PS" -c "$TEST_TMP/B/conf" -d ALL >/dev/null 2>"$TEST_TMP/B/err"
rc=$?
tree_state "$TEST_TMP/A/spool" "$TEST_TMP/A/tree"
tree_state "$TEST_TMP/B/spool" "$TEST_TMP/B/tree"
check_same "-d ALL with a hash directory linked outside: the same spool tree as postsuper's" \
	"$TEST_TMP/A/tree" "$TEST_TMP/B/tree"
[ ! -e "$TEST_TMP/A/outside/ZZZZZ12345" ] && [ $real_rc = 0 ] &&
	pass "the real postsuper -d ALL deleted the file outside the spool (exit 0)" ||
	fail "the real postsuper -d ALL deleted the file outside the spool (exit 0): the test is weak" "exit $real_rc"
[ -e "$TEST_TMP/B/outside/ZZZZZ12345" ] && [ $rc = 0 ] &&
	grep -q "warning: deferred/Z: a symbolic link in a queue directory: not followed" "$TEST_TMP/B/err" &&
	pass "postq-postsuper -d ALL left it, with a warning naming the link" ||
	fail "postq-postsuper -d ALL left it, with a warning naming the link" "exit $rc" "$(cat "$TEST_TMP/B/err")"
want=$(sed -n 's/^postsuper: Deleted: \([0-9]*\) messages$/\1/p' "$TEST_TMP/A/err")
got=$(sed -n 's/^postsuper: Deleted: \([0-9]*\) messages$/\1/p' "$TEST_TMP/B/err")
[ -n "$want" ] && [ "$got" = $((want - 1)) ] && pass "-d ALL: one message fewer deleted than postsuper ($got, $want)" ||
	fail "-d ALL: one message fewer deleted than postsuper" "postsuper: $want" "ours: $got"
# a loop: postsuper -d ALL goes round it; ours once
fresh_copy B
ln -s . "$TEST_TMP/B/spool/deferred/$hdir/$hdir"
"$PS" -c "$TEST_TMP/B/conf" -d ALL deferred >/dev/null 2>"$TEST_TMP/B/err"
rc=$?
[ $rc = 0 ] && [ -L "$TEST_TMP/B/spool/deferred/$hdir/$hdir" ] &&
	[ -z "$(find "$TEST_TMP/B/spool/deferred" -type f)" ] &&
	grep -q "deferred/$hdir/$hdir: a symbolic link" "$TEST_TMP/B/err" &&
	pass "-d ALL deferred with a self-linked hash directory: all deleted once, the link left, named" ||
	fail "-d ALL deferred with a self-linked hash directory" "exit $rc" "$(cat "$TEST_TMP/B/err")"

exit 0
