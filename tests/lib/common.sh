# common.sh - shared helpers for postq's shell test scripts.
#
# A test script sets "set -u -o pipefail", sources this file, calls
# pass/fail once per check, and exits 0. The runner (tests/run.sh) counts
# the "ok"/"not ok" lines that pass and fail print, so a script that dies
# half-way is still visible as fewer checks plus the runner's own "not ok
# <script>" line, and one that prints no check at all fails as "ran
# nothing" (unless it called skip_all).
#
# Comparisons cannot pass by accident: every compare helper fails when
# either side is missing or empty (say so with --empty where both must
# be empty), when a command that made a side exited with a status other
# than the expected one (0 unless --status N), and when a stage of the
# pipeline that made it failed. The statuses come from capture:
#
#	capture [-f FILTER] OUT CMD ARGS...
#		CMD's standard output, through the shell pipeline FILTER if
#		given, into OUT; the exit statuses of CMD and of FILTER into
#		OUT.st, where check_same finds them. Standard error and input
#		are the caller's. Returns non-zero if either failed.
#	check_same [--empty] [--status N] NAME WANT GOT
#		WANT and GOT byte-identical, neither empty (--empty: both
#		empty), every captured status as expected.
#	check_same_empty NAME WANT GOT
#		check_same --empty.
#	check_tools [-f FILTER] [-w WRAPPER] [-s N] [--empty] [-o PREFIX]
#	    NAME ORACLE OURS ARGS...
#		run "WRAPPER ORACLE ARGS" and "WRAPPER OURS ARGS" (WRAPPER is
#		split into words: a function such as "at_now"), each captured
#		through FILTER into PREFIX.want / PREFIX.got (stderr in
#		PREFIX.want.err / PREFIX.got.err; PREFIX is $TEST_TMP/cmp by
#		default), and check_same them with status N (default 0) on
#		both sides.
#	stderr_of CMD ARGS...
#		CMD's standard error on standard output (its output thrown
#		away), CMD's status: "capture OUT stderr_of CMD..." compares
#		what a tool says on stderr.
#	check_pflogsumm NAME WHEN ARGS...
#		the real pflogsumm ($PFLOGSUMM, else /usr/sbin/pflogsumm)
#		against $BIN/postq-pflogsumm with the clock pinned at WHEN,
#		both through tests/lib/pflogsumm_ties.py.
#
# tests/t_selftest.sh feeds each of them bad input and expects "not ok".

set -o pipefail
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

capture() {
	local filter= out st
	if [ "$1" = -f ]; then
		filter=$2
		shift 2
	fi
	out=$1
	shift
	rm -f "$out.st"
	if [ -n "$filter" ]; then
		"$@" | eval "$filter" >"$out"
		st=("${PIPESTATUS[@]}")
	else
		"$@" >"$out"
		st=("$?" 0)
	fi
	echo "${st[0]} ${st[1]}" >"$out.st"
	[ "${st[0]}" = 0 ] && [ "${st[1]}" = 0 ]
}

# cs_side LABEL FILE EXPECTED_STATUS EMPTY: append to the caller's why
# array what is wrong with one side of a comparison.
cs_side() {
	local label=$1 f=$2 want_st=$3 empty=$4 cst fst
	if [ ! -e "$f" ]; then
		why+=("$label: no output file $f")
		return
	fi
	if [ "$empty" = yes ]; then
		[ -s "$f" ] && why+=("$label: expected empty, has $(wc -c <"$f") bytes: $(head -c 200 "$f" | head -3)")
	else
		[ -s "$f" ] || why+=("$label: empty output ($f)")
	fi
	# A status file older than the output belongs to an earlier capture.
	[ -f "$f.st" ] && ! [ "$f" -nt "$f.st" ] || return 0
	read -r cst fst <"$f.st"
	if [ "$cst" != "$want_st" ]; then
		why+=("$label: exit status $cst, expected $want_st")
		[ -s "$f.err" ] && why+=("$label stderr: $(head -c 300 "$f.err")")
	fi
	[ "${fst:-0}" = 0 ] || why+=("$label: a pipeline stage after the command failed (status $fst)")
}

check_same() {
	local empty=no want_st=0
	while [ $# -gt 3 ]; do
		case $1 in
		--empty) empty=yes; shift ;;
		--status) want_st=$2; shift 2 ;;
		*) break ;;
		esac
	done
	if [ $# -ne 3 ]; then
		fail "${1:-check_same}" "check_same: want NAME WANT GOT, got $# arguments"
		return 0
	fi
	local name=$1 want=$2 got=$3 why=()
	cs_side expected "$want" "$want_st" "$empty"
	cs_side actual "$got" "$want_st" "$empty"
	if [ -e "$want" ] && [ -e "$got" ] && ! cmp -s "$want" "$got"; then
		why+=("$(diff -u "$want" "$got" | head -30)")
	fi
	if [ ${#why[@]} -eq 0 ]; then
		pass "$name"
	else
		fail "$name" "${why[@]}"
	fi
}

check_same_empty() { check_same --empty "$@"; }

check_tools() {
	local filter=() wrap= st=0 empty=() prefix=$TEST_TMP/cmp
	while [ $# -gt 0 ]; do
		case $1 in
		-f) filter=(-f "$2"); shift 2 ;;
		-w) wrap=$2; shift 2 ;;
		-s) st=$2; shift 2 ;;
		--empty) empty=(--empty); shift ;;
		-o) prefix=$2; shift 2 ;;
		*) break ;;
		esac
	done
	local name=$1 oracle=$2 ours=$3 w=()
	shift 3
	[ -n "$wrap" ] && read -ra w <<<"$wrap"
	capture "${filter[@]}" "$prefix.want" "${w[@]}" "$oracle" "$@" 2>"$prefix.want.err"
	capture "${filter[@]}" "$prefix.got" "${w[@]}" "$ours" "$@" 2>"$prefix.got.err"
	check_same "${empty[@]}" --status "$st" "$name" "$prefix.want" "$prefix.got"
}

stderr_of() { "$@" 2>&1 >/dev/null; }

# pflogsumm takes the year from the clock: both tools run pinned at
# PFL_WHEN, with LC_ALL=C and the caller's TZ.
pfl_pinned() { LC_ALL=C pinned "$PFL_WHEN" "$@"; }
check_pflogsumm() {
	local name=$1
	PFL_WHEN=$2
	shift 2
	check_tools -f "python3 $TOP/tests/lib/pflogsumm_ties.py" -w pfl_pinned "$name" \
		"${PFLOGSUMM:-/usr/sbin/pflogsumm}" "$BIN/postq-pflogsumm" "$@"
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
