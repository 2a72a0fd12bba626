#!/bin/bash
# t_pflogsumm.sh - postq-pflogsumm against the real pflogsumm 1.1.5-8.
#
# Every log in tests/fixtures/logs, across an option matrix, is run
# through /usr/sbin/pflogsumm and bin/postq-pflogsumm with LC_ALL=C,
# TZ=UTC and a pinned clock (libfaketime); the reports must be identical
# modulo tie order (tests/lib/pflogsumm_ties.py says exactly what that
# normalises). Then: lines where pflogsumm's regexes and lib/log's
# classifier could part, lines out of order, non-ASCII logs under C and
# C.UTF-8, files in order, stdin, .gz input (whole and truncated),
# unreadable files, overlong lines and /dev/zero, options with quirks
# and numbers in and out of range, --version, -d today/yesterday on the
# logs' own days, the one-thread, replicas-only and ASan builds.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"

REAL=/usr/sbin/pflogsumm
OURS=$BIN/postq-pflogsumm
TIES=$TOP/tests/lib/pflogsumm_ties.py
LOGS=$TOP/tests/fixtures/logs
[ -x "$REAL" ] || skip_all "no $REAL (apt-get install pflogsumm)"
have_pinned || skip_all "no libfaketime (apt-get install faketime)"
command -v python3 >/dev/null || skip_all "no python3"
[ -x "$OURS" ] || skip_all "no $OURS (make)"
export LC_ALL=C TZ=UTC
NOW='2026-11-23 08:00:00'

# both NAME FAKETIME ARGS...: run both tools, compare modulo tie order
# (and their exit status: 0).
both() { check_pflogsumm "$@"; }
TIE="python3 $TIES"

