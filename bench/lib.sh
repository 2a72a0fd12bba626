# lib.sh - shared by the bench scripts (sourced, not run).
#
#   bench_spool N        sets $spool: a spool of N real queue files (the
#                        messages of tests/fixtures/spool-short.tar.gz,
#                        cloned by bench/make-spool.py under fresh ids that
#                        match their inode numbers, with defer logs),
#                        built once under $W (default /tmp/postq-bench).
#   bench_conf DIR       writes DIR/main.cf for $spool (plus master.cf, so
#                        postqueue can start showq); extra main.cf lines
#                        come from stdin.
W=${BENCH_DIR:-/tmp/postq-bench}

bench_spool() {
	spool=$W/spool-short-$1
	mkdir -p "$W"
	[ -d "$spool" ] && return 0
	rm -rf "$W/template-short"
	mkdir -p "$W/template-short"
	tar --warning=no-timestamp -xzf tests/fixtures/spool-short.tar.gz -C "$W/template-short"
	echo "building $spool ($1 messages)..." >&2
	python3 bench/make-spool.py "$W/template-short" "$spool" "$1"
}

bench_conf() {
	mkdir -p "$1"
	{
		cat tests/fixtures/spool-short.main.cf
		echo "queue_directory = $spool"
		cat
	} >"$1/main.cf"
	cp /usr/share/postfix/master.cf.dist "$1/master.cf"
}
