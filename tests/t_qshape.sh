#!/bin/bash
# t_qshape.sh - postq-qshape against the real qshape (Postfix 3.7's Perl
# script) on spools written by a sandboxed real Postfix (short and long
# queue ids): deferred, hold, active and incoming queues, plus a directory
# of crafted variants of a real queue file (odd addresses and senders,
# odd first records, truncations, modes, names, symlinks, subdirectories),
# across an option matrix, on a terminal (batches, -N/-n) and off one.
#
# Both tools run on the same stopped copy of the spool with the clock
# frozen by faketime, so ages are the same for both. The arrival times of
# the copy are spread over 30 days (tests/lib/qshape_craft.py retime) so
# every bucket gets mail.
#
# Tie order: rows with equal count and equal name length come in Perl's
# random hash order from qshape (postq-qshape uses byte order), so both
# outputs go through tests/lib/qshape_ties.py, which sorts each run of
# such rows; on a terminal (-n limits the rows) the names of the last run
# of each table are masked, since the cut may fall inside it.
#
# Also: the ASan+UBSan build on the whole matrix of one spool, --spool,
# --json (the same numbers as the table), --by reason (totals against
# postqueue -j) and the filters (against qshape on a copy holding only
# the messages postq-mailq selects with the same filter).
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"

[ -x /usr/sbin/qshape ] || skip_all "no /usr/sbin/qshape"
why=$(sandbox_available) || skip_all "$why"
ASAN_BIN=${ASAN_BIN:-}
QSHAPE=/usr/sbin/qshape
TIES="python3 $TOP/tests/lib/qshape_ties.py"
CRAFT="python3 $TOP/tests/lib/qshape_craft.py"
sandbox_trap
sandbox_build_tools || exit 1

NOW=$(( $(date +%s) + 120 ))
frozen() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
# ft WHEN CMD...: run CMD with the clock frozen at WHEN (epoch seconds).
# postconf (which qshape runs) is left alone: it hangs on a frozen clock.
# NO_FAKE_STAT: libfaketime would otherwise fake file times too, and not
# alike for lstat (Perl) and fstat (postq-qshape). FAKETIME_LIB is
# common.sh's; unlike its pinned, the clock stands still here.
have_pinned || skip_all "no libfaketime"
ft() {
	local when=$1
	shift
	LD_PRELOAD=$FAKETIME_LIB FAKETIME="$(frozen "$when")" FAKETIME_SKIP_CMDS=postconf \
		NO_FAKE_STAT=1 "$@"
}
export TZ=UTC

# More shapes than the standard set: many subdomains of one parent (for
# -p), long domain names (truncation at -w), mixed case, many senders.
inject_shapes() {
	local i s
	for i in 1 2 3 4 5 6 7; do
		sandbox_send -f "sender$i@Host$i.Senders.Example.NET" \
			-t "defer-p$i@mx$i.Parent.Example.COM" -t "defer-q$i@mx$i.parent.example.com" >/dev/null || return 1
	done
	s=defer-long@a-rather-long-subdomain-name-for-truncation.with-more-labels.example.org
	sandbox_send -f "$s" -t "$s" -t "defer-x@$(printf 'x%.0s' $(seq 1 60)).example.net" >/dev/null || return 1
	sandbox_send -f '' -t "defer-deep@a.b.c.d.e.f.example.com" -t "defer-deep2@b.c.d.e.f.example.com" >/dev/null || return 1
	for i in 1 2 3 4 5 6; do
		sandbox_send -f "s@x$i.example.com" -t "defer-$i@leaf$i.example.org" >/dev/null || return 1
	done
}

