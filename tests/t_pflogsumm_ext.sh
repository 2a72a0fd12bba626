#!/bin/bash
# t_pflogsumm_ext.sh - postq-pflogsumm's extensions beyond pflogsumm 1.1.5:
# --json, --host, --per-host, -d with a date or range, --keep-year,
# --use-orig-to, --rej-add-to, --mailq. Where an extension can be
# expressed as pflogsumm on a filtered input, the real pflogsumm is the
# oracle; otherwise the checks are on our own output.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"

REAL=/usr/sbin/pflogsumm
OURS=$BIN/postq-pflogsumm
TIES=$TOP/tests/lib/pflogsumm_ties.py
LOGS=$TOP/tests/fixtures/logs
[ -x "$OURS" ] || skip_all "no $OURS (make)"
command -v python3 >/dev/null || skip_all "no python3"
have_pinned || skip_all "no libfaketime (apt-get install faketime)"
export LC_ALL=C TZ=UTC
NOW='2026-11-23 08:00:00'
ft() { pinned "$NOW" "$@"; }

# --json: valid, and its totals are the text report's.
for log in "$LOGS"/*.log; do
	if ft "$OURS" --json --smtpd-stats -e --per-host "$log" >"$TEST_TMP/j" 2>/dev/null &&
	   ft "$OURS" "$log" >"$TEST_TMP/t" 2>/dev/null &&
	   python3 - "$TEST_TMP/j" "$TEST_TMP/t" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1], encoding='latin-1'))
text = open(sys.argv[2], encoding='latin-1').read()
g = d['grand_totals']
for key, label in [('received', 'received'), ('delivered', 'delivered'), ('bounced', 'bounced'),
                   ('held', 'held'), ('senders', 'senders'), ('recipients', 'recipients')]:
    m = re.search(r'^ +(\d+)([ km])  ' + label + r'$', text, re.M)
    v = g[key] if m.group(2) == ' ' else g[key] // (1024 if m.group(2) == 'k' else 1048576)
    assert int(m.group(1)) == v, (key, m.group(0), g[key])
assert sum(h['received'] for h in d['per_host'].values()) == g['received']
assert sum(x['received'] for x in d['per_hour']) == g['received']
PY
	then pass "--json $(basename "$log")"; else fail "--json $(basename "$log")"; fi
done

TIE="python3 $TIES"
# --json stays valid JSON (strict UTF-8, no raw control characters)
# whatever bytes the log holds: a byte that is not UTF-8 becomes the
# character of the same number (U+0080..U+00FF), valid UTF-8 stays.
{
	cat "$LOGS/quirks.log"
	printf 'Nov  1 00:03:00 mx1 postfix/smtp[203]: 1A2B3C4D5E: to=<ctl\001\037\177@x.org>, relay=r\377\376[1.2.3.4]:25, delay=1, delays=0.1/0.01/0.5/74, dsn=5.0.0, status=bounced (bad \355\240\200 surrogate \364\220\200\200 big \300\257 overlong \000 nul)\n'
	printf 'Nov  1 00:03:01 mx1 postfix/smtp[203]: warning: x\000y \351t\351 \303\251t\303\251\n'
	printf 'Nov  1 00:03:02 mx1 postfix/smtpd[200]: 9F9F9F9F9F: client=h\344user.example.com[192.0.2.9]\n'
	printf 'Nov  1 00:03:02 mx1 postfix/qmgr[202]: 9F9F9F9F9F: from=<j\366rg@\304xample.com>, size=10, nrcpt=1 (queue active)\n'
	head -c 20000 /dev/urandom | tr '\n' ' '; echo
} >"$TEST_TMP/bytes.log"
ft "$OURS" --json -e --smtpd-stats --per-host --verbose-msg-detail "$TEST_TMP/bytes.log" >"$TEST_TMP/j" 2>/dev/null
if python3 - "$TEST_TMP/j" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1], 'rb').read().decode('utf-8'))   # strict: no surrogateescape
b = d['bounces']['r\u00ff\u00fe[1.2.3.4]:25']
assert list(b) == ['bad \u00ed\u00a0\u0080 surrogate \u00f4\u0090\u0080\u0080 big \u00c0\u00af overlong \ufffd nul'], b   # a key: NUL is U+FFFD
assert d['warnings']['smtp']['x\ufffdy \u00e9t\u00e9 \u00e9t\u00e9'] == 1, d['warnings']
assert any(u['address'] == 'j\u00f6rg@\u00c4xample.com' for u in d['senders']), d['senders']
PY
then pass "--json: invalid UTF-8 and control bytes"; else fail "--json: invalid UTF-8 and control bytes"; fi

if [ -x "$REAL" ]; then
	# --host NAME == pflogsumm on that host's lines.
	awk '$4 == "mx1"' "$LOGS/quirks.log" >"$TEST_TMP/mx1.log"
	[ -s "$TEST_TMP/mx1.log" ] || fail "quirks.log has lines of host mx1"
	capture -f "$TIE" "$TEST_TMP/real" ft "$REAL" "$TEST_TMP/mx1.log" 2>/dev/null
	capture -f "$TIE" "$TEST_TMP/ours" ft "$OURS" --host mx1 "$LOGS/quirks.log" 2>/dev/null
	check_same "--host mx1" "$TEST_TMP/real" "$TEST_TMP/ours"
	# -d DATE == pflogsumm on that day's lines (RFC 3164 log), header aside.
	grep -a '^Nov  1 ' "$LOGS/kdent-mail2-head.log" >"$TEST_TMP/nov1.log" ||
		fail "kdent-mail2-head.log has lines of Nov 1"
	capture -f "$TIE" "$TEST_TMP/real" ft "$REAL" "$TEST_TMP/nov1.log" 2>/dev/null
	capture -f "tail -n +2 | $TIE" "$TEST_TMP/ours" ft "$OURS" -d 2026-11-01 "$LOGS/kdent-mail2-head.log" 2>/dev/null
	check_same "-d 2026-11-01" "$TEST_TMP/real" "$TEST_TMP/ours"
	capture -f "$TIE" "$TEST_TMP/real" ft "$REAL" "$LOGS/kdent-mail2-head.log" 2>/dev/null
	capture -f "tail -n +2 | $TIE" "$TEST_TMP/ours" ft "$OURS" -d 2026-10-30..2026-11-05 "$LOGS/kdent-mail2-head.log" 2>/dev/null
	check_same "-d range covering the log" "$TEST_TMP/real" "$TEST_TMP/ours"
	# --mailq: same section, our mailq (standard output compared).
	MAIL_CONFIG=/nonexistent capture "$TEST_TMP/real" ft "$REAL" --mailq "$LOGS/youyo-test.log" 2>/dev/null
	MAIL_CONFIG=/nonexistent capture "$TEST_TMP/ours" ft "$OURS" --mailq "$LOGS/youyo-test.log" 2>"$TEST_TMP/err"
	check_same "--mailq section" "$TEST_TMP/real" "$TEST_TMP/ours"
	if grep -q postq-mailq "$TEST_TMP/err"; then pass "--mailq runs postq-mailq"; else fail "--mailq runs postq-mailq" "$(cat "$TEST_TMP/err")"; fi
else
	echo "# no $REAL: the comparisons with pflogsumm are left out"
fi

# --per-host: one row per host, rows add up to Grand Totals.
ft "$OURS" --per-host "$LOGS/quirks.log" >"$TEST_TMP/o"
if grep -q '^Per-Host Grand Totals$' "$TEST_TMP/o" && grep -qE ' mx1$' "$TEST_TMP/o" &&
   grep -qE ' mx2$' "$TEST_TMP/o"; then pass "--per-host table"; else fail "--per-host table"; fi

# --keep-year: the RFC 3339 year is kept; without it, pflogsumm's guess.
y1=$(ft "$OURS" --json --keep-year "$LOGS/youyo-test-iso8601.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["per_day"][0]["date"])')
y2=$(ft "$OURS" --json "$LOGS/youyo-test-iso8601.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["per_day"][0]["date"])')
if [ "$y1" = 2020-01-30 ] && [ "$y2" = 2026-01-30 ]; then pass "--keep-year"; else fail "--keep-year" "$y1 $y2"; fi

# --use-orig-to / --rej-add-to
ft "$OURS" --use-orig-to "$LOGS/quirks.log" >"$TEST_TMP/o"
if grep -q '^      1   al@dest.example.org$' "$TEST_TMP/o"; then
	pass "--use-orig-to"; else fail "--use-orig-to"; fi
ft "$OURS" --rej-add-to "$LOGS/quirks.log" >"$TEST_TMP/o"
if grep -q '198.51.100.29  (alice@dest.example.org)$' "$TEST_TMP/o"; then
	pass "--rej-add-to"; else fail "--rej-add-to"; fi
ft "$OURS" --pscrn-stats "$LOGS/quirks.log" >"$TEST_TMP/o"
if grep -qE '^ +1   connections$' "$TEST_TMP/o" && grep -qE '^ +1   rejected$' "$TEST_TMP/o"; then
	pass "--pscrn-stats"; else fail "--pscrn-stats" "$(grep -A14 '^postscreen' "$TEST_TMP/o")"; fi
ft "$OURS" --colwidth 60 "$LOGS/quirks.log" >"$TEST_TMP/o"
ft "$OURS" "$LOGS/quirks.log" >"$TEST_TMP/o2"
if [ "$(awk 'length > 60' "$TEST_TMP/o" | wc -l)" = 0 ] && [ "$(wc -l <"$TEST_TMP/o")" = "$(wc -l <"$TEST_TMP/o2")" ] &&
   grep -q '\.\.\.$' "$TEST_TMP/o"; then pass "--colwidth 60"; else fail "--colwidth 60"; fi
# Bad dates and out-of-range numbers: status 255 (pflogsumm's for usage
# errors), one line saying what is wrong, nothing on standard output.
refused() {	# NAME EXPECTED-STDERR ARGS...
	local name=$1 want=$2
	shift 2
	ft "$OURS" "$@" "$LOGS/quirks.log" >"$TEST_TMP/o" 2>"$TEST_TMP/e"
	local rc=$?
	if [ $rc = 255 ] && [ ! -s "$TEST_TMP/o" ] && [ "$(cat "$TEST_TMP/e")" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc" "$(cat "$TEST_TMP/e")" "want: $want"
	fi
}
refused "bad -d month" "postq-pflogsumm: option -d: 2026-13-45: there is no month 13 (months are 01 to 12)" -d 2026-13-45
refused "bad -d day" "postq-pflogsumm: option -d: 2026-02-30: February 2026 has 28 days" -d 2026-02-30
refused "bad -d day in a range" "postq-pflogsumm: option -d: 2026-11-31: November 2026 has 30 days" -d 2026-11-01..2026-11-31
refused "reversed -d range" "postq-pflogsumm: option -d: 2026-11-05..2026-11-01: the range is reversed (2026-11-05 is after 2026-11-01)" -d 2026-11-05..2026-11-01
refused "-d not YYYY-MM-DD" 'postq-pflogsumm: option -d: "2026-1-5" is not a date of the form YYYY-MM-DD' -d 2026-1-5
if ft "$OURS" -d 2024-02-29 "$LOGS/quirks.log" >/dev/null 2>&1; then pass "-d leap day"; else fail "-d leap day"; fi
big=99999999999999999999
range="(-9223372036854775808 to 9223372036854775807)"
for o in -h -u --detail --bounce-detail --deferral-detail --reject-detail --smtp-detail --smtpd-warning-detail; do
	refused "$o $big refused" "postq-pflogsumm: option $o: $big is out of range $range" "$o" "$big"
done
refused "--verp-mung=-$big refused" "postq-pflogsumm: option --verp-mung: -$big is out of range $range" --verp-mung=-$big
refused "--bounce_det abbreviated, refused by its name" "postq-pflogsumm: option --bounce-detail: $big is out of range $range" --bounce_det=$big
for w in -1 3 1048577; do
	refused "--colwidth $w refused" "postq-pflogsumm: option --colwidth: $w is out of range (0 for no limit, or 4 to 1048576)" --colwidth $w
done
ft "$OURS" --colwidth 0 "$LOGS/quirks.log" >"$TEST_TMP/o"
ft "$OURS" "$LOGS/quirks.log" >"$TEST_TMP/o2"
check_same "--colwidth 0 is no limit" "$TEST_TMP/o2" "$TEST_TMP/o"

# The binary is dynamically linked: a preloaded libfaketime pins its
# clock, and the guessed year follows it.
y=$(pinned '2019-06-01 12:00:00' "$OURS" --json "$LOGS/youyo-test-iso8601.log" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["per_day"][0]["date"])')
if [ "$y" = 2019-01-30 ]; then pass "pinned clock sets the year"; else fail "pinned clock sets the year" "$y"; fi
if POSTQ_THREADS=many "$OURS" "$LOGS/quirks.log" 2>"$TEST_TMP/err" >/dev/null &&
   grep -q 'ignoring POSTQ_THREADS=many' "$TEST_TMP/err"; then pass "bad POSTQ_THREADS ignored, said"
else fail "bad POSTQ_THREADS ignored, said" "$(cat "$TEST_TMP/err")"; fi
exit 0
