#!/bin/bash
# t_mailq_fixture.sh - postq-mailq on the committed sample spools (made
# by a real Postfix 3.7.11 with tests/fixtures/make-fixtures.sh) against
# the postqueue -p / -j output recorded from those very spools. Unpacking
# changes directory order, so messages are compared as sorted blocks;
# everything inside a block, and the totals, byte for byte. Needs no
# Postfix: this is the fast test.
set -u
. "$(dirname "$0")/lib/common.sh"

for kind in short long; do
	fx=$TOP/tests/fixtures/spool-$kind
	[ -f "$fx.tar.gz" ] || { fail "fixture $kind present"; continue; }
	dir=$TEST_TMP/$kind
	mkdir -p "$dir/etc" "$dir/spool"
	tar --warning=no-timestamp -xzf "$fx.tar.gz" -C "$dir/spool"
	cp "$fx.main.cf" "$dir/etc/main.cf"
	for bin in "$BIN" ${ASAN_BIN:+"$ASAN_BIN"}; do
		tag=$kind; [ "$bin" = "$BIN" ] || tag="$kind asan"
		TZ=UTC "$bin/postq-mailq" -c "$dir/etc" --spool "$dir/spool" >"$dir/got.p" 2>"$dir/err"
		python3 "$TOP/tests/lib/blocks.py" <"$fx.postqueue-p" >"$dir/want.sorted"
		python3 "$TOP/tests/lib/blocks.py" <"$dir/got.p" >"$dir/got.sorted"
		check_same "fixture $tag: -p matches recorded postqueue -p" "$dir/want.sorted" "$dir/got.sorted"
		TZ=UTC "$bin/postq-mailq" -c "$dir/etc" --spool "$dir/spool" -j 2>>"$dir/err" | sort >"$dir/got.j"
		sort "$fx.postqueue-j" >"$dir/want.j"
		check_same "fixture $tag: -j matches recorded postqueue -j" "$dir/want.j" "$dir/got.j"
		[ -s "$dir/err" ] && fail "fixture $tag: no warnings" "$(head -3 "$dir/err")" ||
			pass "fixture $tag: no warnings"
		# One thread, and plain system calls instead of io_uring batches.
		for how in POSTQ_THREADS=1 POSTQ_TEST=uring=0; do
			env TZ=UTC $how "$bin/postq-mailq" -c "$dir/etc" --spool "$dir/spool" >"$dir/got.p" 2>"$dir/err"
			python3 "$TOP/tests/lib/blocks.py" <"$dir/got.p" >"$dir/got.sorted"
			check_same "fixture $tag: -p with $how" "$dir/want.sorted" "$dir/got.sorted"
		done
	done
done
exit 0
