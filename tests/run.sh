#!/bin/bash
# run.sh - build the sanitizer variant and run every postq test.
#
# Runs, in order: the C unit tests (normal build and ASan+UBSan build),
# a bounded libFuzzer run per fuzz target, and every tests/t_*.sh script
# (differential tests against the real Postfix tools). Each check prints
# "ok - ..." or "not ok - ..."; a step that exits non-zero or crashes
# counts as one more failure, and so does one that exits 0 without
# printing any check unless it said why it skipped (tests/lib/steps.sh).
# Each fuzz target runs POSTQ_FUZZ_SECONDS (default 20). The last line
# is "N passed, N failed".
set -u -o pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
export TOP
export LC_ALL=C
WORK=$(mktemp -d /tmp/postq-run.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

. tests/lib/steps.sh

SAN="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1

build_ok=1
echo "# build (normal and ASan+UBSan)"
if ! make -s all unit >"$WORK/build.out" 2>&1 ||
   ! make -s BUILD=build-asan BINOUT=build-asan/bin OPT="$SAN" all unit >>"$WORK/build.out" 2>&1; then
	cat "$WORK/build.out"
	echo "not ok - build"
	failed=$((failed + 1))
	build_ok=0
fi

if [ $build_ok = 1 ]; then
	for t in build/tests/unit/test_*; do
		step "unit $(basename "$t")" "$t"
		step "unit $(basename "$t") (asan)" "build-asan/tests/unit/$(basename "$t")"
	done

	if command -v clang >/dev/null 2>&1 && make -s fuzz >"$WORK/fuzz.out" 2>&1; then
		for src in tests/fuzz/fuzz_*.c; do
			f=build-fuzz/$(basename "$src" .c)
			corpus=$WORK/corpus-$(basename "$f")
			mkdir -p "$corpus"
			[ -d "tests/fuzz/seeds/$(basename "$f")" ] && cp tests/fuzz/seeds/"$(basename "$f")"/* "$corpus"/ 2>/dev/null
			step "fuzz $(basename "$f")" fuzz_one "$f" "$corpus"
		done
	else
		cat "$WORK/fuzz.out" 2>/dev/null
		echo "not ok - fuzz targets build (clang with libFuzzer needed)"
		failed=$((failed + 1))
	fi

	export BIN=$TOP/bin ASAN_BIN=$TOP/build-asan/bin
	for t in tests/t_*.sh; do
		[ -e "$t" ] || continue
		step "$(basename "$t")" env TEST_TMP="$(mktemp -d "$WORK/t.XXXXXX")" bash "$t"
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
