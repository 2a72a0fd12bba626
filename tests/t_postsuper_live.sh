#!/bin/bash
# t_postsuper_live.sh - postq-postsuper on a running sandboxed Postfix that
# delivers to the test sink: hold then release (delivered: seen at the
# sink and in the log), requeue (new queue id, delivered), delete (gone
# with its defer log), expire (a bounce is generated); our records reach
# the mail log through postlogd as postsuper's do.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"

command -v postsuper >/dev/null || skip_all "postfix is not installed"
why=$(sandbox_available) || skip_all "$why"
sandbox_trap
PS=$BIN/postq-postsuper

sandbox_start pslive || { fail "sandbox starts"; exit 0; }
send() {	# MSGID ARGS... -> queue id
	sandbox_send -m "<$1@live.postq.test>" "${@:2}"
}

# wait_for CMD...: up to 60 s until CMD succeeds
wait_for() {
	local i
	for i in $(seq 1 200); do
		"$@" && return 0
		sleep 0.3
	done
	return 1
}
sink_has() { grep -q "^<$1@live.postq.test> " "$SB_SINK_LOG"; }
log_has() { grep -q -- "$1" "$SB_LOG"; }
in_queue() {	# QUEUE ID
	[ -n "$(find "$SB_SPOOL/$1" -name "$2" -type f 2>/dev/null)" ]
}

id_hr=$(send hr -f sender@example.com -t ok-hr@example.com -H 'Subject: HOLDME hold and release')
id_rq=$(send rq -f sender@example.com -t ok-rq@example.com -H 'Subject: HOLDME requeue')
id_del=$(send del -f sender@example.com -t defer-del@example.com)
id_exp=$(send exp -f ok-bouncee@example.com -t defer-exp@example.com)
sandbox_wait_quiet 60 || fail "queue settles after injection"
in_queue hold "$id_hr" && in_queue hold "$id_rq" && pass "two messages held by header_checks" ||
	fail "two messages held by header_checks"
in_queue deferred "$id_del" && [ -n "$(find "$SB_SPOOL/defer" -name "$id_del")" ] &&
	pass "a deferred message with its defer log" || fail "a deferred message with its defer log"

# From now on nothing is held on arrival, so released/requeued mail goes out.
: >"$SB_CONF/header_re"
postfix -c "$SB_CONF" reload >/dev/null 2>&1
sleep 2

# hold and release
"$PS" -c "$SB_CONF" -H "$id_hr" 2>"$TEST_TMP/err"
grep -qx "postsuper: $id_hr: released from hold" "$TEST_TMP/err" && in_queue deferred "$id_hr" &&
	pass "-H: released into deferred" || fail "-H: released into deferred" "$(cat "$TEST_TMP/err")"
"$PS" -c "$SB_CONF" -h "$id_hr" 2>"$TEST_TMP/err"
grep -qx "postsuper: Placed on hold: 1 message" "$TEST_TMP/err" && in_queue hold "$id_hr" &&
	pass "-h: a deferred message back on hold" || fail "-h: a deferred message back on hold" "$(cat "$TEST_TMP/err")"
"$PS" -c "$SB_CONF" -H "$id_hr" 2>/dev/null
postqueue -c "$SB_CONF" -f
wait_for sink_has hr && pass "released message delivered to the sink" ||
	fail "released message delivered to the sink"
wait_for log_has "$id_hr: .*status=sent" && pass "delivery of the released message is logged" ||
	fail "delivery of the released message is logged"
log_has "postsuper\[[0-9]*\]: $id_hr: placed on hold" && log_has "postsuper\[[0-9]*\]: $id_hr: released from hold" &&
	pass "our hold and release records are in the mail log (via postlogd)" ||
	fail "our hold and release records are in the mail log (via postlogd)" "$(grep postsuper "$SB_LOG" | tail -5)"

# requeue: a new queue id, then delivered; --kick wakes pickup at once
"$PS" -c "$SB_CONF" --kick -r "$id_rq" 2>"$TEST_TMP/err"
grep -qx "postsuper: $id_rq: requeued" "$TEST_TMP/err" && pass "-r: requeued" ||
	fail "-r: requeued" "$(cat "$TEST_TMP/err")"
wait_for sink_has rq && pass "requeued message delivered (pickup woken by --kick)" ||
	fail "requeued message delivered (pickup woken by --kick)"
new_id=$(sed -n "s/.*: \([0-9A-Za-z]*\): uid=[0-9]* from=<sender@example.com> orig_id=$id_rq\$/\1/p" "$SB_LOG" | head -1)
[ -n "$new_id" ] && [ "$new_id" != "$id_rq" ] && pass "requeued message got a new queue id ($id_rq -> $new_id)" ||
	fail "requeued message got a new queue id" "$(grep "$id_rq" "$SB_LOG" | tail -5)"
log_has "postsuper\[[0-9]*\]: $id_rq: requeued" && pass "the requeue is in the mail log" ||
	fail "the requeue is in the mail log"

