#!/bin/bash
# sandbox-demo.sh - show what the test sandbox produces: start a sandboxed
# real Postfix (tests/lib/sandbox.sh), inject the varied mail set, print
# `postqueue -p` and `postqueue -j`, stop everything.
#
# Usage (as root): bash tests/lib/sandbox-demo.sh [long]
set -u
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$TOP/tests/lib/sandbox.sh"

why=$(sandbox_available) || skip_all "$why"
sandbox_trap
trap 'sandbox_stop_all; rm -rf "$TEST_TMP"' EXIT

name=demo
[ "${1:-}" = long ] && name=demolong
sandbox_start "$name" "${1:-}" || exit 1
echo "# $name: smtpd 127.0.0.1:$SB_PORT, sink 127.0.0.1:$SB_SINK_PORT, started in ${SB_START_SECONDS}s"
sandbox_inject_varied || exit 1
echo "# injected $SB_INJECTED messages in ${SB_INJECT_SECONDS}s; sink accepted $(wc -l <"$SB_SINK_LOG") deliveries"
echo "# postqueue -c \$SB_CONF -p"
TZ=UTC postqueue -c "$SB_CONF" -p
echo "# postqueue -c \$SB_CONF -j"
TZ=UTC postqueue -c "$SB_CONF" -j
sandbox_stop
