#!/bin/bash
# t_postsuper_diff.sh - postq-postsuper against the real postsuper on
# identical copies of spools made by a real sandboxed Postfix (short and
# long queue ids). For every operation and selector: the resulting trees
# (names, types, modes, owners, sizes, contents, file times), the stderr
# reports, the exit status and the mail-log records must be the same.
# Filter selections are checked against the real postsuper fed the ids a
# brute-force filter over "postqueue -j" picks. With maillog_file empty
# both tools log through syslog(3): a sink bound as /dev/log (or mounted
# over it in a private namespace) collects the records of each, to be
# compared with time stamp and pid masked. Also: dry runs change
# nothing, and bad input changes nothing and exits non-zero.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"

command -v postsuper >/dev/null || skip_all "postfix is not installed"
why=$(sandbox_available) || skip_all "$why"
ASAN_BIN=${ASAN_BIN:-}
REAL=${SB_POSTSUPER}
sandbox_trap

# tree_state DIR: one line per object below the queue directories, with
# what postsuper may change (see tests/lib/spool_state.py).
tree_state() {
	python3 "$TOP/tests/lib/spool_state.py" "$1" "$CASE_START"
}
CASE_START=$(date +%s)
# start_clock: CASE_START is the next whole second, and it is waited for,
# so that "now" set by the tools (whole seconds) is never before it.
start_clock() {
	local t
	t=$(date +%s.%N)
	CASE_START=$(( ${t%.*} + 1 ))
	sleep "0.$(printf '%09d' $((1000000000 - 10#${t#*.})))" 2>/dev/null || sleep 1
}

# normalise the log: no date, host or pid
log_state() {
	[ -f "$1" ] || return 0
	sed -E 's/^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} [^ ]+ //; s/\[[0-9]+\]:/[PID]:/' "$1"
}

fresh_copy() {	# NAME: $TEST_TMP/NAME/{spool,conf} from the gold copy
	local d=$TEST_TMP/$1
	rm -rf "$d"
	mkdir -p "$d"
	chmod 755 "$d"
	cp -a "$GOLD" "$d/spool"
	sandbox_offline_conf "$d/conf" "$d/spool" "$LONG" >/dev/null
}

# run_pair LABEL STDIN_FILE ARGS...: run both tools on fresh copies and
# compare everything. The real tool's results are left in $TEST_TMP/A,
# ours in $TEST_TMP/B. SYSLOG=1: maillog_file emptied, so both log
# through syslog(3), and the records the sink caught are compared.
# The real postsuper must exit RC (default 0); every case logs something
# (postsuper logs its summary even for no message), so an empty mail log
# on either side fails.
run_pair() {
	local label=$1 input=$2 bin
	shift 2
	local bins=("$BIN")
	# the sanitizer build on the cases that walk whole queues
	[ "${ASAN_TOO:-}" = 1 ] && [ -n "$ASAN_BIN" ] && bins+=("$ASAN_BIN")
	for bin in "${bins[@]}"; do
		local tag="$SPOOL_LABEL: $label"
		[ "$bin" = "$BIN" ] || tag="$tag (asan)"
		fresh_copy A
		fresh_copy B
		[ -n "${PLANT:-}" ] && { eval "$PLANT" "$TEST_TMP/A/spool"; eval "$PLANT" "$TEST_TMP/B/spool"; }
		local via_a=() via_b=()
		if [ "${SYSLOG:-}" = 1 ]; then
			sed -i 's/^maillog_file = .*/maillog_file =/' "$TEST_TMP/A/conf/main.cf" "$TEST_TMP/B/conf/main.cf"
			via_a=(with_syslog "$TEST_TMP/A/syslog")
			via_b=(with_syslog "$TEST_TMP/B/syslog")
		fi
		start_clock
		local rc_a
		"${via_a[@]}" "$REAL" -c "$TEST_TMP/A/conf" "$@" <"$input" >"$TEST_TMP/A/out" 2>"$TEST_TMP/A/err"
		rc_a=$?
		echo "exit $rc_a" >>"$TEST_TMP/A/err"
		"${via_b[@]}" "$bin/postq-postsuper" -c "$TEST_TMP/B/conf" "$@" <"$input" >"$TEST_TMP/B/out" 2>"$TEST_TMP/B/err"
		echo "exit $?" >>"$TEST_TMP/B/err"
		[ "$rc_a" = "${RC:-0}" ] || fail "$tag: the real postsuper exits ${RC:-0}" "exit $rc_a" \
			"$(head -3 "$TEST_TMP/A/err")"
		capture "$TEST_TMP/A/tree" tree_state "$TEST_TMP/A/spool"
		capture "$TEST_TMP/B/tree" tree_state "$TEST_TMP/B/spool"
		check_same "$tag: same spool tree" "$TEST_TMP/A/tree" "$TEST_TMP/B/tree"
		check_same "$tag: same stderr and exit status" "$TEST_TMP/A/err" "$TEST_TMP/B/err"
		if [ "${SYSLOG:-}" = 1 ]; then
			capture "$TEST_TMP/A/log" syslog_state "$TEST_TMP/A/syslog"
			capture "$TEST_TMP/B/log" syslog_state "$TEST_TMP/B/syslog"
			[ -s "$TEST_TMP/A/log" ] ||
				fail "$tag: the real postsuper logged nothing: the sink is not working"
		else
			capture "$TEST_TMP/A/log" log_state "$TEST_TMP/A/conf/log/maillog"
			capture "$TEST_TMP/B/log" log_state "$TEST_TMP/B/conf/log/maillog"
		fi
		check_same "$tag: same mail log records" "$TEST_TMP/A/log" "$TEST_TMP/B/log"
		if ! cmp -s "$TEST_TMP/gold.tree" "$TEST_TMP/A/tree"; then
			CHANGED=yes
		else
			CHANGED=no
		fi
	done
}

