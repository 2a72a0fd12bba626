#!/bin/bash
# t_hashseed.sh - no tool's output depends on the hash key.
#
# Every table is hashed with a key drawn per process (lib/util/hash.h),
# so a report that printed a table in its own order would change from
# run to run. Each tool runs here under three fixed keys
# (POSTQ_TEST=hashseed=N) on the committed logs and sample spools, and
# the three outputs (standard output and error together) must be
# byte-identical and not empty, and every run must exit 0 (check_same
# on the captures); the ASan build too, if ASAN_BIN names it. Needs no
# Postfix; libfaketime, if installed, pins the clock so that ages and
# the log year are the same in every run.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"

export LC_ALL=C TZ=UTC
# libfaketime is preloaded before the ASan runtime
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
LOGS=$TOP/tests/fixtures/logs
NOW='2026-11-23 08:00:00'
# run CMD...: CMD with the clock pinned, its stderr on stdout after its
# own output (one stream, as the two interleave)
run() { if have_pinned; then pinned "$NOW" "$@" 2>&1; else "$@" 2>&1; fi; }

# same_under_seeds NAME CMD...: CMD's stdout and stderr under keys 1, 2, 3,
# each run exiting 0: keys 2 and 3 each against key 1.
same_under_seeds() {
	local name=$1 s
	shift
	for s in 1 2 3; do
		POSTQ_TEST=hashseed=$s capture "$TEST_TMP/seed$s" run "$@"
	done
	check_same "$name: same under hash keys 1 and 2" "$TEST_TMP/seed1" "$TEST_TMP/seed2"
	check_same "$name: same under hash keys 1 and 3" "$TEST_TMP/seed1" "$TEST_TMP/seed3"
}

bins=("$BIN")
[ -n "${ASAN_BIN:-}" ] && [ "$ASAN_BIN" != "$BIN" ] && bins+=("$ASAN_BIN")
for bin in "${bins[@]}"; do
	tag=; [ "$bin" = "$BIN" ] || tag="asan "
	PFL=$bin/postq-pflogsumm
	if [ -x "$PFL" ]; then
		all=("$LOGS"/*.log)
		same_under_seeds "${tag}pflogsumm -e --smtpd-stats all logs" "$PFL" -e --smtpd-stats "${all[@]}"
		same_under_seeds "${tag}pflogsumm --verbose-msg-detail --problems-first --rej-add-from" \
			"$PFL" --verbose-msg-detail --problems-first --rej-add-from "${all[@]}"
		same_under_seeds "${tag}pflogsumm -i -m --verp-mung --no-no-msg-size" \
			"$PFL" -i -m --verp-mung --no-no-msg-size "${all[@]}"
		same_under_seeds "${tag}pflogsumm --json -e --per-host --pscrn-stats" \
			"$PFL" --json -e --per-host --pscrn-stats "${all[@]}"
		for log in "${all[@]}"; do
			same_under_seeds "${tag}pflogsumm -e $(basename "$log")" "$PFL" -e --smtpd-stats "$log"
		done
	else
		fail "${tag}pflogsumm built" "no $PFL (make)"
	fi

	for kind in short long; do
		fx=$TOP/tests/fixtures/spool-$kind
		[ -f "$fx.tar.gz" ] || { fail "fixture $kind present"; continue; }
		dir=$TEST_TMP/$kind
		mkdir -p "$dir/etc" "$dir/spool"
		tar --warning=no-timestamp -xzf "$fx.tar.gz" -C "$dir/spool"
		cp "$fx.main.cf" "$dir/etc/main.cf"
		q=(-c "$dir/etc" --spool "$dir/spool")
		same_under_seeds "$tag$kind: qshape -s -p deferred hold" "$bin/postq-qshape" "${q[@]}" -s -p -m 1 deferred hold
		same_under_seeds "$tag$kind: qshape -p deferred" "$bin/postq-qshape" "${q[@]}" -p -m 1 deferred
		same_under_seeds "$tag$kind: qshape --by reason" "$bin/postq-qshape" "${q[@]}" --by reason deferred
		same_under_seeds "$tag$kind: qshape --json -p" "$bin/postq-qshape" "${q[@]}" --json -p -m 1 deferred hold
		same_under_seeds "$tag$kind: mailq" "$bin/postq-mailq" "${q[@]}"
		same_under_seeds "$tag$kind: mailq -j" "$bin/postq-mailq" "${q[@]}" -j
		for by in sender recipient domain reason; do
			same_under_seeds "$tag$kind: mailq --count-by $by" "$bin/postq-mailq" "${q[@]}" --count-by "$by"
			same_under_seeds "$tag$kind: mailq -j --count-by $by" "$bin/postq-mailq" "${q[@]}" -j --count-by "$by"
		done
	done
done
exit 0
