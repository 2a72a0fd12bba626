#!/bin/bash
# t_selftest.sh - the test machinery itself cannot pass by accident.
#
# Every compare helper of tests/lib/common.sh is fed an empty output on
# either side, a missing one, a wrong one, an oracle with an unexpected
# exit status, ours with another status than the oracle's and a failed
# pipeline stage, and must say "not ok" each time (and "ok" on a good
# pair, so that it is not simply always failing). The runner's rules
# (tests/lib/steps.sh) are checked the same way: a step that exits 0
# without printing a check fails as "ran nothing" unless it skipped with
# a reason, a failing step counts, a crashing fuzz target is "not ok".
# Every unit-test binary must exit non-zero after a failed check
# (POSTQ_TEST=unit_fail=1 forces one), and so must a tiny test whose
# main returns 0 or calls exit(0) after one.
#
# The helpers' own output is captured and shown only as "#" lines (all
# of it with SELFTEST_VERBOSE=1, else only where a helper failed), so
# tests/run.sh never counts their "ok"/"not ok" lines; each expectation
# becomes one "ok - selftest: ..." line of this script.
set -u -o pipefail
. "$(dirname "$0")/lib/common.sh"

S=$TEST_TMP/selftest
mkdir -p "$S/fake"
# fake tools: say (prints its arguments), silent (prints nothing),
# say_st N ARGS (prints ARGS, exits N), quiet_st N (prints nothing, exits N)
printf '#!/bin/sh\nprintf "%%s\\n" "$@"\n' >"$S/fake/say"
printf '#!/bin/sh\nexit 0\n' >"$S/fake/silent"
printf '#!/bin/sh\nst=$1; shift; printf "%%s\\n" "$@"; exit "$st"\n' >"$S/fake/say_st"
printf '#!/bin/sh\nexit "$1"\n' >"$S/fake/quiet_st"
chmod +x "$S/fake"/*
PATH=$S/fake:$PATH

# run_helper OUT CMD...: CMD in a subshell, all its output in OUT.
run_helper() {
	local out=$1
	shift
	( "$@" ) >"$out" 2>&1
}
show() { sed 's/^/#     | /' "$1"; }

# expect_not_ok DESC CMD...: CMD prints "not ok" and no "ok" line.
expect_not_ok() {
	local desc=$1 out=$S/out
	shift
	run_helper "$out" "$@"
	if grep -q '^not ok - ' "$out" && ! grep -q '^ok - ' "$out"; then
		pass "selftest: $desc: not ok"
		[ -n "${SELFTEST_VERBOSE:-}" ] && show "$out"
	else
		fail "selftest: $desc: not ok" "the helper said:"
		show "$out"
	fi
}

# expect_ok DESC CMD...: CMD prints "ok" and no "not ok" line.
expect_ok() {
	local desc=$1 out=$S/out
	shift
	run_helper "$out" "$@"
	if grep -q '^ok - ' "$out" && ! grep -q '^not ok - ' "$out"; then
		pass "selftest: $desc: ok"
	else
		fail "selftest: $desc: ok" "the helper said:"
		show "$out"
	fi
}

W=$S/w G=$S/g
# files WANT GOT: the two sides as literal text ("" is an empty file)
files() {
	rm -f "$W" "$W.st" "$G" "$G.st"
	if [ -n "$1" ]; then printf '%s\n' "$1" >"$W"; else : >"$W"; fi
	if [ -n "$2" ]; then printf '%s\n' "$2" >"$G"; else : >"$G"; fi
}
same() { check_same "the pair" "$W" "$G"; }
same_st() { check_same --status "$1" "the pair" "$W" "$G"; }
same_empty() { check_same_empty "the pair" "$W" "$G"; }

# --- check_same
files "a line" "a line";	expect_ok "check_same, same output" same
files "" "";			expect_not_ok "check_same, both empty" same
files "" "a line";		expect_not_ok "check_same, empty oracle side" same
files "a line" "";		expect_not_ok "check_same, empty side of ours" same
files "a line" "a line"; rm "$W"; expect_not_ok "check_same, no oracle file" same
files "a line" "a line"; rm "$G"; expect_not_ok "check_same, no file of ours" same
files "a line" "another";	expect_not_ok "check_same, wrong output" same
files "" ""
capture "$W" say_st 1 "a line"
capture "$G" say "a line"
expect_not_ok "check_same, oracle exit 1" same
capture "$W" say "a line"
capture "$G" say_st 2 "a line"
expect_not_ok "check_same, ours exits 2, oracle 0" same
capture -f 'cat; exit 1' "$W" say "a line"
capture "$G" say "a line"
expect_not_ok "check_same, failed filter stage on the oracle side" same
capture "$W" say "a line"
capture -f '(cat; exit 1) | sort' "$G" say "a line"
expect_not_ok "check_same, failed first stage of a filter pipeline (ours)" same
capture -f sort "$W" say "b" "a"
capture -f sort "$G" say "a" "b"
expect_ok "check_same, captured through a filter" same
capture "$W" say_st 1 "usage"
capture "$G" say_st 1 "usage"
expect_ok "check_same --status 1, both exit 1" same_st 1
capture "$W" say_st 1 "usage"
capture "$G" say "usage"
expect_not_ok "check_same --status 1, ours exits 0" same_st 1
capture "$W" say "usage"
capture "$G" say "usage"
expect_not_ok "check_same --status 1, oracle exits 0" same_st 1
check_odd_args() { check_same "the pair" "$W"; }
expect_not_ok "check_same with a file left out" check_odd_args

# --- check_same_empty
files "" "";			expect_ok "check_same_empty, both empty" same_empty
files "a line" "a line";	expect_not_ok "check_same_empty, same non-empty output" same_empty
files "" "a line";		expect_not_ok "check_same_empty, ours not empty" same_empty
files "a line" "";		expect_not_ok "check_same_empty, oracle not empty" same_empty
files "" ""; rm "$W";		expect_not_ok "check_same_empty, no oracle file" same_empty
capture "$W" quiet_st 1
capture "$G" silent
expect_not_ok "check_same_empty, oracle exit 1" same_empty
capture "$W" silent
capture -f 'cat; exit 1' "$G" silent
expect_not_ok "check_same_empty, failed filter stage" same_empty

# --- check_tools (the oracle and ours given the same arguments)
tools() { check_tools -o "$S/t" "$@"; }
expect_ok "check_tools, same output" tools "the pair" say say "a line"
expect_not_ok "check_tools, both print nothing" tools "the pair" silent silent
expect_not_ok "check_tools, oracle prints nothing" tools "the pair" silent say "a line"
expect_not_ok "check_tools, ours prints nothing" tools "the pair" say silent "a line"
say_other() { say other; }
expect_not_ok "check_tools, wrong output" tools "the pair" say say_other "a line"
say1() { say_st 1 "$@"; }
say3() { say_st 3 "$@"; }
expect_not_ok "check_tools, oracle exit 1" tools "the pair" say1 say "a line"
expect_not_ok "check_tools, ours exit 3" tools "the pair" say say3 "a line"
expect_ok "check_tools -s 3, both exit 3" tools -s 3 "the pair" say3 say3 "a line"
expect_not_ok "check_tools -s 3, oracle exits 0" tools -s 3 "the pair" say say3 "a line"
expect_not_ok "check_tools, failed filter" tools -f 'cat; exit 1' "the pair" say say "a line"
expect_not_ok "check_tools, failed filter pipeline stage" tools -f '(cat; exit 1) | sort' "the pair" say say "a line"
expect_ok "check_tools --empty, both print nothing" tools --empty "the pair" silent silent
expect_not_ok "check_tools --empty, oracle prints" tools --empty "the pair" say silent "a line"
quiet1() { quiet_st 1; }
expect_not_ok "check_tools --empty, oracle exit 1" tools --empty "the pair" quiet1 silent
wrap_fail() { "$@"; return 4; }
expect_not_ok "check_tools, a wrapper that fails" tools -w wrap_fail "the pair" say say "a line"

# --- check_pflogsumm (fake pflogsumm and postq-pflogsumm)
mkdir -p "$S/bin"
pfl_with() {	# ORACLE OURS: check_pflogsumm with these two as the tools
	PFLOGSUMM=$S/fake/$1
	ln -sf "$S/fake/$2" "$S/bin/postq-pflogsumm"
	BIN=$S/bin check_pflogsumm "the pair" "2026-11-23 08:00:00" "a report line"
}
expect_ok "check_pflogsumm, same report" pfl_with say say
expect_not_ok "check_pflogsumm, no report from pflogsumm" pfl_with silent say
expect_not_ok "check_pflogsumm, no report from ours" pfl_with say silent
printf '#!/bin/sh\necho "a report line"\nexit 2\n' >"$S/fake/die2"
chmod +x "$S/fake/die2"
expect_not_ok "check_pflogsumm, pflogsumm exit 2" pfl_with die2 say
expect_not_ok "check_pflogsumm, ours exit 2" pfl_with say die2

# --- the runner's rules (tests/lib/steps.sh)
. "$TOP/tests/lib/steps.sh"
# run_step OUT CMD...: one step with fresh counters; OUT ends with "counts P F"
run_step() {
	local out=$1
	shift
	(
		WORK=$S/work
		mkdir -p "$WORK"
		passed=0 failed=0
		step "inner step" "$@"
		echo "counts $passed $failed"
	) >"$out" 2>&1
}
# expect_counts DESC P F CMD...
expect_counts() {
	local desc=$1 p=$2 f=$3 out=$S/step
	shift 3
	run_step "$out" "$@"
	if [ "$(tail -1 "$out")" = "counts $p $f" ]; then
		pass "selftest: runner: $desc ($p passed, $f failed)"
	else
		fail "selftest: runner: $desc ($p passed, $f failed)" "the step said:"
		show "$out"
	fi
}
printf '#!/bin/bash\nexit 0\n' >"$S/nothing.sh"
printf '#!/bin/bash\necho "# some comment"\nexit 0\n' >"$S/comment.sh"
printf '#!/bin/bash\n. %q\nskip_all "no oracle here"\n' "$TOP/tests/lib/common.sh" >"$S/skips.sh"
printf '#!/bin/bash\necho "# skip skips.sh: "\nexit 0\n' >"$S/noreason.sh"
printf '#!/bin/bash\necho "ok - a"\necho "ok - b"\nexit 0\n' >"$S/two.sh"
printf '#!/bin/bash\necho "ok - a"\nexit 1\n' >"$S/dies.sh"
printf '#!/bin/bash\necho "ok - a"\necho "not ok - b"\nexit 0\n' >"$S/onebad.sh"
expect_counts "a step that prints nothing and exits 0 ran nothing" 0 1 bash "$S/nothing.sh"
expect_counts "a step with only comments ran nothing" 0 1 bash "$S/comment.sh"
expect_counts "a step that skips with a reason" 0 0 bash "$S/skips.sh"
expect_counts "a skip without a reason ran nothing" 0 1 bash "$S/noreason.sh"
expect_counts "two checks" 2 0 bash "$S/two.sh"
expect_counts "a step that exits 1 after a check" 1 1 bash "$S/dies.sh"
expect_counts "a step with a failed check" 1 1 bash "$S/onebad.sh"
run_step "$S/step" bash "$S/nothing.sh"
grep -q '^not ok - inner step (ran nothing' "$S/step" &&
	pass "selftest: runner: 'ran nothing' is said" ||
	fail "selftest: runner: 'ran nothing' is said" "$(cat "$S/step")"

# fuzz_one: a target that fails (as libFuzzer does on a crash: 77,
# or 1 for a sanitizer report) is "not ok"; one that ends well is "ok".
printf '#!/bin/sh\necho "==1==ERROR: AddressSanitizer: heap-buffer-overflow"\nexit 77\n' >"$S/fuzz_crash"
printf '#!/bin/sh\necho "Done 100 runs"\nexit 0\n' >"$S/fuzz_fine"
chmod +x "$S/fuzz_crash" "$S/fuzz_fine"
mkdir -p "$S/corpus"
FUZZ_ARTIFACTS=$S/art/ expect_counts "fuzz_one on a crashing target" 0 1 fuzz_one "$S/fuzz_crash" "$S/corpus"
FUZZ_ARTIFACTS=$S/art/ expect_counts "fuzz_one on a target that ends well" 1 0 fuzz_one "$S/fuzz_fine" "$S/corpus"
# and a real libFuzzer target built as the Makefile builds them, with
# undefined behaviour on one seed: not ok, the input kept
if command -v clang >/dev/null 2>&1; then
	cat >"$S/fuzz_ub.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
#include <string.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	int x = 0x7fffffff;
	if (n >= 4 && memcmp(d, "boom", 4) == 0)
		x += (int)n;	/* signed overflow: UBSan, no recovery */
	return x == 0;
}
EOF
	if clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o "$S/fuzz_ub" "$S/fuzz_ub.c" >"$S/cc.out" 2>&1; then
		printf 'boom' >"$S/corpus/seed"
		POSTQ_FUZZ_SECONDS=5 FUZZ_ARTIFACTS=$S/art/ \
			expect_counts "fuzz_one on a libFuzzer target with undefined behaviour" 0 1 \
			fuzz_one "$S/fuzz_ub" "$S/corpus"
		ls "$S/art/" | grep -q '^crash-' && pass "selftest: runner: the failing fuzz input is kept" ||
			fail "selftest: runner: the failing fuzz input is kept" "$(ls -l "$S/art/")"
	else
		fail "selftest: a libFuzzer target builds with clang" "$(head -5 "$S/cc.out")"
	fi