# run_select LABEL OP FILTER...: ours "OP FILTER..." against the real
# postsuper "OP -" fed the ids brute_select.py picks from postqueue -j.
# PLANT=FUNCTION: every copy gets it, postqueue -j included.
run_select() {
	local label=$1 op=$2
	shift 2
	local gold_j=$GOLD_J gold_tree=$TEST_TMP/gold.tree
	if [ -n "${PLANT:-}" ]; then
		fresh_copy J
		eval "$PLANT" "$TEST_TMP/J/spool"
		start_clock
		gold_j=$TEST_TMP/planted.j
		gold_tree=$TEST_TMP/planted.tree
		capture "$gold_tree" tree_state "$TEST_TMP/J/spool" ||
			fail "$SPOOL_LABEL: $label: state of the planted spool"
		capture "$gold_j" postqueue -c "$TEST_TMP/J/conf" -j 2>/dev/null && [ -s "$gold_j" ] ||
			fail "$SPOOL_LABEL: $label: postqueue -j on the planted spool"
	fi
	local queues=() q
	for q in maildrop incoming deferred hold; do
		case "$op:$q" in
		-h:hold|-h:maildrop|-H:maildrop|-H:incoming|-H:deferred|-r:maildrop|-e:maildrop|-f:maildrop) continue ;;
		esac
		queues+=(--queue "$q")
	done
	local has_queue=no a
	for a in "$@"; do [ "$a" = --queue ] && has_queue=yes; done
	if [ $has_queue = yes ]; then
		python3 "$TOP/tests/lib/brute_select.py" ids "$@" <"$gold_j" >"$TEST_TMP/sel.all"
		python3 "$TOP/tests/lib/brute_select.py" ids "${queues[@]}" <"$gold_j" >"$TEST_TMP/sel.ok"
		grep -Fxf "$TEST_TMP/sel.ok" "$TEST_TMP/sel.all" >"$TEST_TMP/sel.ids"
	else
		python3 "$TOP/tests/lib/brute_select.py" ids "${queues[@]}" "$@" <"$gold_j" >"$TEST_TMP/sel.ids"
	fi
	local n
	n=$(wc -l <"$TEST_TMP/sel.ids")
	[ "$n" -gt 0 ] && pass "$SPOOL_LABEL: $label selects $n messages" ||
		fail "$SPOOL_LABEL: $label selects nothing: a weak test"
	fresh_copy A
	fresh_copy B
	[ -n "${PLANT:-}" ] && { eval "$PLANT" "$TEST_TMP/A/spool"; eval "$PLANT" "$TEST_TMP/B/spool"; }
	start_clock
	local rc_a
	"$REAL" -c "$TEST_TMP/A/conf" "$op" - <"$TEST_TMP/sel.ids" >/dev/null 2>"$TEST_TMP/A/err"
	rc_a=$?
	echo "exit $rc_a" >>"$TEST_TMP/A/err"
	"$BIN/postq-postsuper" -c "$TEST_TMP/B/conf" "$op" "$@" </dev/null >/dev/null 2>"$TEST_TMP/B/err"
	echo "exit $?" >>"$TEST_TMP/B/err"
	[ "$rc_a" = 0 ] || fail "$SPOOL_LABEL: $label: the real postsuper $op - exits 0" "exit $rc_a" \
		"$(head -3 "$TEST_TMP/A/err")"
	capture "$TEST_TMP/A/tree" tree_state "$TEST_TMP/A/spool"
	capture "$TEST_TMP/B/tree" tree_state "$TEST_TMP/B/spool"
	check_same "$SPOOL_LABEL: $label: same tree as postsuper $op - with brute-force ids" \
		"$TEST_TMP/A/tree" "$TEST_TMP/B/tree"
	check_same "$SPOOL_LABEL: $label: same stderr" "$TEST_TMP/A/err" "$TEST_TMP/B/err"
	capture "$TEST_TMP/A/log" log_state "$TEST_TMP/A/conf/log/maillog"
	capture "$TEST_TMP/B/log" log_state "$TEST_TMP/B/conf/log/maillog"
	check_same "$SPOOL_LABEL: $label: same log" "$TEST_TMP/A/log" "$TEST_TMP/B/log"
	# the dry run lists exactly the ids acted on, and changes nothing
	fresh_copy C
	[ -n "${PLANT:-}" ] && eval "$PLANT" "$TEST_TMP/C/spool"
	start_clock
	"$BIN/postq-postsuper" -c "$TEST_TMP/C/conf" -n "$op" "$@" </dev/null >"$TEST_TMP/C/out" 2>"$TEST_TMP/C/err" ||
		fail "$SPOOL_LABEL: $label: --dry-run exits 0" "$(head -3 "$TEST_TMP/C/err")"
	capture "$TEST_TMP/C/tree" tree_state "$TEST_TMP/C/spool"
	check_same "$SPOOL_LABEL: $label: --dry-run changes nothing" "$gold_tree" "$TEST_TMP/C/tree"
	local want got
	want=$(sort "$TEST_TMP/sel.ids" | tr '\n' ' ')
	got=$(awk '$1 != "remove" || $2 !~ /^(bounce|defer|trace)\// { n = split($2, p, "/"); print p[n] }' \
		"$TEST_TMP/C/out" | sort -u | tr '\n' ' ')
	[ "$want" = "$got" ] && pass "$SPOOL_LABEL: $label: --dry-run lists the selected messages" ||
		fail "$SPOOL_LABEL: $label: --dry-run lists other messages" "want: $want" "got:  $got"
	[ -s "$TEST_TMP/C/conf/log/maillog" ] &&
		fail "$SPOOL_LABEL: $label: --dry-run wrote to the mail log" ||
		pass "$SPOOL_LABEL: $label: --dry-run logs nothing"
}

