# steps.sh - how tests/run.sh runs one step and counts it (sourced by
# run.sh, and by tests/t_selftest.sh to check these very rules).
#
#	step NAME CMD...
#		run CMD with its output in $WORK/step.out, echo that, and add
#		its "ok - " and "not ok - " lines to $passed and $failed. One
#		more failure when CMD exits non-zero, and when it exits 0
#		having printed no check at all ("ran nothing"), unless it
#		skipped with skip_all (a "# skip SCRIPT: REASON" line).
#	fuzz_one TARGET CORPUS
#		run a libFuzzer target on CORPUS for POSTQ_FUZZ_SECONDS
#		(default 20) and print "ok - fuzz TARGET" or, on a crash, a
#		leak, undefined behaviour or a timeout, "not ok - fuzz TARGET"
#		with the end of its report; the input that failed is kept in
#		$FUZZ_ARTIFACTS (default build-fuzz/artifacts/).
#
# Needs WORK (a scratch directory) and the counters passed and failed.

step() {
	local name=$1 rc out p f
	shift
	out=$WORK/step.out
	echo "# $name"
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok - ' "$out")
	f=$(grep -c '^not ok - ' "$out")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ]; then
		echo "not ok - $name (exit status $rc)"
		failed=$((failed + 1))
	elif [ $((p + f)) -eq 0 ] && ! grep -q '^# skip [^:]*: [^ ]' "$out"; then
		echo "not ok - $name (ran nothing: no check printed, no skip reason)"
		failed=$((failed + 1))
	fi
}

fuzz_one() {
	local target=$1 corpus=$2 rc art=${FUZZ_ARTIFACTS:-build-fuzz/artifacts/}
	mkdir -p "$art"
	"$target" -max_total_time="${POSTQ_FUZZ_SECONDS:-20}" -close_fd_mask=2 \
		-rss_limit_mb=1024 -artifact_prefix="$art" "$corpus" >"$WORK/fuzz.log" 2>&1
	rc=$?
	tail -3 "$WORK/fuzz.log"
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz $(basename "$target")"
	else
		echo "not ok - fuzz $(basename "$target") (exit status $rc)"
		grep -m3 'ERROR\|SUMMARY\|runtime error\|Test unit written' "$WORK/fuzz.log" | sed 's/^/#   /'
	fi
}
