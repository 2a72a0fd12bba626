#!/bin/bash
# t_mailq_damaged.sh - postq-mailq on a damaged offline copy of a spool
# made by a real Postfix, against postqueue on the same copy (with no
# master running postqueue reads the copy directly, as root): truncated
# and garbage queue files, files that are not ready, bad names, symlinks,
# misplaced files, forced-expire marks, hostile defer logs. Output must be
# identical, the listing must go on past every bad file, and each damaged
# file must be named in a warning.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/sandbox.sh"

command -v postqueue >/dev/null || skip_all "postfix is not installed"

sandbox_trap
sandbox_build_tools || fail "sandbox tools build"
sandbox_start damaged || { fail "sandbox starts"; exit 0; }
sandbox_inject_varied || fail "injection"
sandbox_wait_quiet || fail "queue settles"
sandbox_stop

copy=$TEST_TMP/copy
mkdir -p "$copy/etc" "$copy/spool"
sandbox_copy_spool "$copy/spool" || fail "copy of the spool"
sed "s|^queue_directory *=.*|queue_directory = $copy/spool|" "$SB_CONF/main.cf" >"$copy/etc/main.cf"
cp "$SB_CONF/master.cf" "$copy/etc/"
for f in "$SB_CONF"/*; do
	case $f in */main.cf | */master.cf) ;; *) cp -a "$f" "$copy/etc/" ;; esac
done

cd "$copy/spool" || exit 1
mapfile -t files < <(find deferred hold -type f | sort)
[ "${#files[@]}" -ge 8 ] && pass "enough queue files to damage (${#files[@]})" ||
	fail "enough queue files to damage" "only ${#files[@]}"

# Truncations at several depths: inside the size record, in the
# envelope, after the sender, inside the content.
truncated=()
i=0
for cut in 50 140 300 600; do
	f=${files[$i]}
	size=$(stat -c %s "$f")
	[ "$size" -gt "$cut" ] && truncate -s "$cut" "$f" && truncated+=("$f")
	i=$((i + 1))
