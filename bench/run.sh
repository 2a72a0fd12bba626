#!/bin/sh
# run.sh - every benchmark, one after the other ("make bench").
# Each script builds its own input once (under /tmp) and prints a
# Markdown table of postq against the real tool, side by side.
set -e
cd "$(dirname "$0")/.."
for b in mailq qshape pflogsumm postsuper; do
	[ -f "bench/$b.sh" ] || continue
	echo "== bench/$b.sh"
	bash "bench/$b.sh"
done
