#!/bin/bash
# t_postsuper_race.sh - postq-postsuper while Postfix works: mail is
# injected and delivered to the sink while hundreds of random hold,
# release, requeue and expire-free operations (by filter, by id from a
# listing, by ALL on queues Postfix is not holding in memory) run. At the
# end every injected message must have been delivered exactly once or be
# still queued: none lost, none duplicated (counted at the sink by
# Message-ID, and in the queue by its unique recipient). Then a queue id
# reused between a selection and its action: the file that replaced the
# selected one must be left alone.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"

command -v postsuper >/dev/null || skip_all "postfix is not installed"
why=$(sandbox_available) || skip_all "$why"
sandbox_trap
PS=$BIN/postq-postsuper
N=${RACE_MESSAGES:-400}
SECS=${RACE_SECONDS:-50}

sandbox_start psrace || { fail "sandbox starts"; exit 0; }

# the injector: every 3rd message is held on arrival (HOLDME)
(
	for i in $(seq 1 "$N"); do
		if [ $((i % 3)) = 0 ]; then
			sandbox_send -m "<race-$i@race.postq.test>" -f "sender$((i % 5))@example.com" \
				-t "ok-race-$i@example.com" -H 'Subject: HOLDME race' >/dev/null 2>&1
		else
			sandbox_send -m "<race-$i@race.postq.test>" -f "sender$((i % 5))@example.com" \
				-t "ok-race-$i@example.com" >/dev/null 2>&1
		fi || echo "$i" >>"$TEST_TMP/inject.failed"
	done
) &
injector=$!

