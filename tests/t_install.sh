#!/bin/bash
# t_install.sh - "make install" and "make install-compat" into a scratch
# DESTDIR: every tool and man page lands, the classic-name links point at
# postq, and the directories and files of Postfix itself are refused.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"

d=$TEST_TMP/destdir
make -s -C "$TOP" install PREFIX=/usr/local DESTDIR="$d" >"$TEST_TMP/out" 2>&1 ||
	fail "make install" "$(tail -5 "$TEST_TMP/out")"
for b in "$TOP"/bin/*; do
	n=$(basename "$b")
	[ -x "$d/usr/local/bin/$n" ] && pass "install: bin/$n" || fail "install: bin/$n"
	case $n in postq-*)
		[ -f "$d/usr/local/share/man/man1/$n.1" ] && pass "install: man page $n.1" ||
			fail "install: man page $n.1"
	esac
done

make -s -C "$TOP" install-compat PREFIX=/usr/local DESTDIR="$d" DIR=/opt/compat >"$TEST_TMP/out" 2>&1 ||
	fail "make install-compat DIR=/opt/compat" "$(tail -5 "$TEST_TMP/out")"
for pair in mailq:postq-mailq qshape:postq-qshape pflogsumm:postq-pflogsumm postsuper:postq-postsuper; do
	l=$d/opt/compat/${pair%%:*}
	[ "$(readlink "$l")" = "/usr/local/bin/${pair#*:}" ] && pass "install-compat: ${pair%%:*}" ||
		fail "install-compat: ${pair%%:*}" "$(ls -l "$d/opt/compat" 2>&1)"
done

for dir in /usr/sbin /usr/bin /etc/postfix; do
	if make -s -C "$TOP" install-compat PREFIX=/usr/local DESTDIR="$d" DIR=$dir >"$TEST_TMP/out" 2>&1; then
		fail "install-compat refuses $dir"
	else
		grep -q refusing "$TEST_TMP/out" && pass "install-compat refuses $dir" ||
			fail "install-compat refuses $dir" "$(cat "$TEST_TMP/out")"
	fi
done
mkdir -p "$d/opt/other" && echo 'not ours' >"$d/opt/other/mailq"
if make -s -C "$TOP" install-compat PREFIX=/usr/local DESTDIR="$d" DIR=/opt/other >"$TEST_TMP/out" 2>&1; then
	fail "install-compat keeps a foreign mailq"
else
	[ "$(cat "$d/opt/other/mailq")" = 'not ours' ] && pass "install-compat keeps a foreign mailq" ||
		fail "install-compat keeps a foreign mailq"
fi

# make uninstall removes exactly what install and install-compat put
# there: a foreign file beside them stays.
echo 'not ours' >"$d/usr/local/bin/other-tool"
make -s -C "$TOP" uninstall PREFIX=/usr/local DESTDIR="$d" DIR=/opt/compat >"$TEST_TMP/out" 2>&1 ||
	fail "make uninstall" "$(tail -5 "$TEST_TMP/out")"
left=$(cd "$d" && find usr/local/bin usr/local/share/man/man1 opt/compat \( -type f -o -type l \) | sort | tr '\n' ' ')
[ "$left" = "usr/local/bin/other-tool " ] && pass "make uninstall removes what install put there, nothing else" ||
	fail "make uninstall removes what install put there, nothing else" "left: $left"

# the front end lists every installed tool
"$TOP/bin/postq" help >"$TEST_TMP/help" 2>&1
for b in "$TOP"/bin/postq-*; do
	n=$(basename "$b")
	grep -q "^ *${n#postq-} " "$TEST_TMP/help" && pass "postq help lists ${n#postq-}" ||
		fail "postq help lists ${n#postq-}" "$(cat "$TEST_TMP/help")"
done
rm -rf "$TEST_TMP"
exit 0