# any_id QUEUE [N]: the Nth (default 1st) message id in QUEUE of the gold copy
any_id() {
	find "$GOLD/$1" -type f -perm -700 -printf '%f\n' | sort | sed -n "${2:-1}p"
}

one_spool() {	# NAME LONG
	local name=$1
	LONG=$2
	SPOOL_LABEL="$name"
	sandbox_start "$name" ${2/no/} || { fail "$name: sandbox starts"; return; }
	sandbox_inject_varied || fail "$name: injection"
	sandbox_stop "$name"
	GOLD=$TEST_TMP/gold-$name
	sandbox_copy_spool "$GOLD" || fail "$name: copy of the spool"
	# a message still in incoming and one in active, as a stopped
	# Postfix can leave them (moved by hand, as qmgr would)
	local d1 d2
	d1=$(find "$GOLD/deferred" -type f -printf '%P\n' | sort | sed -n 5p)
	d2=$(find "$GOLD/deferred" -type f -printf '%P\n' | sort | sed -n 6p)
	mv "$GOLD/deferred/$d1" "$GOLD/incoming/"
	mv "$GOLD/deferred/$d2" "$GOLD/active/"
	# Reading a file (cp -a does) updates its atime while that is not
	# later than its mtime (relatime), and deferred files have mtimes in
	# the future (the next retry): set every atime beyond that, so that
	# every copy made from here on has the same times.
	find "$GOLD" -type f -exec touch -a -d "@$(($(date +%s) + 3 * 3600))" {} +
	fresh_copy J
	start_clock
	capture "$TEST_TMP/gold.tree" tree_state "$TEST_TMP/J/spool" || fail "$name: state of the gold copy"
	GOLD_J=$TEST_TMP/gold-$name.j
	capture "$GOLD_J" postqueue -c "$TEST_TMP/J/conf" -j 2>/dev/null && [ -s "$GOLD_J" ] ||
		fail "$name: postqueue -j on the gold copy"

	local def hold def2 inc act
	def=$(any_id deferred 1)
	def2=$(any_id deferred 2)
	hold=$(any_id hold 1)
	inc=$(basename "$d1")
	act=$(basename "$d2")
	local none=/dev/null
	printf '%s\n%s\n%s\n' "$def" "$hold" "$def2" >"$TEST_TMP/ids3"
	# a well-formed id of no message
	local ghost=ABCDEF12345
	[ "$LONG" = long ] && ghost=4SVLCh0sf8zgY7Q

	run_pair "-d deferred id (and its defer log)" $none -d "$def"
	[ "$CHANGED" = yes ] && pass "$name: -d changed the spool" || fail "$name: -d changed nothing"
	[ "$LONG" = no ] && run_pair "-d held id" $none -d "$hold"
	[ "$LONG" = no ] && run_pair "-d active id" $none -d "$act"
	run_pair "-h deferred id" $none -h "$def"
	[ "$LONG" = no ] && run_pair "-h incoming id" $none -h "$inc"
	[ "$LONG" = no ] && run_pair "-h held id (no-op)" $none -h "$hold"
	run_pair "-H held id" $none -H "$hold"
	run_pair "-r deferred id" $none -r "$def"
	[ "$LONG" = no ] && run_pair "-r active id" $none -r "$act"
	[ "$LONG" = no ] && run_pair "-e deferred id" $none -e "$def"
	[ "$LONG" = no ] && run_pair "-e held id" $none -e "$hold"
	run_pair "-f held id" $none -f "$hold"
	[ "$LONG" = no ] && run_pair "-d ghost id" $none -d "$ghost"
	ASAN_TOO=1 run_pair "-d ALL" $none -d ALL
	[ "$LONG" = no ] && run_pair "-d ALL deferred" $none -d ALL deferred
	[ "$LONG" = no ] && ASAN_TOO=1 run_pair "-h ALL" $none -h ALL
	[ "$LONG" = no ] && run_pair "-h ALL deferred" $none -h ALL deferred
	run_pair "-H ALL" $none -H ALL
	[ "$LONG" = no ] && ASAN_TOO=1 run_pair "-r ALL" $none -r ALL
	[ "$LONG" = no ] && run_pair "-r ALL hold" $none -r ALL hold
	[ "$LONG" = no ] && run_pair "-e ALL" $none -e ALL
	ASAN_TOO=1 run_pair "-f ALL" $none -f ALL
	ASAN_TOO=1 run_pair "-d - (three ids on stdin)" "$TEST_TMP/ids3" -d -
	[ "$LONG" = no ] && run_pair "-h - (three ids on stdin)" "$TEST_TMP/ids3" -h -
	[ "$LONG" = no ] && ASAN_TOO=1 run_pair "repeated: -h id -h id -H id -e id" $none -h "$def" -h "$def2" -H "$hold" -e "$def"
	[ "$LONG" = no ] && run_pair "-h ALL -H ALL (order kept)" $none -h ALL -H ALL
	[ "$LONG" = no ] && run_pair "-d id with queue arguments hold deferred" $none -d "$def" hold deferred
	[ "$LONG" = no ] && run_pair "-d id restricted to a queue without it" $none -d "$def" hold
	[ "$LONG" = no ] && run_pair "-h ALL incoming (one message)" $none -h ALL incoming
	[ "$LONG" = no ] && run_pair "-p -s on a healthy spool" $none -p -s
	[ "$LONG" = no ] && run_pair "no option (-s -p)" $none
	# a file out of its hash directory, a stale temp file, a socket-less junk
	ASAN_TOO=1 PLANT='plant_misplaced' run_pair "-s moves a misplaced file home" $none -s
	# -S also renames every long-named file whose name does not carry its
	# inode number; copies have new inodes, so on the long-id spool the
	# two trees are compared with those names masked.
	if [ "$LONG" = no ]; then
		PLANT='plant_misplaced' run_pair "-S (inode check) moves a misplaced file home" $none -S
	else
		fresh_copy A
		fresh_copy B
		plant_misplaced "$TEST_TMP/A/spool"
		plant_misplaced "$TEST_TMP/B/spool"
		start_clock
		"$REAL" -c "$TEST_TMP/A/conf" -S >/dev/null 2>"$TEST_TMP/A/err" ||
			fail "$name: -S: the real postsuper exits 0" "$(head -3 "$TEST_TMP/A/err")"
		"$BIN/postq-postsuper" -c "$TEST_TMP/B/conf" -S >/dev/null 2>"$TEST_TMP/B/err" ||
			fail "$name: -S: ours exits 0" "$(head -3 "$TEST_TMP/B/err")"
		local x
		for x in A B; do
			capture -f "sed -E 's#/[0-9A-Za-z]{12,} #/ID #' | sort" "$TEST_TMP/$x/tree" \
				tree_state "$TEST_TMP/$x/spool"
		done
		check_same "$name: -S renames long ids to their inodes: same files, names masked" \
			"$TEST_TMP/A/tree" "$TEST_TMP/B/tree"
		local n
		n=$(grep -c . "$TEST_TMP/A/err")
		[ "$n" -gt 0 ] && [ "$n" = "$(grep -c . "$TEST_TMP/B/err")" ] &&
			pass "$name: -S: as many report lines as postsuper ($n)" ||
			fail "$name: -S: report lines differ" "$(diff "$TEST_TMP/A/err" "$TEST_TMP/B/err" | head -5)"
	fi
	[ "$LONG" = no ] && PLANT='plant_misplaced' run_pair "-p purges a week-old unfinished file" $none -p
	[ "$LONG" = no ] && PLANT='plant_misplaced' run_pair "-h ALL with bogus names present" $none -h ALL

	# the rest once, on the short-id spool: nothing in it depends on ids
	[ "$LONG" = no ] || return 0

	# MAIL_CONFIG instead of -c
	fresh_copy A
	fresh_copy B
	start_clock
	MAIL_CONFIG=$TEST_TMP/A/conf capture "$TEST_TMP/A/err" stderr_of "$REAL" -h "$def"
	MAIL_CONFIG=$TEST_TMP/B/conf capture "$TEST_TMP/B/err" stderr_of "$BIN/postq-postsuper" -h "$def"
	check_same "$name: MAIL_CONFIG: same stderr and exit status 0" "$TEST_TMP/A/err" "$TEST_TMP/B/err"
	capture "$TEST_TMP/A/tree" tree_state "$TEST_TMP/A/spool"
	capture "$TEST_TMP/B/tree" tree_state "$TEST_TMP/B/spool"
	check_same "$name: MAIL_CONFIG: same tree" "$TEST_TMP/A/tree" "$TEST_TMP/B/tree"

	# -v: the same report of every step. Postfix's start-up lines about
	# the host's network addresses say nothing about the spool: left out.
	fresh_copy A
	fresh_copy B
	start_clock
	local noise='^postsuper: (name_mask|inet_addr_local|been_here|mynetworks_core):'
	capture -f "grep -Ev '$noise'" "$TEST_TMP/A/err" stderr_of "$REAL" -c "$TEST_TMP/A/conf" -v -h "$def" -r ALL hold
	capture -f "grep -Ev '$noise'" "$TEST_TMP/B/err" stderr_of "$BIN/postq-postsuper" -c "$TEST_TMP/B/conf" -v -h "$def" -r ALL hold
	check_same "$name: -v: same steps reported, exit status 0" "$TEST_TMP/A/err" "$TEST_TMP/B/err"
	capture "$TEST_TMP/A/tree" tree_state "$TEST_TMP/A/spool"
	capture "$TEST_TMP/B/tree" tree_state "$TEST_TMP/B/spool"
	check_same "$name: -v: same tree" "$TEST_TMP/A/tree" "$TEST_TMP/B/tree"

	# syslog instead of maillog_file: the same records, same priority
	local args
	for args in "-h $def" "-H $hold" "-d $def" "-r $def" "-e $def" "-h ALL" "-H ALL"; do
		# shellcheck disable=SC2086
		SYSLOG=1 run_pair "syslog: postsuper $args" $none $args
	done

	# selection by filter, against postsuper fed brute-force ids
	run_select "-h --from sender@example.com" -h --from 'sender@example\.com'
	[ "$LONG" = no ] && run_select "-d --to @example.com\$ --queue deferred" -d --to '@example\.com$' --queue deferred
	[ "$LONG" = no ] && run_select "-d --reason 4xx" -d --reason 'said: 4[0-9][0-9] '
	[ "$LONG" = no ] && run_select "-d MAILER-DAEMON mail to one recipient" -d --from '^MAILER-DAEMON$' --to '^defer-null@example\.com$'
	run_select "-H --to ^ok-held" -H --to '^ok-held'
	[ "$LONG" = no ] && run_select "-r --domain example.net" -r --domain example.net
	[ "$LONG" = no ] && run_select "-e --to ^defer-plain" -e --to '^defer-plain'
	[ "$LONG" = no ] && run_select "-f --queue hold" -f --queue hold
	[ "$LONG" = no ] && run_select "-h --newer 1d (all)" -h --newer 1d
	# a matching message still being written (mode 0600) is left alone,
	# and one without time or size records is judged by the file's
	[ "$LONG" = no ] && PLANT=plant_unfinished run_select "-h --from with an unfinished copy" -h --from 'sender@example\.com'
	[ "$LONG" = no ] && PLANT=plant_unfinished run_select "-h --older 1h --max-size with records missing" -h --older 1h --max-size 100000

	# errors: named, non-zero, nothing changed
	local bin
	for bin in "$BIN" ${ASAN_BIN:+"$ASAN_BIN"}; do
		fresh_copy B
		start_clock
		if "$bin/postq-postsuper" -c "$TEST_TMP/B/conf" -h "$def" -d ALL saved 2>"$TEST_TMP/B/err"; then
			fail "$name: unknown queue name exits non-zero"
		else
			grep -q 'invalid directory name: saved' "$TEST_TMP/B/err" &&
				pass "$name: unknown queue name is named" ||
				fail "$name: unknown queue name is named" "$(cat "$TEST_TMP/B/err")"
		fi
		"$bin/postq-postsuper" -c "$TEST_TMP/B/conf" -h "$def" -d 'bad.id' 2>"$TEST_TMP/B/err" &&
			fail "$name: invalid queue id exits non-zero" ||
			{ grep -q 'bad\.id' "$TEST_TMP/B/err" && pass "$name: invalid queue id is named" ||
				fail "$name: invalid queue id is named" "$(cat "$TEST_TMP/B/err")"; }
		printf '%s\nnot-an-id\n' "$def" | "$bin/postq-postsuper" -c "$TEST_TMP/B/conf" -h - 2>"$TEST_TMP/B/err" &&
			fail "$name: invalid id on stdin exits non-zero" ||
			{ grep -q 'not-an-id' "$TEST_TMP/B/err" && pass "$name: invalid id on stdin is named" ||
				fail "$name: invalid id on stdin is named" "$(cat "$TEST_TMP/B/err")"; }
		capture "$TEST_TMP/B/tree" tree_state "$TEST_TMP/B/spool"
		check_same "$name: bad input changes nothing" "$TEST_TMP/gold.tree" "$TEST_TMP/B/tree"
		"$bin/postq-postsuper" --spool "$TEST_TMP/nonexistent" -c "$TEST_TMP/B/conf" -d ALL 2>"$TEST_TMP/B/err" &&
			fail "$name: missing spool exits non-zero" ||
			{ grep -q nonexistent "$TEST_TMP/B/err" && pass "$name: missing spool is named" ||
				fail "$name: missing spool is named" "$(cat "$TEST_TMP/B/err")"; }
		"$bin/postq-postsuper" -c "$TEST_TMP/B/conf" -h 2>"$TEST_TMP/B/err" &&
			fail "$name: -h with neither id nor filter exits non-zero" ||
			pass "$name: -h with neither id nor filter exits non-zero"
	done
}