# the operator: random operations until the time is up
ops=0
bad=0
end=$((SECONDS + SECS))
while [ "$SECONDS" -lt "$end" ]; do
	d=$((RANDOM % 10))
	case $((RANDOM % 9)) in
	0) args=(-h --to "^ok-race-[0-9]*$d@") ;;
	1) args=(-H --to "^ok-race-[0-9]*$d@") ;;
	2) args=(-r --queue hold --to "^ok-race-[0-9]*$d@") ;;
	3) args=(-r --from "^sender$((d % 5))@") ;;
	4) args=(-h ALL incoming deferred) ;;
	5) args=(-H ALL) ;;
	6) "$BIN/postq-mailq" -c "$SB_CONF" --ids --queue hold --queue deferred --queue incoming \
		>"$TEST_TMP/ids" 2>/dev/null
	   args=(-h -) ;;
	7) "$BIN/postq-mailq" -c "$SB_CONF" --ids --queue hold >"$TEST_TMP/ids" 2>/dev/null
	   args=(-H -) ;;
	8) postqueue -c "$SB_CONF" -f 2>/dev/null; args=() ;;
	esac
	if [ ${#args[@]} -gt 0 ]; then
		if [ "${args[1]}" = - ]; then
			"$PS" -c "$SB_CONF" --kick "${args[@]}" <"$TEST_TMP/ids" >/dev/null 2>>"$TEST_TMP/ops.err" || bad=$((bad + 1))
		else
			"$PS" -c "$SB_CONF" --kick "${args[@]}" </dev/null >/dev/null 2>>"$TEST_TMP/ops.err" || bad=$((bad + 1))
		fi
		ops=$((ops + 1))
	fi
done
# Thousands of operations later bash may have forgotten the injector's
# exit (it keeps a bounded list of finished children): "not a child"
# then means it finished long ago.
wait "$injector" 2>/dev/null
[ "$ops" -ge 200 ] && pass "$ops random operations while mail flowed" ||
	fail "only $ops operations in ${SECS}s"
[ "$bad" = 0 ] && pass "every operation succeeded" ||
	fail "$bad operations failed" "$(grep -v ': \(placed on hold\|released from hold\|requeued\|Placed on hold\|Released from hold\|Requeued\):' "$TEST_TMP/ops.err" | sort | uniq -c | head -5)"
# "-h ALL incoming" meets cleanup's unfinished files (named usec.pid):
# postsuper warns "bogus file name" about them too, and leaves them alone.
grep 'warning\|fatal' "$TEST_TMP/ops.err" |
	grep -v 'warning: bogus file name: incoming/[0-9]*\.[0-9]*$' >"$TEST_TMP/warnings"
[ -s "$TEST_TMP/warnings" ] &&
	fail "no warnings from the operations (but cleanup's temp files)" "$(head -5 "$TEST_TMP/warnings")" ||
	pass "no warnings from the operations (but cleanup's temp files)"
[ -s "$TEST_TMP/inject.failed" ] && fail "injection failed for $(wc -l <"$TEST_TMP/inject.failed") messages" ||
	pass "$N messages injected"

# let everything that may go, go: release, requeue, flush, settle
"$PS" -c "$SB_CONF" -H ALL 2>/dev/null
postqueue -c "$SB_CONF" -f
sleep 3
sandbox_wait_quiet 90 || fail "queue settles"
sleep 2

postqueue -c "$SB_CONF" -j >"$TEST_TMP/queue.j" 2>/dev/null
python3 - "$N" "$SB_SINK_LOG" "$TEST_TMP/queue.j" <<'EOF' >"$TEST_TMP/verdict"
import json, re, sys
n = int(sys.argv[1])
delivered = {}
for line in open(sys.argv[2], errors="replace"):
    m = re.match(r"<race-(\d+)@race\.postq\.test> ", line)
    if m:
        delivered[int(m.group(1))] = delivered.get(int(m.group(1)), 0) + 1
queued = {}
for line in open(sys.argv[3], errors="replace"):
    if not line.strip():
        continue
    msg = json.loads(line)
    for r in msg["recipients"]:
        m = re.match(r"ok-race-(\d+)@", r["address"])
        if m:
            queued[int(m.group(1))] = queued.get(int(m.group(1)), 0) + 1
lost = [i for i in range(1, n + 1) if delivered.get(i, 0) + queued.get(i, 0) == 0]
dup = [i for i in range(1, n + 1) if delivered.get(i, 0) + queued.get(i, 0) > 1]
print("delivered %d queued %d lost %d duplicated %d" % (
    sum(1 for i in delivered if i <= n), len(queued), len(lost), len(dup)))
print("lost: %s" % lost[:20])
print("duplicated: %s" % [(i, delivered.get(i, 0), queued.get(i, 0)) for i in dup[:20]])
EOF
read -r _ del _ que _ lost _ dup <"$TEST_TMP/verdict"
echo "# $(head -1 "$TEST_TMP/verdict")"
[ "$lost" = 0 ] && pass "no message lost ($del delivered, $que still queued)" ||
	fail "$lost messages lost" "$(sed -n 2p "$TEST_TMP/verdict")"
[ "$dup" = 0 ] && pass "no message delivered twice or both delivered and queued" ||
	fail "$dup messages duplicated" "$(sed -n 3p "$TEST_TMP/verdict")"
[ $((del + que)) -ge "$N" ] && pass "all $N messages accounted for" ||
	fail "only $((del + que)) of $N accounted for"

# --- a queue id reused between selection and action -------------------
# Postfix may deliver a selected message and give its queue id to a new
# one before the action gets to it; the id names the new file's inode,
# which can be the old number again. Here, in hold (which Postfix leaves
# alone), many copies of a "victim" message are selected by sender;
# postq-postsuper is stopped between selection and action (a test
# switch), and every other selected file is replaced by an innocent
# message under the same name: half by a new file renamed over it (a new
# inode), half rewritten in place (the same inode number, as a reused
# id gets). None of them may be deleted. The real postsuper fed the same
# selection, by id, deletes them: the oracle shows the hazard is real.
REUSE=${REUSE_MESSAGES:-200}
id_v=$(sandbox_send -m "<reuse-victim@race.postq.test>" -f victim@example.com \
	-t ok-reuse-v@example.com -H 'Subject: HOLDME reuse victim')
id_i=$(sandbox_send -m "<reuse-innocent@race.postq.test>" -f innocent@example.com \
	-t ok-reuse-i@example.com -H 'Subject: HOLDME reuse innocent')
sandbox_wait_quiet 60
v=$SB_SPOOL/hold/$id_v
i=$SB_SPOOL/hold/$id_i
if [ -f "$v" ] && [ -f "$i" ]; then
	pass "a victim and an innocent message held"
else
	fail "a victim and an innocent message held" "$(ls "$SB_SPOOL/hold" | head)"
fi
cp -p "$v" "$TEST_TMP/victim.keep"
# plant_victims PREFIX: REUSE copies of the victim as PREFIX00001...
plant_victims() {
	local k
	for k in $(seq -f '%05g' 1 "$REUSE"); do
		cp -p "$TEST_TMP/victim.keep" "$SB_SPOOL/hold/$1$k"
	done
}
# replace_half PREFIX: the odd ones innocent, new inode or same inode
replace_half() {
	local k n=0
	for k in $(seq -f '%05g' 1 2 "$REUSE"); do
		if [ $((n % 2)) = 0 ]; then
			cp -p "$i" "$SB_SPOOL/hold/.reuse.tmp"
			mv "$SB_SPOOL/hold/.reuse.tmp" "$SB_SPOOL/hold/$1$k"
		else
			cat "$i" >"$SB_SPOOL/hold/$1$k"
		fi
		n=$((n + 1))
	done
}
# survivors PREFIX: how many PREFIX* files are there, how many innocent
survivors() {
	local all inn
	all=$(find "$SB_SPOOL/hold" -name "$1*" -type f | wc -l)
	inn=$(find "$SB_SPOOL/hold" -name "$1*" -type f -exec cmp -s "$i" {} \; -print | wc -l)
	echo "$all $inn"
}
plant_victims REUSEA
"$BIN/postq-mailq" -c "$SB_CONF" --ids --queue hold --from '^victim@' | grep -c '^REUSEA' >"$TEST_TMP/n"
[ "$(cat "$TEST_TMP/n")" = "$REUSE" ] && pass "$REUSE victims selectable" ||
	fail "$REUSE victims selectable" "$(cat "$TEST_TMP/n")"
POSTQ_TEST=postsuper_stop_selected=1 "$PS" -c "$SB_CONF" -v --yes -d --queue hold --from '^victim@' \
	</dev/null >/dev/null 2>"$TEST_TMP/reuse.err" &
ps_pid=$!
for _ in $(seq 100); do
	[ "$(awk '{print $3}' "/proc/$ps_pid/stat" 2>/dev/null)" = T ] && break
	sleep 0.1
done
if [ "$(awk '{print $3}' "/proc/$ps_pid/stat" 2>/dev/null)" = T ]; then
	replace_half REUSEA
	kill -CONT "$ps_pid"
	wait "$ps_pid"
	rc=$?
	read -r all inn < <(survivors REUSEA)
	half=$(( (REUSE + 1) / 2 ))
	[ "$inn" = "$half" ] && [ "$all" = "$half" ] &&
		pass "reused ids: all $half innocent files survive, all $((REUSE - half)) selected ones deleted" ||
		fail "reused ids: innocent files survive" "$all left, $inn of them innocent, $half replaced"
	[ $rc = 0 ] && grep -qx "postsuper: Left alone: $half messages replaced or changed since selected" "$TEST_TMP/reuse.err" &&
		grep -qx "postsuper: Deleted: $((REUSE - half + 1)) messages" "$TEST_TMP/reuse.err" &&
		[ "$(grep -c ': raced: not the file that was selected; left alone$' "$TEST_TMP/reuse.err")" = "$half" ] &&
		pass "reused ids: exit 0, each named with -v, counted in the summary" ||
		fail "reused ids: exit 0, each named with -v, counted in the summary" "exit $rc" \
			"$(grep -v 'removed\|queue:' "$TEST_TMP/reuse.err" | head -5)"
	[ -f "$i" ] && pass "reused ids: the innocent original is left" || fail "reused ids: the innocent original is left"
else
	kill "$ps_pid" 2>/dev/null
	fail "postq-postsuper stops between selection and action (POSTQ_TEST)"
fi
# the oracle: postsuper -d - with the same selection, after the same
# replacement, deletes the innocent files too
plant_victims REUSEB
"$BIN/postq-mailq" -c "$SB_CONF" --ids --queue hold --from '^victim@' | grep '^REUSEB' >"$TEST_TMP/reuse.ids"
replace_half REUSEB
"$SB_POSTSUPER" -c "$SB_CONF" -d - <"$TEST_TMP/reuse.ids" >/dev/null 2>&1
read -r all inn < <(survivors REUSEB)
echo "# postsuper -d - fed the selection: $all of $REUSE left ($inn innocent; $(( (REUSE + 1) / 2 )) were replaced)"
[ "$all" = 0 ] && pass "the oracle: postsuper -d - deletes the replaced (innocent) files too" ||
	fail "the oracle: postsuper -d - deletes the replaced files too: the test is weak" "$all left"
exit 0