# compare [-s N] [--empty] LABEL WHEN ARGS...: qshape and postq-qshape,
# same frozen time; both exit N (default 0), and their output is not
# empty (--empty: both empty, as after a usage error). The raw outputs
# are kept as want/got; the comparison is of the tie-normalised ones.
compare() {
	local opts=()
	while :; do
		case $1 in
		-s) opts+=(--status "$2"); shift 2 ;;
		--empty) opts+=(--empty); shift ;;
		*) break ;;
		esac
	done
	local label=$1 when=$2 bin
	shift 2
	capture -f "tee $TEST_TMP/want | $TIES" "$TEST_TMP/want.n" ft "$when" "$QSHAPE" "$@" 2>"$TEST_TMP/want.n.err"
	for bin in "$BIN" ${ASAN_ON:+"$ASAN_BIN"}; do
		# libfaketime is preloaded: ASan must not insist on coming first
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
			capture -f "tee $TEST_TMP/got | $TIES" "$TEST_TMP/got.n" \
			ft "$when" "$bin/postq-qshape" "$@" 2>"$TEST_TMP/got.n.err"
		local tag=$label
		[ "$bin" = "$BIN" ] || tag="$label (asan)"
		if grep -q 'Sanitizer\|runtime error\|ASan' "$TEST_TMP/got.n.err"; then
			fail "$tag: sanitizer report" "$(head -5 "$TEST_TMP/got.n.err")"
			continue
		fi
		if cmp -s "$TEST_TMP/want" "$TEST_TMP/got"; then
			check_same "${opts[@]}" "$tag: identical" "$TEST_TMP/want.n" "$TEST_TMP/got.n"
		else
			check_same "${opts[@]}" "$tag: identical modulo tie order" "$TEST_TMP/want.n" "$TEST_TMP/got.n"
		fi
	done
}

OPTS=(
	"" "-s" "-p" "-p -m 1" "-s -p -m 2" "-sp" "-p -m 3 -w 90"
	"-b 5" "-b 20" "-b 1" "-b 2.5" "-b3 -t2" "-t 1" "-t 60" "-t 2.5" "-t 0.5 -b 12"
	"-l" "-l -b 5 -t 10" "-l -t 0.5 -b 30" "-l -s -p -m 1 -b 8 -t 30"
	"-w 120" "-w 60" "-w 100.5" "-w 200 -b 15" "-w 81 -p -m 1" "-w 300 -b 40 -t 0.1"
	"-N 5 -n 3" "-b 0" "-t -5" "-m 0 -p" "-w abc" "-b 7abc" "-h" "-x" "-s:p" "-b"
)