# with_syslog OUT CMD...: run CMD with syslog(3) going to a sink that
# writes the datagrams to OUT. Where /dev/log exists (a syslog daemon
# runs), CMD runs in a private mount namespace with the sink's socket
# mounted over it; otherwise the sink is /dev/log for that moment.
with_syslog() {
	local out=$1 sock pid rc
	shift
	: >"$out"
	if [ -e /dev/log ]; then
		sock=$TEST_TMP/syslog.sock
	else
		sock=/dev/log
	fi
	rm -f "$sock"	# so that waiting for the socket waits for this sink
	python3 "$TOP/tests/lib/syslog_sink.py" "$sock" "$out" &
	pid=$!
	local i
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	if [ "$sock" = /dev/log ]; then
		"$@"
	else
		unshare -m --propagation private sh -c 'mount --bind "$0" /dev/log && exec "$@"' "$sock" "$@"
	fi
	rc=$?
	sleep 0.3	# datagrams are queued: let the sink write the last ones
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$sock" = /dev/log ] && rm -f /dev/log
	return $rc
}

# syslog_state FILE: the records without time stamp and pid
# (postsuper's only: without a syslog daemon the sink is /dev/log for a
# moment, and catches whatever else on the machine logs then)
syslog_state() {
	sed -nE '/postsuper\[[0-9]+\]:/{s/^(<[0-9]+>)[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} /\1/; s/\[[0-9]+\]:/[PID]:/; p}' "$1"
}