# delete: the message and its defer log
"$PS" -c "$SB_CONF" -d "$id_del" 2>"$TEST_TMP/err"
if grep -qx "postsuper: Deleted: 1 message" "$TEST_TMP/err" && ! in_queue deferred "$id_del" &&
	[ -z "$(find "$SB_SPOOL/defer" -name "$id_del")" ]; then
	pass "-d: message and defer log gone"
else
	fail "-d: message and defer log gone" "$(cat "$TEST_TMP/err")"
fi
log_has "postsuper\[[0-9]*\]: $id_del: removed" && pass "the delete is in the mail log" ||
	fail "the delete is in the mail log"

# expire: returned to the sender at the next attempt
"$PS" -c "$SB_CONF" -e "$id_exp" 2>"$TEST_TMP/err"
grep -qx "postsuper: Force-expired: 1 message" "$TEST_TMP/err" && pass "-e: expired" ||
	fail "-e: expired" "$(cat "$TEST_TMP/err")"
[ "$(find "$SB_SPOOL/deferred" -name "$id_exp" -perm -010 | wc -l)" = 1 ] &&
	pass "-e: the g+x expiry bit is set" || fail "-e: the g+x expiry bit is set"
postqueue -c "$SB_CONF" -f
wait_for log_has "$id_exp: .*status=force-expired, returned to sender" &&
	pass "expired message returned to the sender (logged)" || fail "expired message returned to the sender (logged)"
wait_for grep -q " <ok-bouncee@example.com>\$\| ok-bouncee@example.com\$" "$SB_SINK_LOG" &&
	pass "the bounce reached the sender at the sink" ||
	fail "the bounce reached the sender at the sink" "$(tail -3 "$SB_SINK_LOG")"

# filters on a live queue: hold by sender, then release by recipient
id_f1=$(send f1 -f spam@example.com -t defer-f1@example.net)
id_f2=$(send f2 -f other@example.com -t defer-f2@example.net)
sandbox_wait_quiet 60
"$PS" -c "$SB_CONF" -h --from 'spam@example\.com' 2>"$TEST_TMP/err"
in_queue hold "$id_f1" && in_queue deferred "$id_f2" && pass "-h --from holds only that sender's mail" ||
	fail "-h --from holds only that sender's mail" "$(cat "$TEST_TMP/err")"
"$PS" -c "$SB_CONF" -n -H --to '^defer-f1@' >"$TEST_TMP/out" 2>/dev/null
in_queue hold "$id_f1" && grep -q "hold/$id_f1" "$TEST_TMP/out" && pass "-n -H lists and leaves it held" ||
	fail "-n -H lists and leaves it held" "$(cat "$TEST_TMP/out")"
"$PS" -c "$SB_CONF" -H --to '^defer-f1@' 2>/dev/null
in_queue deferred "$id_f1" && pass "-H --to releases it" || fail "-H --to releases it"
# a selection above --confirm-over is confirmed on a terminal (script(1)
# gives one); "n" changes nothing, "y" goes ahead
if command -v script >/dev/null; then
	echo n | script -qc "$PS -c $SB_CONF --confirm-over 0 -h --to '^defer-f2@'" /dev/null >"$TEST_TMP/out" 2>&1
	in_queue deferred "$id_f2" && grep -q 'hold 1 messages? \[y/N\]' "$TEST_TMP/out" &&
		pass "terminal: the question is asked, 'n' leaves the message alone" ||
		fail "terminal: the question is asked, 'n' leaves the message alone" "$(cat "$TEST_TMP/out")"
	echo y | script -qc "$PS -c $SB_CONF --confirm-over 0 -h --to '^defer-f2@'" /dev/null >"$TEST_TMP/out" 2>&1
	in_queue hold "$id_f2" && pass "terminal: 'y' goes ahead" ||
		fail "terminal: 'y' goes ahead" "$(cat "$TEST_TMP/out")"
fi
# without a terminal nobody can be asked: over the limit it is refused
# (the message is still held), and --yes goes ahead
in_queue hold "$id_f2" || "$PS" -c "$SB_CONF" --yes -h --to '^defer-f2@' </dev/null 2>/dev/null
"$PS" -c "$SB_CONF" --confirm-over 0 -H --to '^defer-f2@' </dev/null 2>"$TEST_TMP/err"
rc=$?
[ $rc = 1 ] && in_queue hold "$id_f2" && ! grep -q 'y/N' "$TEST_TMP/err" && grep -q -- '--yes' "$TEST_TMP/err" &&
	pass "no terminal: no question asked, refused over --confirm-over" ||
	fail "no terminal: no question asked, refused over --confirm-over" "exit $rc" "$(cat "$TEST_TMP/err")"
"$PS" -c "$SB_CONF" --confirm-over 0 --yes -H --to '^defer-f2@' </dev/null 2>"$TEST_TMP/err"
in_queue deferred "$id_f2" && pass "no terminal, --yes: released" ||
	fail "no terminal, --yes: released" "$(cat "$TEST_TMP/err")"
exit 0
