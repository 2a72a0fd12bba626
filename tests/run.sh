#!/bin/bash
# run.sh - build the sanitizer variant and run every postq test.
#
# Runs, in order: the C unit tests (normal build and ASan+UBSan build),
# a bounded libFuzzer run per fuzz target, and every tests/t_*.sh script
# (differential tests against the real Postfix tools). Each check prints
# "ok - ..." or "not ok - ..."; a step that exits non-zero or crashes
# counts as one more failure. The last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
export TOP
export LC_ALL=C
WORK=$(mktemp -d /tmp/postq-run.XXXXXX)
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

# step NAME CMD...: run a step, echo its output, count its ok/not ok lines.
step() {
	local name=$1 rc out
	shift
	out=$WORK/step.out
	echo "# $name"
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	local p f
	p=$(grep -c '^ok - ' "$out")
	f=$(grep -c '^not ok - ' "$out")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ]; then
		echo "not ok - $name (exit status $rc)"
		failed=$((failed + 1))
	fi
}

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
		for f in build-fuzz/fuzz_*; do
			corpus=$WORK/corpus-$(basename "$f")
			mkdir -p "$corpus"
			[ -d "tests/fuzz/seeds/$(basename "$f")" ] && cp tests/fuzz/seeds/"$(basename "$f")"/* "$corpus"/ 2>/dev/null
			fuzz_one() {
				"$1" -max_total_time="${POSTQ_FUZZ_SECONDS:-30}" -close_fd_mask=2 \
					-rss_limit_mb=1024 "$2" >"$WORK/fuzz.log" 2>&1
				local rc=$?
				tail -3 "$WORK/fuzz.log"
				if [ $rc -eq 0 ]; then echo "ok - fuzz $(basename "$1")"
				else echo "not ok - fuzz $(basename "$1")"; fi
			}
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