# hash_dir DIR: a hash directory as Postfix makes them (postfix, 0700):
# postsuper works as the postfix user, and could not rename into a
# directory of root's
hash_dir() {
	[ -d "$1" ] && return 0
	mkdir "$1" && chown postfix: "$1" && chmod 700 "$1"
}

# plant_unfinished SPOOL: in incoming and in deferred, a copy of a
# message from sender@example.com with mode 0600 (not ready: being
# written, or changed by hand); in deferred, a copy without its time and
# size records, two days older by its file times. Short ids only: new
# ids are made by turning the hex digits of an old one.
plant_unfinished() {
	local f g id
	f=$(grep -rl --null 'sender@example\.com' "$1/deferred" | tr '\0' '\n' | sort | sed -n 1p)
	g=$1/incoming/$(basename "$f" | tr '0-9A-F' '5-9A-F0-4')
	cp -p "$f" "$g"
	chmod 600 "$g"
	id=$(basename "$f" | tr '0-9A-F' '7-9A-F0-6')
	g=$1/deferred/${id:0:1}/$id
	hash_dir "${g%/*}"
	cp -p "$f" "$g"
	chmod 600 "$g"
	id=$(basename "$f" | tr '0-9A-F' '3-9A-F0-2')
	g=$1/deferred/${id:0:1}/$id
	hash_dir "${g%/*}"
	python3 - "$f" "$g" <<'PY'
import sys
# drop the C and T records at the head; keep the rest as it is
data = open(sys.argv[1], 'rb').read()
out, i = b'', 0
while i < len(data):
    t, j, n, s = data[i:i+1], i + 1, 0, 0
    while True:
        b = data[j]; j += 1; n |= (b & 0x7f) << s; s += 7
        if not b & 0x80:
            break
    rec = data[i:j + n]
    if t in (b'C', b'T'):
        i = j + n
        continue
    out += data[i:]
    break
open(sys.argv[2], 'wb').write(out)
PY
	chown postfix: "$g"
	chmod 700 "$g"
	# the same times in every copy: two days before the original's
	touch -d "@$(($(stat -c %Y "$f") - 2 * 86400))" "$g"
}

