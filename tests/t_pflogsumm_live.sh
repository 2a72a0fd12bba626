#!/bin/bash
# t_pflogsumm_live.sh - postq-pflogsumm against pflogsumm 1.1.5-8 on logs
# written by a real sandboxed Postfix (tests/lib/sandbox.sh): short and
# long queue ids, the standard varied mail set (deliveries, deferrals,
# bounces, holds). The instance logs through maillog_file (RFC 3164
# stamps in Postfix 3.7); the log is compared as written, with a
# fraction of a second added to the stamps (pflogsumm skips such lines),
# and rewritten to RFC 3339 (rsyslog's default on Debian 12).
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"

command -v postqueue >/dev/null || skip_all "postfix is not installed"
[ -x /usr/sbin/pflogsumm ] || skip_all "no /usr/sbin/pflogsumm"
have_pinned || skip_all "no libfaketime (apt-get install faketime)"
[ "$(id -u)" = 0 ] || skip_all "the Postfix sandbox needs root"
REAL=/usr/sbin/pflogsumm
OURS=$BIN/postq-pflogsumm
export LC_ALL=C TZ=UTC
NOW=$(date -u '+%Y-%m-%d %H:%M:%S')

both() {	# NAME LOG OPTS...: both tools (status 0), modulo tie order
	local name=$1 log=$2
	shift 2
	PFLOGSUMM=$REAL check_pflogsumm "$name" "$NOW" "$@" "$log"
}

sandbox_trap
sandbox_build_tools
for kind in short long; do
	SB_SYSLOG_NAME=postfix
	export SB_SYSLOG_NAME
	if [ "$kind" = long ]; then sandbox_start "pfl$kind" long; else sandbox_start "pfl$kind"; fi
	sandbox_inject_varied
	sandbox_wait_quiet
	sandbox_stop
	log=$TEST_TMP/$kind.maillog
	cp "$SB_LOG" "$log" || fail "$kind: copy of the mail log"
	n=$(grep -c 'postfix/' "$log")
	[ "$n" -gt 20 ] && pass "$kind: Postfix wrote $n log lines" || fail "$kind: Postfix wrote $n log lines"
	# as written, with a fraction, and RFC 3339 (+00:00)
	sed -E 's/^([A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}) /\1.123456 /' "$log" >"$log.frac" ||
		fail "$kind: stamps with a fraction"
	sed -E 's/^([A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8})\.([0-9]+) /\1.\2 /' "$log" |
		python3 -c '
import sys, time, re
y = time.gmtime().tm_year
m = {k: i + 1 for i, k in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
for line in sys.stdin.buffer:
    t = re.match(rb"^([A-Z][a-z]{2}) ([ 0-9][0-9]) ([0-9:]{8})(\.[0-9]+)? ", line)
    if not t:
        sys.stdout.buffer.write(line); continue
    stamp = b"%d-%02d-%02dT%s%s+00:00 " % (y, m[t.group(1).decode()], int(t.group(2)), t.group(3), t.group(4) or b"")
    sys.stdout.buffer.write(stamp + line[t.end():])
' >"$log.3339" || fail "$kind: stamps rewritten to RFC 3339"
	# the same lines out of order (tests/lib/reorder.py): removed before from=, and so on
	python3 "$TOP/tests/lib/reorder.py" shuffle 1 "$log" >"$log.shuf" || fail "$kind: shuffled"
	python3 "$TOP/tests/lib/reorder.py" reverse "$log" >"$log.rev" || fail "$kind: reversed"
	for v in "" .frac .3339 .shuf .rev; do
		for o in "" "--smtpd-stats -e" "--iso-date-time --zero-fill -q" "--verbose-msg-detail --problems-first"; do
			# shellcheck disable=SC2086
			both "$kind$v [$o]" "$log$v" $o
		done
	done
done
# two instances' logs merged line by line (their queue ids differ, their clocks interleave)
python3 "$TOP/tests/lib/reorder.py" interleave "$TEST_TMP/short.maillog" "$TEST_TMP/long.maillog" >"$TEST_TMP/merged.maillog"
both "short and long interleaved" "$TEST_TMP/merged.maillog"
both "short and long interleaved [-e --smtpd-stats]" "$TEST_TMP/merged.maillog" -e --smtpd-stats
# the classifier alone counts what the report counts (t_logcount.sh), on real Postfix logs
COUNT=$TOP/build/tests/tools/logcount
if [ -x "$COUNT" ]; then
	for f in "$TEST_TMP/short.maillog" "$TEST_TMP/long.maillog" "$TEST_TMP/merged.maillog"; do
		"$COUNT" "$f" >"$TEST_TMP/lib"
		pinned "$NOW" "$OURS" --json "$f" 2>/dev/null | python3 -c '
import json, sys
g = json.load(sys.stdin)["grand_totals"]
for k in "received delivered forwarded deferred deferrals bounced rejected reject_warnings held discarded expired".split():
    print(k, g[k])
' >"$TEST_TMP/json"
		if [ -s "$TEST_TMP/lib" ] && cmp -s "$TEST_TMP/lib" "$TEST_TMP/json"; then
			pass "classifier totals = report totals: $(basename "$f")"
		else
			fail "classifier totals = report totals: $(basename "$f")" "$(diff "$TEST_TMP/lib" "$TEST_TMP/json")"
		fi
	done
fi
exit 0