run_kind() {
	local kind=$1 arg='' sp conf q o f
	[ "$kind" = long ] && arg=long
	sandbox_start "qs$kind" $arg || { fail "$kind: sandbox start"; return; }
	sandbox_inject_varied || fail "$kind: inject varied"
	inject_shapes || fail "$kind: inject shapes"
	sandbox_wait_quiet || fail "$kind: queue quiet"
	sandbox_stop

	sp=$TEST_TMP/spool-$kind
	conf=$TEST_TMP/conf-$kind
	sandbox_copy_spool "$sp" || { fail "$kind: copy spool"; return; }
	sandbox_offline_conf "$conf" "$sp" $arg
	# active and incoming: copies of real deferred files (same owner, mode)
	local n=0
	while IFS= read -r f; do
		n=$((n + 1))
		if [ $((n % 3)) = 0 ]; then cp -a "$f" "$sp/active/"; fi
		if [ $((n % 5)) = 0 ]; then cp -a "$f" "$sp/incoming/"; fi
	done < <(find "$sp/deferred" -type f | sort)
	$CRAFT retime "$sp" "$NOW"
	local template
	template=$(find "$sp/deferred" -type f | sort | head -1)
	$CRAFT quirks "$template" "$sp/quirks"
	local nmsg
	nmsg=$(find "$sp"/{deferred,hold,active,incoming} -type f | wc -l)
	[ "$nmsg" -gt 40 ] && pass "$kind: spool has $nmsg message files" ||
		fail "$kind: spool has only $nmsg message files"

	# every option on all queues, at two times
	local st
	for o in "${OPTS[@]}"; do
		# usage errors: qshape dies (status 255) with nothing on stdout
		st=()
		case $o in -h | -x) st=(-s 255 --empty) ;; esac
		# shellcheck disable=SC2086
		compare "${st[@]}" "$kind: $o all queues" "$NOW" -c "$conf" $o deferred hold active incoming quirks
	done
	for o in "" "-s" "-p -m 1" "-l -t 60"; do
		# shellcheck disable=SC2086
		compare "$kind: $o all queues, a day later" "$((NOW + 86400))" -c "$conf" $o deferred hold active incoming quirks
	done
	# queue selections
	for q in "" "deferred" "hold" "active" "incoming" "quirks" "deferred hold" \
		"$sp/deferred" "$sp/deferred/ $sp/hold" "deferred $sp/quirks" \
		"quirks/SUBDIR0" "$template" "$sp/quirks/Q00000QX"; do
		for o in "" "-s -p -m 1"; do
			# shellcheck disable=SC2086
			compare "$kind: $o queues '${q#$sp/}'" "$NOW" -c "$conf" $o $q
		done
	done
	# option parsing corners: "--" and a queue name that looks like an option
	compare "$kind: -- ends options" "$NOW" -c "$conf" -s -- deferred
	# (t_failsafe_bounds.sh: a queue that is not there exits 69, and an
	# option after a queue name is refused, where qshape exits 0.)
	# postconf fails: exit 1 (but absolute queue paths need no main.cf)
	compare -s 1 --empty "$kind: no main.cf (exit status)" "$NOW" -c "$TEST_TMP/nonexistent" deferred
	compare "$kind: no main.cf, absolute queues (not read)" "$NOW" -c "$TEST_TMP/nonexistent" "$sp/deferred"
	mkdir -p "$TEST_TMP/badq" && echo "queue_directory = $TEST_TMP/nonexistent-spool" >"$TEST_TMP/badq/main.cf"
	compare -s 2 --empty "$kind: no queue directory (exit status)" "$NOW" -c "$TEST_TMP/badq" deferred

	# on a terminal: batches every -N messages, top -n rows, screen clears
	for o in "" "-N 7 -n 5" "-N 10 -n 3 -s" "-N 1 -n 2 -p -m 1" "-N 0" "-n 0 -N 25" "-N 3.9 -n 2.5"; do
		local t
		for t in want got; do
			local cmd=$QSHAPE
			[ $t = got ] && cmd=$BIN/postq-qshape
			capture -f "tee $TEST_TMP/$t.tty | $TIES --mask-last" "$TEST_TMP/$t.tty.n" \
				env TERM=xterm LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$(frozen "$NOW")" \
				FAKETIME_SKIP_CMDS=postconf,script NO_FAKE_STAT=1 \
				script -qec "$cmd -c $conf $o deferred hold quirks 2>/dev/null" /dev/null </dev/null
		done
		local batches
		batches=$(grep -c TOTAL "$TEST_TMP/want.tty")
		check_same "$kind: terminal $o ($batches tables)" "$TEST_TMP/want.tty.n" "$TEST_TMP/got.tty.n"
	done

	# --spool DIR and the postq front end
	capture -f "$TIES" "$TEST_TMP/want" ft "$NOW" "$QSHAPE" -c "$conf" deferred hold 2>/dev/null
	capture -f "$TIES" "$TEST_TMP/got" ft "$NOW" "$BIN/postq-qshape" --spool "$sp" deferred hold
	check_same "$kind: --spool DIR" "$TEST_TMP/want" "$TEST_TMP/got"
	capture -f "$TIES" "$TEST_TMP/got" ft "$NOW" "$BIN/postq" qshape --spool "$sp" deferred hold
	check_same "$kind: postq qshape" "$TEST_TMP/want" "$TEST_TMP/got"

	# --json: the same numbers as the table
	for o in "" "-s -p -m 1 -b 6"; do
		# shellcheck disable=SC2086
		if "$BIN/postq-qshape" -c "$conf" $o deferred hold >"$TEST_TMP/text" 2>/dev/null &&
		   "$BIN/postq-qshape" -c "$conf" --json $o deferred hold >"$TEST_TMP/json" 2>/dev/null &&
		   python3 - "$TEST_TMP/text" "$TEST_TMP/json" <<'PY'