done
# Garbage with a valid name, in the right place.
g=${files[$i]}; i=$((i + 1))
# Fixed bytes, not /dev/urandom: some random garbage makes showq itself
# die half-way (a fatal record error), and the comparison needs a
# listing postqueue completes.
python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(20261130).randbytes(3000))' >"$g"
# Not ready (0600): skipped silently.
chmod 600 "${files[$i]}"; i=$((i + 1))
# Forced expire (g+x): '#' marker.
chmod 710 "${files[$i]}"; i=$((i + 1))
# A symlink with a valid id name: "not a regular file".
mkdir -p deferred/A && ln -s /etc/passwd deferred/A/ABCDEF12345
# Temp-file and #FIX names are not queue ids.
cp "${files[$i]}" "deferred/123.456" 2>/dev/null || cp "${files[$i]}" "hold/123.456"
cp "${files[$i]}" "hold/ABC#FIX"
# A queue file in the wrong hash directory is not found by id.
f=${files[$i]}
case $f in deferred/*) mkdir -p deferred/Z && cp -a "$f" deferred/Z/ ;; esac
i=$((i + 1))
# Hostile defer log: an 100 kB reason, garbage lines, a recipient the
# queue file does not have, an entry cut off at EOF.
id=$(basename "${files[$i]}")
case ${files[$i]} in
deferred/*)
	dlog=$(find defer -name "$id" | head -1)
	if [ -n "$dlog" ]; then
		{
			printf '\n'
			printf 'recipient=stranger@example.com\nstatus=4.0.0\naction=delayed\n'
			printf 'reason=%s\n' "$(head -c 100000 /dev/zero | tr '\0' 'x')"
			printf '\n\n<old@example.com>: old style reason\n\n'
			printf 'garbage line without equals\n=novalue\nrecipient=\x01\x02ctl@example.com\nreason=ctl \x7f\xff\xfe\n\n'
			printf 'recipient=cut@example.com\nreason=no blank line after this'
		} >>"$dlog"
	fi
	;;
esac
# A defer log that names only the first of several recipients (delivery
# was interrupted): the others follow with "(reason unavailable)".
for dlog in $(grep -l 'defersame' -r defer | head -1); do
	python3 - "$dlog" <<'PY'
import sys
p = sys.argv[1]
data = open(p, "rb").read()
entries = [e for e in data.split(b"\n\n") if e.strip()]
open(p, "wb").write(b"\n" + entries[0].strip(b"\n") + b"\n\n")
PY
done
cd - >/dev/null || exit 1

for tz in UTC Europe/Berlin; do
	TZ=$tz capture "$TEST_TMP/want.p" postqueue -c "$copy/etc" -p 2>"$TEST_TMP/want.err"
	TZ=$tz capture "$TEST_TMP/want.j" postqueue -c "$copy/etc" -j 2>/dev/null
	for bin in "$BIN" ${ASAN_BIN:+"$ASAN_BIN"}; do
		tag=""; [ "$bin" = "$BIN" ] || tag=" (asan)"
		TZ=$tz capture "$TEST_TMP/got.p" "$bin/postq-mailq" -c "$copy/etc" 2>"$TEST_TMP/got.err"
		rc=$(cut -d' ' -f1 "$TEST_TMP/got.p.st")
		[ "$rc" = 0 ] && pass "damaged spool: exit 0$tag" || fail "damaged spool: exit 0$tag" "exit $rc"
		check_same "damaged spool: -p identical to postqueue (TZ=$tz)$tag" "$TEST_TMP/want.p" "$TEST_TMP/got.p"
		cmp -s "$TEST_TMP/want.p" "$TEST_TMP/got.p" || sed 's/^/#   postqueue said: /' "$TEST_TMP/want.err"
		TZ=$tz capture "$TEST_TMP/got.j" "$bin/postq-mailq" -c "$copy/etc" -j 2>/dev/null
		check_same "damaged spool: -j identical to postqueue (TZ=$tz)$tag" "$TEST_TMP/want.j" "$TEST_TMP/got.j"
	done
done
for f in "${truncated[@]}"; do
	if grep -qF "$f" "$TEST_TMP/got.err" || grep -qF "$(basename "$f")" "$TEST_TMP/got.err"; then
		pass "truncated $f is named on stderr"
	else
		# A cut before the sender record lists nothing and may say so or not.
		id=$(basename "$f")
		if grep -q "$id" "$TEST_TMP/want.p"; then
			fail "truncated $f is named on stderr" "$(cat "$TEST_TMP/got.err")"
		else
			pass "truncated $f (cut before the sender) is skipped"
		fi
	fi
done
grep -q "(reason unavailable)" "$TEST_TMP/want.p" && pass "the copy shows a '(reason unavailable)' line" ||
	fail "the copy shows a '(reason unavailable)' line"
grep -q "not a regular file" "$TEST_TMP/got.err" && pass "symlink reported as not a regular file" ||
	fail "symlink reported as not a regular file" "$(cat "$TEST_TMP/got.err")"

# The --spool option reads the copy without a config directory of its own.
TZ=UTC capture "$TEST_TMP/want.p" postqueue -c "$copy/etc" -p 2>/dev/null
TZ=UTC capture "$TEST_TMP/got.p" "$BIN/postq-mailq" -c "$copy/etc" --spool "$copy/spool" 2>/dev/null
check_same "--spool DIR lists the same copy" "$TEST_TMP/want.p" "$TEST_TMP/got.p"

# Errors: unreadable spool, bad options; exit codes as postqueue's.
"$BIN/postq-mailq" --spool /nonexistent/spool >/dev/null 2>"$TEST_TMP/err"
rc=$?
[ $rc -eq 69 ] && grep -q "/nonexistent/spool" "$TEST_TMP/err" &&
	pass "missing spool: exit 69 (EX_UNAVAILABLE) naming the directory" ||
	fail "missing spool: exit 69 naming the directory" "exit $rc: $(cat "$TEST_TMP/err")"
postqueue -c /nonexistent/etc -p >/dev/null 2>&1
want_rc=$?
"$BIN/postq-mailq" -c /nonexistent/etc >/dev/null 2>"$TEST_TMP/err"
rc=$?
[ $rc -ne 0 ] && grep -q "/nonexistent/etc/main.cf" "$TEST_TMP/err" &&
	pass "missing main.cf: non-zero exit ($rc; postqueue $want_rc) naming the file" ||
	fail "missing main.cf: non-zero exit naming the file" "exit $rc: $(cat "$TEST_TMP/err")"
postqueue -c "$copy/etc" -x >/dev/null 2>&1
want_rc=$?
"$BIN/postq-mailq" -c "$copy/etc" -x >/dev/null 2>"$TEST_TMP/err"
rc=$?
[ $rc -eq "$want_rc" ] && pass "bad option: exit $rc like postqueue" ||
	fail "bad option: exit like postqueue" "postqueue $want_rc, ours $rc"
"$BIN/postq-mailq" -c "$copy/etc" --older 3x >/dev/null 2>"$TEST_TMP/err"
rc=$?
[ $rc -eq 64 ] && grep -q "bad duration" "$TEST_TMP/err" && pass "bad duration: usage error" ||
	fail "bad duration: usage error" "exit $rc: $(cat "$TEST_TMP/err")"
"$BIN/postq-mailq" -c "$copy/etc" --to '(' >/dev/null 2>"$TEST_TMP/err"
rc=$?
[ $rc -eq 64 ] && grep -q "bad pattern" "$TEST_TMP/err" && pass "bad pattern: usage error" ||
	fail "bad pattern: usage error" "exit $rc: $(cat "$TEST_TMP/err")"
# Not allowed to read the queue: a clear error, not "Mail queue is empty".
if setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$BIN/postq-mailq" 2>/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/postq-mailq" -c "$copy/etc" \
		>"$TEST_TMP/out" 2>"$TEST_TMP/err"
	rc=$?
	[ $rc -eq 77 ] && grep -q "Permission denied" "$TEST_TMP/err" && [ ! -s "$TEST_TMP/out" ] &&
		pass "unreadable queue: exit 77 with a clear message, no listing" ||
		fail "unreadable queue: exit 77 with a clear message, no listing" "exit $rc: $(cat "$TEST_TMP/err" "$TEST_TMP/out")"
else
	echo "# skipped the unprivileged check: $BIN is not reachable by nobody"
fi
exit 0