else
	echo "# no clang: the real libFuzzer check is left out"
fi

# --- unit-test binaries exit non-zero after a failed check
UNIT_DIR=${UNIT_DIR:-$TOP/build/tests/unit}
n=0
for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	POSTQ_TEST=unit_fail=1 "$t" >"$S/unit.out" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && grep -q '^not ok - forced failure' "$S/unit.out"; then
		pass "selftest: $(basename "$t") exits $rc after a failed check"
	else
		fail "selftest: $(basename "$t") exits non-zero after a failed check" "exit $rc"
		grep '^not ok' "$S/unit.out" | show /dev/stdin
	fi
done
[ $n -gt 0 ] && pass "selftest: $n unit binaries checked" ||
	fail "selftest: no unit binaries in $UNIT_DIR (make unit)"
# tiny tests: main returns 0, or calls exit(0), after a failed check;
# and one whose checks pass exits 0
LIBA=${LIBA:-$TOP/build/libpostq.a}
tiny() {	# NAME CHECK_COND END: build and run; prints the exit status
	printf '#include "unit.h"\nint main(void)\n{\n\tCHECK(%s, "the check");\n\t%s\n}\n' "$2" "$3" >"$S/$1.c"
	"${CC:-cc}" -std=c11 -D_GNU_SOURCE -pthread -I"$TOP/lib" -I"$TOP/tests/unit" \
		-o "$S/$1" "$S/$1.c" "$LIBA" >"$S/cc.out" 2>&1 || { echo "does not build: $(head -3 "$S/cc.out")"; return; }
	"$S/$1" >"$S/$1.out" 2>&1
	echo "exit $?"
}
if [ -f "$LIBA" ] && command -v "${CC:-cc}" >/dev/null 2>&1; then
	r=$(tiny tiny_ret '1 + 1 == 3' 'return 0;')
	[ "$r" = "exit 1" ] && pass "selftest: a failed check, then 'return 0' from main: exit 1" ||
		fail "selftest: a failed check, then 'return 0' from main: exit 1" "$r"
	r=$(tiny tiny_exit '1 + 1 == 3' 'exit(0);')
	[ "$r" = "exit 1" ] && pass "selftest: a failed check, then exit(0): exit 1" ||
		fail "selftest: a failed check, then exit(0): exit 1" "$r"
	r=$(tiny tiny_good '1 + 1 == 2' 'return unit_status();')
	[ "$r" = "exit 0" ] && pass "selftest: a unit test whose checks pass exits 0" ||
		fail "selftest: a unit test whose checks pass exits 0" "$r"
else
	fail "selftest: $LIBA and a C compiler for the tiny unit tests (make unit)"
fi
exit 0
