#!/bin/bash
# t_logcount.sh - one event classifier: the totals counted from lib/log's
# classification alone (build/tests/tools/logcount, as an exporter would
# count) equal postq-pflogsumm --json's grand totals, on every fixture
# log, every corpus log (/work/shared/corpus/logs, or $CORPUS), a .gz,
# the fixtures run together and shuffled (lines out of order), and with
# --syslog-name for the instance logs. postq-pflogsumm's own report is
# held to pflogsumm's by t_pflogsumm*.sh; together they say that the
# report and an exporter built on lib/log cannot drift apart.
. "$(dirname "$0")/lib/common.sh"

OURS=$BIN/postq-pflogsumm
COUNT=${LOGCOUNT:-$TOP/build/tests/tools/logcount}
LOGS=$TOP/tests/fixtures/logs
CORPUS=${CORPUS:-/work/shared/corpus/logs}
[ -x "$OURS" ] || skip_all "no $OURS (make)"
[ -x "$COUNT" ] || skip_all "no $COUNT (make unit)"
command -v python3 >/dev/null || skip_all "no python3"
export LC_ALL=C TZ=UTC
NAMES="received delivered forwarded deferred deferrals bounced rejected reject_warnings held discarded expired"

# same NAME [--syslog-name N] FILE...: logcount's totals = --json's grand totals
same() {
	local name=$1
	shift
	local sys=()
	if [ "$1" = --syslog-name ]; then
		sys=(--syslog-name "$2")
		shift 2
	fi
	"$COUNT" "${sys[@]}" "$@" >"$TEST_TMP/lib" 2>"$TEST_TMP/lib.err"
	local r1=$?
	"$OURS" --json ${sys[0]:+--syslog-name="${sys[1]}"} "$@" 2>"$TEST_TMP/json.err" |
		python3 -c '
import json, sys
g = json.load(sys.stdin)["grand_totals"]
for k in sys.argv[1].split():
    print(k, g[k])
' "$NAMES" >"$TEST_TMP/json"
	if [ $r1 = 0 ] && [ "$(wc -l <"$TEST_TMP/lib")" = 11 ] && cmp -s "$TEST_TMP/lib" "$TEST_TMP/json"; then
		pass "$name"
	else
		fail "$name" "$(diff "$TEST_TMP/lib" "$TEST_TMP/json" | head -12)" "$(head -3 "$TEST_TMP/lib.err" "$TEST_TMP/json.err")"
	fi
	cat "$TEST_TMP/lib" >>"$TEST_TMP/all"
}

: >"$TEST_TMP/all"
for log in "$LOGS"/*.log; do
	same "fixture $(basename "$log")" "$log"
done
if [ -d "$CORPUS" ]; then
	for log in "$CORPUS"/*; do
		case $log in *.md) continue ;; esac
		same "corpus $(basename "$log")" "$log"
	done
else
	printf '# no corpus at %s: corpus logs not compared\n' "$CORPUS"
fi
same "--syslog-name postfix-secondary digineo-exporter.log" --syslog-name postfix-secondary "$LOGS/digineo-exporter.log"
same "--syslog-name postfix-slow quirks.log" --syslog-name postfix-slow "$LOGS/quirks.log"
gzip -c "$LOGS/kdent-mail.log" >"$TEST_TMP/k.log.gz"
same ".gz kdent-mail.log" "$TEST_TMP/k.log.gz"
same "all fixtures in one run" "$LOGS"/*.log
# Lines out of order (merged logs of several hosts): every fixture line, shuffled.
cat "$LOGS"/*.log | python3 -c '
import random, sys
l = sys.stdin.buffer.readlines()
random.Random(11).shuffle(l)
sys.stdout.buffer.write(b"".join(x if x.endswith(b"\n") else x + b"\n" for x in l))
' >"$TEST_TMP/shuffled.log"
same "all fixture lines shuffled" "$TEST_TMP/shuffled.log"

# Not a comparison of nothing: the logs hold every kind of total.
python3 - "$TEST_TMP/all" "$NAMES" <<'PY' && pass "every total is non-zero somewhere" || fail "every total is non-zero somewhere"
import sys
seen = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    seen[k] = seen.get(k, 0) + int(v)
sys.exit(0 if all(seen.get(k, 0) > 0 for k in sys.argv[2].split()) else 1)
PY
exit 0
