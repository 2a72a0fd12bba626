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