# plant_misplaced SPOOL: a deferred message out of its hash directory, a
# week-old unfinished file in incoming, and a bogus name in hold.
plant_misplaced() {
	local f
	f=$(find "$1/deferred" -mindepth 2 -type f | sort | sed -n 3p)
	mv "$f" "$1/deferred/"
	f=$1/incoming/$(basename "$f" | tr 'A-Za-z0-9' 'B-ZAb-za1-90')
	printf 'junk' >"$f"
	chown postfix: "$f"
	chmod 600 "$f"
	touch -d '2020-01-01 00:00:00' "$f"
	# names without inode digits, which Postfix decodes as inode 0: a
	# short one of five characters, and on the long-id spool a long one
	# ending in its 'z' (on the other, -s renames it to a short id made
	# from its copy's inode, which differs between the two copies)
	local names=4E2A1
	[ "$LONG" = no ] || names="$names BCDFGHJKLMNz"
	for f in $names; do
		printf 'junk' >"$1/incoming/$f"
		chown postfix: "$1/incoming/$f"
		chmod 600 "$1/incoming/$f"
		touch -d '2020-01-01 00:00:00' "$1/incoming/$f"
	done
	printf 'junk' >"$1/hold/bogus.name"
	chown postfix: "$1/hold/bogus.name"
	chmod 700 "$1/hold/bogus.name"
	touch -d '2020-01-01' "$1/hold/bogus.name"
}

one_spool psshort no
one_spool pslong long
