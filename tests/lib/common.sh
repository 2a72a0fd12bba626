# common.sh - shared helpers for postq's shell test scripts.
#
# A test script sources this file, calls pass/fail once per check, and
# exits 0. The runner (tests/run.sh) counts the "ok"/"not ok" lines that
# pass and fail print, so a script that dies half-way is still visible as
# fewer checks plus the runner's own "not ok <script>" line.

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${BIN:-$TOP/bin}
TEST_TMP=${TEST_TMP:-$(mktemp -d /tmp/postq-test.XXXXXX)}
export TOP BIN TEST_TMP

pass() { printf 'ok - %s\n' "$1"; }
fail() {
	printf 'not ok - %s\n' "$1"
	shift
	[ $# -gt 0 ] && printf '#   %s\n' "$@"
	return 0
}

# check_same NAME EXPECTED_FILE ACTUAL_FILE: pass if byte-identical,
# otherwise fail with the first lines of a unified diff.
check_same() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "$(diff -u "$2" "$3" | head -30)"
	fi
}

# skip_all REASON: the whole script cannot run here; say why, count nothing.
skip_all() { printf '# skip %s: %s\n' "$(basename "$0")" "$1"; exit 0; }

# pinned WHEN CMD...: run CMD with the clock starting at WHEN
# ('YYYY-MM-DD HH:MM:SS', local time) by preloading libfaketime. Not the
# faketime(1) wrapper: it names a semaphore and a shared memory segment
# after its own pid, leaves some behind, and fails ("sem_open: File
# exists", exit 1, the command never run) once a pid comes round again.
FAKETIME_LIB=${FAKETIME_LIB:-$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)}
pinned() {
	local when=$1 secs
	shift
	secs=$(date -d "$when" +%s) || return 2
	LD_PRELOAD=$FAKETIME_LIB${LD_PRELOAD:+:$LD_PRELOAD} FAKETIME="@$when" "$@"
}
have_pinned() { [ -n "$FAKETIME_LIB" ]; }