import json, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "replace").split("\n")
j = json.load(open(sys.argv[2]))
cols = text[0].split()
assert cols == j["columns"], (cols, j["columns"])
n = len(cols)
tot = [int(x) for x in text[1].split()[-n:]] if "TOTAL" in text[1] else None
rows = [l for l in text[1:] if l.strip()]
counts = [[int(x) for x in l.split()[-n:]] for l in rows]
want = [j["total"]] + [r["counts"] for r in j["rows"]]
assert sorted(counts) == sorted(want), "row counts differ"
PY
		then pass "$kind: --json $o has the table's numbers"
		else fail "$kind: --json $o has the table's numbers"
		fi
	done

	# --by reason: one count per recipient that postqueue -j lists, but
	# for force-expired messages (g+x), which qshape never counts
	capture -f "python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    m = json.loads(line)
    if m[\"queue_name\"] == \"deferred\" and not m[\"forced_expire\"]:
        n += len(m[\"recipients\"])
print(n)'" "$TEST_TMP/want" postqueue -c "$conf" -j 2>/dev/null
	capture -f "awk '\$0 ~ /TOTAL/ { print \$2 }'" "$TEST_TMP/got" "$BIN/postq-qshape" -c "$conf" --by reason deferred
	check_same "$kind: --by reason counts every recipient of deferred" "$TEST_TMP/want" "$TEST_TMP/got"
	local rst
	"$BIN/postq-qshape" -c "$conf" --by reason -w 250 deferred >"$TEST_TMP/reasons" 2>"$TEST_TMP/reasons.err"
	rst=$?
	if [ $rst = 0 ] && [ -s "$TEST_TMP/reasons" ] && ! grep -q '@' "$TEST_TMP/reasons"; then
		pass "$kind: --by reason masks addresses"
	else
		fail "$kind: --by reason masks addresses" "exit $rst" "$(grep -m3 '@' "$TEST_TMP/reasons")"
	fi
	grep -q 'said: 450 4\.[0-9]\.[0-9] <\*>' "$TEST_TMP/reasons" &&
		pass "$kind: --by reason keeps the SMTP codes" ||
		fail "$kind: --by reason keeps the SMTP codes" "$(head -5 "$TEST_TMP/reasons")"
	capture -f "sed -n 3p" "$TEST_TMP/narrow" "$BIN/postq-qshape" -c "$conf" --by reason -w 40 deferred &&
	grep -q '^host \*\[\*\] said: 4[0-9][0-9][- ].*+ ' "$TEST_TMP/narrow" &&
		pass "$kind: --by reason cuts long classes at the end" ||
		fail "$kind: --by reason cuts long classes at the end" "$(cat "$TEST_TMP/narrow")"

	# filters: qshape on a copy holding only what postq-mailq selects
	while IFS= read -r spec; do
		eval "set -- $spec"
		local sel=$TEST_TMP/sel-$kind
		rm -rf "$sel"
		mkdir -p "$sel/deferred"
		# (a filter that selects nothing would compare two empty tables)
		local nsel=0
		if "$BIN/postq-mailq" -c "$conf" --ids --queue deferred "$@" >"$TEST_TMP/sel.ids"; then
			while IFS= read -r id; do
				find "$sp/deferred" -name "$id" -exec cp -a {} "$sel/deferred/" \;
			done <"$TEST_TMP/sel.ids"
			nsel=$(find "$sel/deferred" -type f | wc -l)
			[ "$nsel" -gt 0 ] || fail "$kind: filter $spec selects something"
		else
			fail "$kind: filter $spec: postq-mailq --ids fails"
		fi
		capture -f "$TIES" "$TEST_TMP/want" ft "$NOW" "$QSHAPE" -s -p -m 1 "$sel/deferred" 2>/dev/null
		capture -f "$TIES" "$TEST_TMP/got" ft "$NOW" "$BIN/postq-qshape" -c "$conf" -s -p -m 1 "$@" deferred
		check_same "$kind: filter $spec ($nsel messages)" "$TEST_TMP/want" "$TEST_TMP/got"
	done <<'SPECS'
--from '^MAILER-DAEMON$'
--to '^defer-p[0-9]@'
--domain example.net
--reason 'deferred'
--older 2h
--newer 2h
--min-size 2k
--to '^defer' --reason '4\.[0-9]\.[0-9]' --ignore-case
SPECS
}

ASAN_ON=
run_kind short
[ -n "$ASAN_BIN" ] && [ -x "$ASAN_BIN/postq-qshape" ] && ASAN_ON=1
run_kind long
exit 0