OPTS=(
	"" "--iso-date-time" "--smtpd-stats" "-e" "--zero-fill" "-q" "--problems-first"
	"--verbose-msg-detail" "-i" "-m" "--verp-mung" "--verp-mung=2" "--rej-add-from"
	"--no-no-msg-size" "-h 0 -u 0" "--bounce-detail 0 --deferral-detail 0"
	"--reject-detail 0" "--smtp-detail 0" "--smtpd-warning-detail 0" "--detail 0"
	"-q --detail 0" "--syslog-name=postfix-secondary" "--syslog-name postfix-slow"
	"--problems --verbose_msg" "--smtpd_stats --iso --zero"
	"--no-bounce-detail --no-smtpd-warnings --no-deferral --no-reject"
	"--smtpd-stats -e -q --iso-date-time --problems-first -i --rej-add-from"
	"-I --Zero-Fill -E"
)
for log in "$LOGS"/*.log; do
	for o in "${OPTS[@]}"; do
		# shellcheck disable=SC2086
		both "$(basename "$log") [$o]" "$NOW" $o "$log"
	done
done

# Lines where pflogsumm's unanchored regexes see something other than
# the event lib/log classifies (a '>' in an address, "from=<...>, size="
# in a bounce text or a message-id, text after a pickup's sender, a later
# "[pid]: x: client=" in a reject, a cleanup line without [pid], fields
# out of Postfix's order...): postq-pflogsumm must take pflogsumm's
# view, and so must its replicas alone (POSTQ_TEST=generic=1).
cat >"$TEST_TMP/odd.log" <<'EOF'
Nov  3 10:00:00 mx postfix/smtpd[5]: 1A1A1A1A1A: client=c.example.com[192.0.2.5]
Nov  3 10:00:01 mx postfix/qmgr[6]: 1A1A1A1A1A: from=<q>r@x.example.com>, size=900, nrcpt=1 (queue active)
Nov  3 10:00:01 mx postfix/qmgr[6]: 1A1A1A1A1A: from=<q>, size=12@x.example.com>, size=901, nrcpt=1 (queue active)
Nov  3 10:00:02 mx postfix/smtp[7]: 1A1A1A1A1A: to=<"a>b"@d.example.org>, orig_to=<o@d.example.org>, relay=mx.d.example.org[192.0.2.9]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 ok)
Nov  3 10:00:03 mx postfix/smtp[7]: 1A1A1A1A1A: to=<b@d.example.org>, orig_to=<o>p@d.example.org>, relay=mx.d.example.org[192.0.2.9]:25, delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 ok)
Nov  3 10:00:04 mx postfix/smtp[7]: 2B2B2B2B2B: to=<c@d.example.org>, relay=mx.d.example.org[192.0.2.9]:25, delay=2, delays=0.1/0/0.4/1.5, dsn=5.1.1, status=bounced (host said: 550 <c@d.example.org> from=<s@t.example>, size=4242 rejected)
Nov  3 10:00:05 mx postfix/smtp[7]: 2B2B2B2B2B: to=<e@d.example.org>, relay=mx.d.example.org[192.0.2.9]:25, delay=2, delays=0.1/0/0.4/1.5, dsn=2.0.0, status=sent,from=<u@v.example>, size=77 (ok)
Nov  3 10:00:06 mx postfix/cleanup[8]: 3C3C3C3C3C: message-id=<x: warning: header Subject: hi from there>
Nov  3 10:00:07 mx postfix/cleanup[8]: 3C3C3C3C3C: message-id=<a from=<w@x.example>, size=55 b>
Nov  3 10:00:08 mx postfix/pickup[9]: 4D4D4D4D4D: uid=0 from=<root> to=<r@d.example.org>, relay=local, delay=1, status=sent (x)
Nov  3 10:00:09 mx postfix/pickup[9]: 4D4D4D4D4E: uid=0 from=<ro>ot>
Nov  3 10:00:10 mx postfix/pickup[9]: 4D4D4D4D4F: sender=<x@y.example> uid=0
Nov  3 10:00:11 mx postfix/qmgr[6]: 5E5E5E5E5E: from=<old@d.example.org>, status=expired, returned to sender to=<z@d.example.org>, relay=r, delay=1, status=sent (x)
Nov  3 10:00:12 mx postfix/qmgr[6]: 5E5E5E5E5F: from=<ol>d@d.example.org>, status=expired, returned to sender
Nov  3 10:00:13 mx postfix/smtp[7]: 6F6F6F6F6F: to=<f@d.example.org>, dsn=2.0.0, relay=r[192.0.2.1]:25, delay=1, status=sent (loose order)
Nov  3 10:00:14 mx postfix/smtp[7]: 6F6F6F6F6F: to=<g@d.example.org>, relay=r[192.0.2.1]:25, delay=1, extra=1, status=deferred (extra field)
Nov  3 10:00:15 mx postfix/smtpd[5]: NOQUEUE: reject: RCPT from u[192.0.2.66]: 554 5.7.1 <h@d.example.org>: said [77]: QQ: client=trick[192.0.2.77], ok; from=<a@b.example> to=<h@d.example.org> proto=ESMTP helo=<x>
Nov  3 10:00:16 mx postfix/smtpd[5]: 7A7A7A7A7A: client=,x[192.0.2.8]
Nov  3 10:00:17 mx postfix/cleanup: 8B8B8B8B8B: reject: header Subject: no pid from u[192.0.2.1]; from=<a@b.example> to=<c@d.example>: 550 no
Nov  3 10:00:18 mx postfix/cleanup[8]: 8B8B8B8B8C: reject_warning: header Subject: rw from u[192.0.2.1]; from=<a@b.example>
Nov  3 10:00:19 mx postfix/smtpd[5]: NOQUEUE: milter-reject: RCPT from u[192.0.2.2]: 451 4.7.1 Greylisted; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<x>
Nov  3 10:00:20 mx postfix/master[1]: 9C9C9C9C9C: removed
Nov  3 10:00:21 mx postfix/smtpd[5]: 9C9C9C9C9D: to=<i@d.example.org>, relay=r, delay=1, status=sent (by smtpd?)
Nov  3 10:00:22 mx postfix/smtp[7]: 5E5E5E5E60: from=<a@b.example>, status=expired, returned to sender connect to h.example: No route; address 192.0.2.3 port 25
Nov  3 10:00:23 mx postfix/cleanup[8]: 0A0A0A0A0A: milter-reject: END-OF-MESSAGE from u[192.0.2.4]: 5.7.1 Spam; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<x>
Nov  3 10:00:24 mx postfix/cleanup[8]: 0A0A0A0A0B: hold: body so long a body line that it gets trimmed by pflogsumm for sure, yes from x; from=<a@b.example>
Nov  3 10:00:25 mx postfix/lmtp[7]: 0A0A0A0A0B: to=<j@d.example.org>, relay=dovecot[private/lmtp], conn_use=2, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 <j@d.example.org> Saved)
Nov  3 10:00:26 mx postfix/smtp[7]: 0A0A0A0A0C: to=<k@d.example.org>, relay=r[192.0.2.1]:25, delay=3, delays=0/0/0/3, dsn=4.0.0, status=deferred (host r said: 451 <k@d.example.org> from=<z@y.example> busy (in reply to RCPT TO command))
Nov  3 10:00:27 mx postfix/submission/cleanup[8]: 0A0A0A0A0D: discard: header X-Spam: yes from u[192.0.2.5]; from=<a@b.example>
Nov  3 10:00:28 mx postfix/10025/cleanup[8]: 0A0A0A0A0E: reject: header X-Spam: yes from u[192.0.2.5]; from=<a@b.example>
EOF
for o in "" "-e --smtpd-stats" "--verbose-msg-detail -i --rej-add-from" "--verp-mung=2 -m --zero-fill"; do
	# shellcheck disable=SC2086
	both "odd lines [$o]" "$NOW" $o "$TEST_TMP/odd.log"
	# shellcheck disable=SC2086
	POSTQ_TEST=generic=1 pinned "$NOW" "$OURS" $o "$TEST_TMP/odd.log" 2>/dev/null | python3 "$TIES" >"$TEST_TMP/gen.out"
	check_same "odd lines, replicas alone [$o]" "$TEST_TMP/cmp.want" "$TEST_TMP/gen.out"
done
# (extensions, no pflogsumm to ask: the two paths agree)
for log in "$TEST_TMP/odd.log" "$LOGS/quirks.log"; do
	for o in "--use-orig-to --rej-add-to" "--json --per-host --pscrn-stats"; do
		# shellcheck disable=SC2086
		pinned "$NOW" "$OURS" $o "$log" >"$TEST_TMP/ours.out" 2>&1
		# shellcheck disable=SC2086
		POSTQ_TEST=generic=1 pinned "$NOW" "$OURS" $o "$log" >"$TEST_TMP/gen.out" 2>&1
		check_same "$(basename "$log"), replicas alone [$o]" "$TEST_TMP/ours.out" "$TEST_TMP/gen.out"
	done
done

# Lines out of order (merged logs of several hosts, UDP syslog, rotated
# files in the wrong order): a message's "removed" before its from=, its
# client= after it, queue ids reused. pflogsumm keeps every queue id
# forever; postq-pflogsumm drops a removed message's state, so these
# check that what it keeps is what pflogsumm's report still needs.
REORDER=$TOP/tests/lib/reorder.py
set -- "$LOGS/kdent-mail.log" "$LOGS/kdent-mail2-head.log" "$LOGS/quirks.log" "$LOGS/digineo-exporter.log" "$LOGS/msimerson-longids.log"
for m in "shuffle 5" "shuffle 6" "jitter 7" reverse halves interleave twice; do
	# shellcheck disable=SC2086
	python3 "$REORDER" $m "$@" >"$TEST_TMP/ooo.log"
	for o in "" "-e --smtpd-stats --zero-fill" "--verp-mung=2 -m -i --rej-add-from" "--syslog-name=postfix-secondary"; do
		# shellcheck disable=SC2086
		both "out of order: $m [$o]" "$NOW" $o "$TEST_TMP/ooo.log"
	done
done
set --

# Locales. pflogsumm says "use locale": under a UTF-8 locale (Debian's
# default C.UTF-8) Perl's \s also holds 0x85 and 0xA0, its \w (and so
# \b) the Latin-1 letters, and lc folds bytes 0xC0-0xDE, UTF-8 text
# included. A log with such bytes in addresses, hosts, statuses, queue
# ids, keywords and VERP tails, both tools, C and C.UTF-8, LC_ALL or
# LANG, and locales that cannot be set (Perl falls back to LANG, then C).
python3 - "$TEST_TMP/utf8.log" <<'PY'
import sys
L = [
 b'Nov  1 00:02:01 mx1 postfix/smtpd[200]: 1A2B3C4D5E: client=mail.\xc3\x89XAMPLE.COM[192.0.2.1]',
 b'Nov  1 00:02:01 mx1 postfix/qmgr[202]: 1A2B3C4D5E: from=<J\xc3\xb6hn.\xc3\x9cn\xc3\xafcode@\xc3\x89XAMPLE.\xc3\x87OM>, size=1234, nrcpt=2 (queue active)',
 b'Nov  1 00:02:03 mx1 postfix/smtp[203]: 1A2B3C4D5E: to=<\xc3\x80LICE@D\xc3\x8bST.\xc3\x89XAMPLE.org>, relay=mx.\xc3\x90EST.example.org[198.51.100.7]:25, delay=1.5, delays=0.1/0.01/0.5/0.9, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 999)',
 b'Nov  1 00:02:03 mx1 postfix/smtp[203]: 1A2B3C4D5E: to=<bob@\xc3\x96THER.co.uk>, relay=mx.other.co.uk[203.0.113.9]:25, delay=75, delays=0.1/0.01/0.5/74, dsn=4.4.1, status=deferred (connect to mx.other.co.uk[203.0.113.9]:25: Connection timed out)',
 b'Nov  1 00:02:04 mx1 postfix/smtp[203]: 1A2B3C4D5E: to=<lat1@\xc9X.ORG>, relay=mx.other.co.uk[203.0.113.9]:25, delay=75, delays=0.1/0.01/0.5/74, dsn=2.0.0, status=sent (ok)',
 b'Nov  1 00:02:05 mx1 postfix/smtp[203]: 1A2B3C4D5E: to=<nbsp@x.org>, relay=r[1.2.3.4]:25, delay=1, delays=0.1/0.01/0.5/0.4, dsn=2.0.0, status=sent\xa0(ok)',
 b'Nov  1 00:02:05 mx1 postfix/smtp[203]: 1A2B3C4D5E: to=<nel@x.org>, relay=r[1.2.3.4]:25, delay=1, delays=0.1/0.01/0.5/0.4, dsn=2.0.0, status=deferred\x85(later)',
 b'Nov  1 00:02:06 mx\xa01 postfix/smtp[203]: 1A2B3C4D5E: to=<hostnbsp@x.org>, relay=r[1.2.3.4]:25, delay=1, status=sent (ok)',
 b'Nov  1 00:02:06 m\xc3\xa0x postfix/smtp[203]: 1A2B3C4D5E: to=<hosta@x.org>, relay=r[1.2.3.4]:25, delay=1, status=sent (ok)',
 b'Nov  1 00:02:07 mx1 postfix/smtpd[200]: 2B2B\xa0x: client=q[192.0.2.2]',
 b'Nov  1 00:02:07 mx1 postfix/smtpd[200]: 2B2B\xc3\xa9: client=w[192.0.2.3]',
 b'Nov  1 00:02:07 mx1 postfix/smtpd[200]: \xc3\xa9t\xc3\xa9: reject: RCPT from u[1.2.3.4]: 554 no; from=<a@b> to=<c@d>',
 b'Nov  1 00:02:08 mx1 postfix/cleanup[201]: 3C3C3C3C3C: x\xc3\xa9reject: header Subject: hi from u[1.2.3.4]; from=<a@b>',
 b'Nov  1 00:02:08 mx1 postfix/cleanup[201]: 3C3C3C3C3D: \xa0reject: header Subject: hi from u[1.2.3.4]; from=<a@b>',
 b'Nov  1 00:02:09 mx1 postfix/smtpd[200]: 4D4D4D4D4D: client=v[192.0.2.4]',
 b'Nov  1 00:02:09 mx1 postfix/qmgr[202]: 4D4D4D4D4D: from=<bounce-123\xc3\xa9x@lists.example>, size=10, nrcpt=1 (queue active)',
 b'Nov  1 00:02:09 mx1 postfix/smtpd[200]: 4D4D4D4D4E: client=v[192.0.2.4]',
 b'Nov  1 00:02:09 mx1 postfix/qmgr[202]: 4D4D4D4D4E: from=<bounce-124-x@lists.example>, size=10, nrcpt=1 (queue active)',
 b'Nov  1 00:02:10 mx1 postfix/smtpd[200]: warning: \xc3\x89vil\xa0host: SASL LOGIN authentication failed: x',
 b'Nov  1 02:00:01 mx1 postfix/smtpd[210]: NOQUEUE: reject: RCPT from unknown[198.51.100.24]: 450 4.1.8 <B\xc3\x96unce@lists.example>: Sender address rejected: Domain not found; from=<B\xc3\x96unce@L\xc3\x8fSTS.example> to=<alice@dest.example.org> proto=ESMTP helo=<x>',
 b'Nov  1 02:00:02 mx1 postfix/smtpd[210]: NOQUEUE: reject: RCPT from unknown[198.51.100.25]:\xa0554 5.7.1 <r@x>: Relay access denied; from=<a@b> to=<r@x> proto=ESMTP helo=<x>',
 b'Nov  1 02:00:03 mx1 postfix/smtpd[211]: connect from h\xc3\xa9.EXAMPLE.COM[198.51.100.26]',
 b'Nov  1 02:00:09 mx1 postfix/smtpd[211]: disconnect from h\xc3\xa9.EXAMPLE.COM[198.51.100.26] ehlo=1 quit=1 commands=2',
 b'Nov  1 02:00:10 mx1 postfix/pickup[212]: 5E5E5E5E5E: uid=0 from=<r\xc3\xb6\xc3\x96t>',
 b'Nov  1 02:00:10 mx1 postfix/qmgr[202]: 5E5E5E5E5E: from=<r\xc3\xb6\xc3\x96t@H\xc3\x96ST.example.COM>, size=77, nrcpt=1 (queue active)',
 b'Nov  1 02:00:11 mx1 postfix/local[213]: 5E5E5E5E5E: to=<\xc3\x96t@H\xc3\x96ST.example.COM>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)',
 b'Nov  1 02:00:12 mx1 postfix/smtp[214]: 5E5E5E5E5F: to=<b@x.org>, relay=R\xc3\x89LAY[1.2.3.4]:25, delay=1, delays=0/0/0/1, dsn=5.0.0, status=bounced (host R\xc3\x89LAY said: 550\xa0no such user (in reply to RCPT TO command))',
 b'Nov  1 02:00:13 mx1 postfix/smtp[214]: connect to \xc3\x89x.example[1.2.3.4]:25: Connection refused (port 25)',
]
open(sys.argv[1], 'wb').write(b'\n'.join(L) + b'\n')
PY
# locale_both NAME ENV... -- ARGS...: both tools under that environment
locale_both() {
	local name=$1 envs=()
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	env "${envs[@]}" LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@$NOW" "$REAL" "$@" 2>/dev/null | python3 "$TIES" >"$TEST_TMP/real.out"
	env "${envs[@]}" LD_PRELOAD="$FAKETIME_LIB" FAKETIME="@$NOW" "$OURS" "$@" 2>/dev/null | python3 "$TIES" >"$TEST_TMP/ours.out"
	check_same "$name" "$TEST_TMP/real.out" "$TEST_TMP/ours.out"
}
for loc in C C.UTF-8; do
	for o in "" "-i" "-e --verp-mung -m" "--smtpd-stats --verbose-msg-detail" "--verp-mung=2 --rej-add-from -i" "--smtp-detail 5 -q"; do
		# shellcheck disable=SC2086
		locale_both "LC_ALL=$loc non-ASCII log [$o]" LC_ALL=$loc -- $o "$TEST_TMP/utf8.log"
	done
done
for e in "-u LC_ALL LANG=C.UTF-8" "-u LC_ALL LANG=C.UTF-8 LC_CTYPE=C" "-u LC_ALL -u LANG LC_CTYPE=C.UTF-8" \
	"LC_ALL=xx_YY.UTF-8 LANG=C.UTF-8" "-u LANG LC_ALL=xx_YY.UTF-8" "-u LC_ALL LANG=xx_YY.UTF-8 LC_CTYPE=C.UTF-8" \
	"-u LC_ALL -u LANG LC_CTYPE=C.UTF-8 LC_COLLATE=xx_YY"; do
	# shellcheck disable=SC2086
	locale_both "env $e, non-ASCII log [-i]" $e -- -i "$TEST_TMP/utf8.log"
done
for log in "$LOGS"/*.log; do
	locale_both "LC_ALL=C.UTF-8 $(basename "$log") [-i -e --smtpd-stats]" LC_ALL=C.UTF-8 -- -i -e --smtpd-stats "$log"
done

# Several files, in order (day counting depends on it), and stdin.
both "three files in order" "$NOW" "$LOGS/kdent-mail3-head.log" "$LOGS/kdent-mail.log" "$LOGS/quirks.log"
capture -f "$TIE" "$TEST_TMP/real.n" pinned "$NOW" "$REAL" <"$LOGS/kdent-mail.log" 2>/dev/null
capture -f "$TIE" "$TEST_TMP/ours.out" pinned "$NOW" "$OURS" <"$LOGS/kdent-mail.log" 2>/dev/null
check_same "standard input" "$TEST_TMP/real.n" "$TEST_TMP/ours.out"
capture -f "$TIE" "$TEST_TMP/ours.out" pinned "$NOW" "$OURS" - <"$LOGS/kdent-mail.log" 2>/dev/null
check_same "standard input as -" "$TEST_TMP/real.n" "$TEST_TMP/ours.out"

# .gz input (extension): same report as the plain file.
gzip -c "$LOGS/kdent-mail.log" >"$TEST_TMP/k.log.gz"
capture -f "$TIE" "$TEST_TMP/ours.out" pinned "$NOW" "$OURS" "$TEST_TMP/k.log.gz" 2>/dev/null
check_same ".gz input" "$TEST_TMP/real.n" "$TEST_TMP/ours.out"
cat "$TEST_TMP/k.log.gz" "$TEST_TMP/k.log.gz" >"$TEST_TMP/kk.log.gz"
capture -f "$TIE" "$TEST_TMP/real.out" pinned "$NOW" "$REAL" "$LOGS/kdent-mail.log" "$LOGS/kdent-mail.log" 2>/dev/null
capture -f "$TIE" "$TEST_TMP/ours.out" pinned "$NOW" "$OURS" "$TEST_TMP/kk.log.gz" 2>/dev/null
check_same "concatenated .gz members" "$TEST_TMP/real.out" "$TEST_TMP/ours.out"

# -d today / yesterday on the days the logs cover ("yesterday" is
# pflogsumm's time - (hour+2)*3600).
both "-d today (Oct 22)" "2026-10-22 20:00:00" -d today "$LOGS/kdent-mail.log"
both "-d yesterday (Oct 22)" "2026-10-23 01:00:00" -d yesterday "$LOGS/kdent-mail.log"
both "-d yesterday (Nov 1)" "2026-11-02 10:00:00" -d yesterday "$LOGS/kdent-mail2-head.log"
both "-d today ISO (Jan 30 2020)" "2020-01-30 12:00:00" -d today "$LOGS/youyo-test-iso8601.log"
both "-d today --iso quirks" "2026-11-02 12:00:00" -d today --iso-date-time "$LOGS/quirks.log"
both "year rollover guess" "2026-01-15 12:00:00" "$LOGS/quirks.log"

# Option parsing quirks: usage errors (usage on stderr).  pflogsumm dies
# with Perl's die, whose status is whatever errno Perl holds: 255 on a
# fresh Debian 12, 2 (ENOENT) where module loading left it set.  We
# always exit 255; a real 2 is accepted as the same outcome. Standard
# output stays empty: the usage text on stderr must not be.
for o in "--de 5" "--foo" "-h x" "-eq" "--help=1" "-d sometime" "--rej" "--verp-mung=x"; do
	# shellcheck disable=SC2086
	pinned "$NOW" "$REAL" $o "$LOGS/youyo-test.log" >"$TEST_TMP/real.out" 2>"$TEST_TMP/real.err"
	r1=$?
	# shellcheck disable=SC2086
	pinned "$NOW" "$OURS" $o "$LOGS/youyo-test.log" >"$TEST_TMP/ours.out" 2>"$TEST_TMP/ours.err"
	r2=$?
	sed 's/postq-pflogsumm/pflogsumm/g' "$TEST_TMP/ours.err" >"$TEST_TMP/ours.e2"
	[ "$r1" = 2 ] && [ "$r2" = 255 ] && r1=255
	if [ "$r1" = 255 ] && [ $r1 = $r2 ] && [ -s "$TEST_TMP/real.err" ] &&
	   cmp -s "$TEST_TMP/real.out" "$TEST_TMP/ours.out" &&
	   cmp -s "$TEST_TMP/real.err" "$TEST_TMP/ours.e2"; then
		pass "usage error [$o]"
	else
		fail "usage error [$o]" "exit $r1 vs $r2" "$(diff "$TEST_TMP/real.err" "$TEST_TMP/ours.e2" | head -5)"
	fi
done
UNNAME="sed s/postq-pflogsumm/pflogsumm/g"
check_tools -f "$UNNAME" "--help" "$REAL" "$OURS" --help
# --version: postq's release (lib/util/version.h) and the pflogsumm
# release it follows, which must be the installed oracle's.
want=$(sed -n 's/^#define PQ_VERSION "\(.*\)"$/\1/p' "$TOP/lib/util/version.h")
deb=$(dpkg-query -W -f '${Version}' pflogsumm 2>/dev/null)
real=$("$REAL" --vers)
ours=$("$OURS" --vers)
if [ -n "$want" ] && [ "$ours" = "postq-pflogsumm (postq) $want (pflogsumm 1.1.5-8)" ] &&
   [ "$real" = "pflogsumm 1.1.5" ] && { [ -z "$deb" ] || [ "$deb" = 1.1.5-8 ]; }; then
	pass "--version (abbreviated)"
else
	fail "--version (abbreviated)" "ours: $ours" "real: $real (package $deb)"
fi

# Numeric options within range behave as in pflogsumm, however written
# (Getopt::Long and Perl keep them as 64-bit integers).
for o in "-h +3" "-h 007" "-h -0" "-u -3" "-h 9223372036854775807" "-u -9223372036854775808" \
	"--detail -1" "--detail=+1" "--verp-mung=+2" "--verp-mung=-7" "--bounce-detail=1 --detail 2"; do
	# shellcheck disable=SC2086
	both "in-range value [$o]" "$NOW" $o "$LOGS/quirks.log"
done
capture "$TEST_TMP/real.err" stderr_of pinned "$NOW" "$REAL" --no-bounce "$LOGS/youyo-test.log"
capture -f "$UNNAME" "$TEST_TMP/ours.err" stderr_of pinned "$NOW" "$OURS" --no-bounce "$LOGS/youyo-test.log"
check_same "deprecated option warning" "$TEST_TMP/real.err" "$TEST_TMP/ours.err"

# The one-thread path (POSTQ_THREADS=1) gives the same bytes as the
# reader-thread pipeline, whatever share of each chunk the main thread
# pre-parses (POSTQ_TEST=share=N; 32 is all of it). big.log is several chunks
# long, so chunk ends, hand-offs and the adaptive share are crossed.
for i in 1 2 3 4 5 6 7 8; do cat "$LOGS"/*.log; done >"$TEST_TMP/big.log"
# run_report OUT ENV...: the -e --smtpd-stats report in OUT (status in
# OUT.st), stderr in OUT.err
run_report() {
	local out=$1
	shift
	(
		export "$@"
		capture "$out" pinned "$NOW" "$OURS" -e --smtpd-stats "$log" 2>"$out.err"
	)
}
for log in "$LOGS"/*.log "$TEST_TMP/big.log"; do
	run_report "$TEST_TMP/t1" POSTQ_THREADS=1
	for share in "" 0 5 32; do
		run_report "$TEST_TMP/t2" POSTQ_TEST=share="$share"
		name="one thread = two threads, share '$share' $(basename "$log")"
		if cmp -s "$TEST_TMP/t1.err" "$TEST_TMP/t2.err"; then
			check_same "$name" "$TEST_TMP/t1" "$TEST_TMP/t2"
		else
			fail "$name" "stderr differs" "$(diff "$TEST_TMP/t1.err" "$TEST_TMP/t2.err" | head -5)"
		fi
	done
	run_report "$TEST_TMP/t2" POSTQ_TEST=generic=1
	check_same "classified lines = pflogsumm's regex replicas alone, $(basename "$log")" "$TEST_TMP/t1" "$TEST_TMP/t2"
done

# Several files, the first ending without a newline: its last line stays
# a line of its own (as with Perl's <>), whichever thread splits it.
head -c 300000 "$LOGS/kdent-mail2-head.log" >"$TEST_TMP/a.log"
printf 'Nov  1 09:00:00 h postfix/smtpd[1]: connect from x[192.0.2.1]' >>"$TEST_TMP/a.log"
tail -c +300001 "$LOGS/kdent-mail2-head.log" >"$TEST_TMP/b.log"
set -- "$TEST_TMP/a.log" "$TEST_TMP/b.log" "$TEST_TMP/a.log"
capture -f "$TIE" "$TEST_TMP/real.out" pinned "$NOW" "$REAL" --smtpd-stats "$@" 2>/dev/null
for share in "" 0 5 32; do
	POSTQ_TEST=share=$share capture -f "$TIE" "$TEST_TMP/ours.out" pinned "$NOW" "$OURS" --smtpd-stats "$@" 2>/dev/null
	check_same "files without a last newline, share '$share'" "$TEST_TMP/real.out" "$TEST_TMP/ours.out"
done
set --

# Garbage never crashes: random bytes and overlong lines.
head -c 300000 /dev/urandom >"$TEST_TMP/garbage"
{ printf 'Nov  1 00:00:00 h postfix/smtpd[1]: '; head -c 2000000 /dev/zero | tr '\0' 'x'; echo; } >>"$TEST_TMP/garbage"
if "$OURS" "$TEST_TMP/garbage" >/dev/null 2>&1; then pass "garbage input"; else fail "garbage input"; fi

# Lines are cut at 1 MiB, as lib/log/logread cuts them: /dev/zero (one
# line without end) runs in bounded memory until killed, with one
# warning; a 3 MB line in a real log is cut with a warning naming the
# file and line, and the report is pflogsumm's (that line counts for
# nothing in either).
timeout 20 prlimit --as=$((300 << 20)) "$OURS" /dev/zero >/dev/null 2>"$TEST_TMP/err"
rc=$?
if [ $rc = 124 ] && [ "$(cat "$TEST_TMP/err")" = "postq-pflogsumm: warning: /dev/zero: line 1: longer than 1048576 bytes; the rest of it is skipped" ]; then
	pass "/dev/zero: bounded, one warning, until killed"
else
	fail "/dev/zero: bounded, one warning, until killed" "exit $rc (124: killed by timeout)" "$(head -3 "$TEST_TMP/err")"
fi
{ head -3000 "$LOGS/kdent-mail.log"; printf 'Oct 22 10:00:00 conch postfix/smtpd[1]: '
  head -c 3000000 /dev/zero | tr '\0' x; echo; tail -n +3001 "$LOGS/kdent-mail.log"; } >"$TEST_TMP/3mb.log"
pinned "$NOW" "$REAL" "$TEST_TMP/3mb.log" 2>/dev/null | python3 "$TIES" >"$TEST_TMP/real.out"
pinned "$NOW" prlimit --as=$((300 << 20)) "$OURS" "$TEST_TMP/3mb.log" 2>"$TEST_TMP/err" | python3 "$TIES" >"$TEST_TMP/ours.out"
check_same "a 3 MB line: pflogsumm's report" "$TEST_TMP/real.out" "$TEST_TMP/ours.out"
want="postq-pflogsumm: warning: $TEST_TMP/3mb.log: line 3001: longer than 1048576 bytes; the rest of it is skipped"
if [ "$(cat "$TEST_TMP/err")" = "$want" ]; then pass "a 3 MB line: one warning"; else fail "a 3 MB line: one warning" "$(head -3 "$TEST_TMP/err")"; fi

# A truncated .gz (zcat: "unexpected end of file") or a file that cannot
# be read: the report of what could be read (pflogsumm's report of
# zcat's output), a warning naming the file, and exit status 1.
head -c 30000 "$TEST_TMP/k.log.gz" >"$TEST_TMP/trunc.log.gz"
zcat "$TEST_TMP/trunc.log.gz" 2>/dev/null | pinned "$NOW" "$REAL" 2>/dev/null | python3 "$TIES" >"$TEST_TMP/real.out"
pinned "$NOW" "$OURS" "$TEST_TMP/trunc.log.gz" 2>"$TEST_TMP/err" >"$TEST_TMP/ours.raw"
rc=$?
python3 "$TIES" <"$TEST_TMP/ours.raw" >"$TEST_TMP/ours.out"
check_same "truncated .gz: the report of what was read" "$TEST_TMP/real.out" "$TEST_TMP/ours.out"
if [ $rc = 1 ] && [ "$(cat "$TEST_TMP/err")" = "postq-pflogsumm: warning: $TEST_TMP/trunc.log.gz: unexpected end of file" ]; then
	pass "truncated .gz: warning and exit 1"
else
	fail "truncated .gz: warning and exit 1" "exit $rc" "$(cat "$TEST_TMP/err")"
fi
pinned "$NOW" "$REAL" "$LOGS/youyo-test.log" 2>/dev/null | python3 "$TIES" >"$TEST_TMP/real.out"
for bad in "$TEST_TMP" /nonexistent/mail.log; do
	pinned "$NOW" "$OURS" "$bad" "$LOGS/youyo-test.log" 2>"$TEST_TMP/err" >"$TEST_TMP/ours.raw"
	rc=$?
	python3 "$TIES" <"$TEST_TMP/ours.raw" >"$TEST_TMP/ours.out"
	if [ $rc = 1 ] && grep -qF "$bad" "$TEST_TMP/err" && cmp -s "$TEST_TMP/real.out" "$TEST_TMP/ours.out"; then
		pass "unreadable $bad: report of the rest, named, exit 1"
	else
		fail "unreadable $bad: report of the rest, named, exit 1" "exit $rc" "$(cat "$TEST_TMP/err")"
	fi
done

# The sanitizer build gives the same reports. (faketime preloads a
# library, so ASan must not insist on coming first.)
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
if [ -n "${ASAN_BIN:-}" ] && [ -x "$ASAN_BIN/postq-pflogsumm" ]; then
	for log in "$LOGS"/*.log "$TEST_TMP/garbage" "$TEST_TMP/k.log.gz" "$TEST_TMP/big.log"; do
		for o in "" "--smtpd-stats -e -i -m --verp-mung=2 --rej-add-from --zero-fill"; do
			# shellcheck disable=SC2086
			capture "$TEST_TMP/ours.out" pinned "$NOW" "$OURS" $o "$log" 2>/dev/null
			# the main thread's pre-parsing: none, some, all
			for share in 0 5 32; do
				# shellcheck disable=SC2086
				POSTQ_TEST=share=$share capture "$TEST_TMP/asan.out" \
					pinned "$NOW" "$ASAN_BIN/postq-pflogsumm" $o "$log" 2>"$TEST_TMP/asan.out.err"
				check_same "asan $(basename "$log") [$o] share $share" "$TEST_TMP/ours.out" "$TEST_TMP/asan.out"
			done
		done
	done
fi
exit 0
