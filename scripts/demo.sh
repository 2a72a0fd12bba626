#!/bin/sh
# demo.sh - run postq's tools on the bundled sample spools (made by a
# real Postfix 3.7, see tests/fixtures/make-fixtures.sh).
set -e
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/postq-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

for kind in short long; do
	mkdir -p "$work/$kind/etc" "$work/$kind/spool"
	tar --warning=no-timestamp -xzf "tests/fixtures/spool-$kind.tar.gz" -C "$work/$kind/spool"
	cp "tests/fixtures/spool-$kind.main.cf" "$work/$kind/etc/main.cf"
done

run() {
	echo
	echo "\$ $*"
	"$@"
}

echo "== postq on the sample spool with short queue ids (times in UTC)"
export TZ=UTC
S="-c $work/short/etc --spool $work/short/spool"
run bin/postq-mailq $S
run bin/postq mailq $S --queue deferred --count-by reason
run bin/postq mailq $S --count-by domain
run bin/postq mailq $S --to '^defer' --ids
run bin/postq mailq $S --queue hold -j

echo
echo "== the sample spool with long queue ids"
run bin/postq-mailq -c "$work/long/etc" --spool "$work/long/spool" --from MAILER-DAEMON

echo
echo "== postq-qshape: the deferred and hold queues by destination and age"
run bin/postq-qshape $S deferred hold
run bin/postq qshape $S --by reason deferred

echo
echo "== postq-pflogsumm on a real public mail log (tests/fixtures/logs)"
run bin/postq-pflogsumm --detail 5 --smtpd-stats tests/fixtures/logs/kdent-mail.log
