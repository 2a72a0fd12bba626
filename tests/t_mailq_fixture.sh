#!/bin/bash
# t_mailq_fixture.sh - postq-mailq on the committed sample spools (made
# by a real Postfix 3.7.11 with tests/fixtures/make-fixtures.sh) against
# the postqueue -p / -j output recorded from those very spools. Unpacking
# changes directory order, so messages are compared as sorted blocks;
# everything inside a block, and the totals, byte for byte. Needs no
# Postfix: this is the fast test.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"

for kind in short long; do
	fx=$TOP/tests/fixtures/spool-$kind
	[ -f "$fx.tar.gz" ] || { fail "fixture $kind present"; continue; }
	dir=$TEST_TMP/$kind
	mkdir -p "$dir/etc" "$dir/spool"
	tar --warning=no-timestamp -xzf "$fx.tar.gz" -C "$dir/spool" ||
		fail "fixture $kind unpacks"
	cp "$fx.main.cf" "$dir/etc/main.cf"
	BLOCKS="python3 $TOP/tests/lib/blocks.py"
	capture -f "$BLOCKS" "$dir/want.sorted" cat "$fx.postqueue-p"
	capture -f sort "$dir/want.j" cat "$fx.postqueue-j"
	for bin in "$BIN" ${ASAN_BIN:+"$ASAN_BIN"}; do
		tag=$kind; [ "$bin" = "$BIN" ] || tag="$kind asan"
		capture -f "$BLOCKS" "$dir/got.sorted" \
			env TZ=UTC "$bin/postq-mailq" -c "$dir/etc" --spool "$dir/spool" 2>"$dir/err"
		check_same "fixture $tag: -p matches recorded postqueue -p" "$dir/want.sorted" "$dir/got.sorted"
		capture -f sort "$dir/got.j" \
			env TZ=UTC "$bin/postq-mailq" -c "$dir/etc" --spool "$dir/spool" -j 2>>"$dir/err"
		check_same "fixture $tag: -j matches recorded postqueue -j" "$dir/want.j" "$dir/got.j"
		[ -s "$dir/err" ] && fail "fixture $tag: no warnings" "$(head -3 "$dir/err")" ||
			pass "fixture $tag: no warnings"
		# One thread, and plain system calls instead of io_uring batches.
		for how in POSTQ_THREADS=1 POSTQ_TEST=uring=0; do
			capture -f "$BLOCKS" "$dir/got.sorted" \
				env TZ=UTC $how "$bin/postq-mailq" -c "$dir/etc" --spool "$dir/spool" 2>"$dir/err"
			check_same "fixture $tag: -p with $how" "$dir/want.sorted" "$dir/got.sorted"
		done
	done
done
exit 0
