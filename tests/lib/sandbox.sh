# sandbox.sh - run a sandboxed REAL Postfix instance (Debian's
# /usr/sbin/postfix) for postq's differential tests.
#
# Source it after tests/lib/common.sh (TOP, TEST_TMP, ...). Everything lives
# under $TEST_TMP/NAME; ports are picked at run time and only 127.0.0.1 is
# used. Needs root, /usr/sbin/postfix and a C compiler.
#
#   sandbox_trap                  stop every instance and sink on EXIT
#   sandbox_build_tools           build smtp_sink/smtp_send (once)
#   sandbox_start NAME [long]     start an instance (+ its SMTP sink)
#   sandbox_use NAME              make NAME the current instance again
#   sandbox_inject_varied         inject the standard varied mail set
#   sandbox_send ARGS...          one smtp_send into the current instance
#   sandbox_wait_quiet [SECS]     wait until incoming/active/maildrop are empty
#   sandbox_copy_spool DEST       cp -a the queue directories to DEST
#   sandbox_offline_conf CONFDIR SPOOLDIR [long]
#                                 config dir for running postqueue/postsuper
#                                 on a copied spool without starting Postfix
#   sandbox_stop [NAME]           stop the instance and its sink
#   sandbox_stop_all              stop everything this shell started
#
# After sandbox_start / sandbox_use these describe the current instance:
#   SB_NAME SB_DIR SB_CONF SB_SPOOL SB_PORT SB_SINK_PORT SB_LOG SB_SINK_LOG
#   SB_LONG (yes|no)
# and SB_TOOLS is the directory with smtp_sink and smtp_send. For reports:
# SB_START_SECONDS (last sandbox_start), SB_INJECTED (messages injected by
# the last sandbox_inject_varied), SB_INJECT_SECONDS (its duration).
# shellcheck disable=SC2034 # SB_* results are used by the sourcing script
#
# Optional settings (set before calling):
#   SB_TOOLS        where to build the tools (default $TEST_TMP/tools)
#   SB_SYSLOG_NAME  syslog_name of new instances (default postfix-NAME)
#   SB_SINK_DELAY   seconds the sink delays "slowdefer" replies (default 0)
#   SB_KEEP=1       sandbox_stop_all keeps $TEST_TMP/NAME (default: removed)
#   SB_INJECT_ADMIN=0  sandbox_inject_varied skips its postsuper actions

SB_QUEUE_DIRS="incoming active deferred hold maildrop corrupt defer bounce trace flush saved"
SB_POSTFIX=${SB_POSTFIX:-/usr/sbin/postfix}
SB_POSTCONF=${SB_POSTCONF:-/usr/sbin/postconf}
SB_POSTQUEUE=${SB_POSTQUEUE:-/usr/sbin/postqueue}
SB_POSTSUPER=${SB_POSTSUPER:-/usr/sbin/postsuper}
SB_MASTER_DIST=${SB_MASTER_DIST:-/usr/share/postfix/master.cf.dist}
SB_TOOLS=${SB_TOOLS:-$TEST_TMP/tools}
# Names of started instances are listed in $TEST_TMP/.sandbox-started, so
# that sandbox_stop_all also finds instances started in a subshell.

sb_err() { printf 'sandbox: %s\n' "$*" >&2; }

# sandbox_available: 0 if a sandbox can run here (root, postfix, cc).
sandbox_available() {
	[ "$(id -u)" = 0 ] || { echo "not root"; return 1; }
	[ -x "$SB_POSTFIX" ] || { echo "no $SB_POSTFIX"; return 1; }
	[ -r "$SB_MASTER_DIST" ] || { echo "no $SB_MASTER_DIST"; return 1; }
	id postfix >/dev/null 2>&1 || { echo "no user postfix"; return 1; }
	command -v cc >/dev/null 2>&1 || { echo "no cc"; return 1; }
	return 0
}

sandbox_build_tools() {
	local t src
	mkdir -p "$SB_TOOLS" || return 1
	for t in smtp_sink smtp_send; do
		src=$TOP/tests/tools/$t.c
		[ -r "$src" ] || { sb_err "no $src (is TOP set?)"; return 1; }
		if [ ! -x "$SB_TOOLS/$t" ] || [ "$src" -nt "$SB_TOOLS/$t" ]; then
			cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 \
				-o "$SB_TOOLS/$t.tmp.$$" "$src" || { sb_err "cannot build $t"; return 1; }
			mv -f "$SB_TOOLS/$t.tmp.$$" "$SB_TOOLS/$t"
		fi
	done
}

# sb_port_free PORT: nothing listens on PORT (any address).
sb_port_free() {
	local fd
	if command -v ss >/dev/null 2>&1; then
		[ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
		return
	fi
	if { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
		exec {fd}>&-
		return 1
	fi
	return 0
}

# sb_pick_port: print a port in 20000-32767 (below the usual ephemeral
# range) that nothing listens on right now.
sb_pick_port() {
	local i p
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM % 12768)))
		if sb_port_free "$p"; then
			echo "$p"
			return 0
		fi
	done
	sb_err "no free port found"
	return 1
}

# sb_banner PORT: print the first line the server on 127.0.0.1:PORT says.
sb_banner() {
	local fd line
	{ exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	if IFS= read -r -t 5 line <&"$fd"; then
		{ printf 'QUIT\r\n' >&"$fd"; } 2>/dev/null
		exec {fd}>&-
		printf '%s\n' "${line%$'\r'}"
		return 0
	fi
	exec {fd}>&-
	return 1
}

# sb_prepare_log DIR: DIR/maillog, owned by postfix.
sb_prepare_log() {
	: >>"$1/maillog" && chown postfix: "$1/maillog" && chmod 644 "$1/maillog"
}

# sb_write_env: remember the current instance's variables.
sb_write_env() {
	{
		printf 'SB_NAME=%q\nSB_DIR=%q\nSB_CONF=%q\nSB_SPOOL=%q\n' \
			"$SB_NAME" "$SB_DIR" "$SB_CONF" "$SB_SPOOL"
		printf 'SB_PORT=%q\nSB_SINK_PORT=%q\nSB_LOG=%q\nSB_SINK_LOG=%q\nSB_LONG=%q\n' \
			"$SB_PORT" "$SB_SINK_PORT" "$SB_LOG" "$SB_SINK_LOG" "$SB_LONG"
	} >"$SB_DIR/sandbox.env"
}

# sandbox_use NAME: make a started instance the current one again.
sandbox_use() {
	local env=$TEST_TMP/$1/sandbox.env
	[ -r "$env" ] || { sb_err "no sandbox named $1"; return 1; }
	# shellcheck disable=SC1090
	. "$env"
	export SB_NAME SB_DIR SB_CONF SB_SPOOL SB_PORT SB_SINK_PORT SB_LOG SB_SINK_LOG SB_LONG SB_TOOLS
}

# sb_write_config DIR NAME LONG SINKPORT SMTPDPORT
sb_write_config() {
	local dir=$1 name=$2 long=$3 sinkport=$4 port=$5
	cat >"$dir/etc/main.cf" <<EOF
# main.cf of the postq test sandbox "$name" (written by tests/lib/sandbox.sh)
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
multi_instance_name = postq-$name
syslog_name = ${SB_SYSLOG_NAME:-postfix-$name}
maillog_file = $dir/log/maillog
maillog_file_prefixes = $dir/log
myhostname = $name.postq.test
mydomain = postq.test
myorigin = \$myhostname
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP Postfix (postq sandbox $name)
transport_maps = regexp:$dir/etc/transport_re
header_checks = regexp:$dir/etc/header_re
smtputf8_enable = yes
enable_long_queue_ids = $long
queue_run_delay = 1h
minimal_backoff_time = 1h
maximal_backoff_time = 1h
delay_warning_time = 0h
smtp_host_lookup = native
biff = no
EOF
	printf '/.*/ smtp:[127.0.0.1]:%s\n' "$sinkport" >"$dir/etc/transport_re"
	printf '/^Subject: .*HOLDME/ HOLD held by test\n' >"$dir/etc/header_re"
	# master.cf: no chroot (a chroot would need copies of /etc files),
	# smtpd on 127.0.0.1:PORT, and no pipe(8) services.
	awk -v port="$port" '
		/^[ \t]/ { if (!skip) print; next }
		/^#/ || NF < 8 { skip = 0; print; next }
		{
			skip = 0
			if ($8 == "pipe") { skip = 1; next }
			if ($1 == "smtp" && $2 == "inet") $1 = "127.0.0.1:" port
			if ($5 == "y") $5 = "n"
			print
		}' "$SB_MASTER_DIST" >"$dir/etc/master.cf"
}

# sandbox_start NAME [long]: start a sandboxed Postfix named NAME with its
# own SMTP sink; makes it the current instance.
sandbox_start() {
	local name=$1 long=no try port banner= i t0=$SECONDS
	[ "${2:-}" = long ] && long=yes
	sandbox_build_tools || return 1

	local dir=$TEST_TMP/$name
	if [ -e "$dir" ]; then
		sb_err "$dir already exists"
		return 1
	fi
	# user postfix must reach the queue, data and log directories
	chmod 755 "$TEST_TMP" || return 1
	mkdir -p "$dir/etc" "$dir/spool" "$dir/data" "$dir/log" || return 1
	chmod 755 "$dir" "$dir/etc" "$dir/spool" "$dir/log"
	chown postfix: "$dir/data"
	chmod 700 "$dir/data"

	SB_NAME=$name SB_DIR=$dir SB_CONF=$dir/etc SB_SPOOL=$dir/spool SB_LONG=$long
	SB_LOG=$dir/log/maillog SB_SINK_LOG=$dir/log/sink.log
	: >"$SB_SINK_LOG"
	# Commands (postsuper...) log through postlogd while the instance
	# runs, but write the file themselves, as user postfix, when it is
	# stopped: so the log must be writable by postfix.
	sb_prepare_log "$dir/log"

	# the sink: port 0 = a free port, printed on stdout
	"$SB_TOOLS/smtp_sink" -p 0 -l "$SB_SINK_LOG" -w "$dir/log/sink.pid" \
		-D "${SB_SINK_DELAY:-0}" >"$dir/log/sink.port" 2>"$dir/log/sink.err" </dev/null &
	for i in $(seq 1 100); do
		[ -s "$dir/log/sink.port" ] && [ -s "$dir/log/sink.pid" ] && break
		sleep 0.05
	done
	SB_SINK_PORT=$(head -1 "$dir/log/sink.port")
	if [ -z "$SB_SINK_PORT" ]; then
		sb_err "smtp_sink did not start: $(cat "$dir/log/sink.err")"
		return 1
	fi
	echo "$name" >>"$TEST_TMP/.sandbox-started"
	SB_PORT=
	sb_write_env

	# Postfix; the smtpd port may be taken between picking and binding:
	# then master dies, and we try another port.
	for try in 1 2 3 4 5; do
		port=$(sb_pick_port) || return 1
		SB_PORT=$port
		sb_write_config "$dir" "$name" "$long" "$SB_SINK_PORT" "$port"
		sb_write_env
		if ! "$SB_POSTFIX" -c "$SB_CONF" start >"$dir/log/start.out" 2>&1; then
			sb_err "postfix start failed (try $try):"
			sed 's/^/sandbox:   /' "$dir/log/start.out" >&2
			[ -f "$SB_LOG" ] && tail -5 "$SB_LOG" | sed 's/^/sandbox:   /' >&2
			"$SB_POSTFIX" -c "$SB_CONF" stop >/dev/null 2>&1
			sb_wait_master_gone
			continue
		fi
		for i in $(seq 1 100); do
			banner=$(sb_banner "$port") && break
			"$SB_POSTFIX" -c "$SB_CONF" status >/dev/null 2>&1 || break
			sleep 0.1
		done
		case $banner in
		"220 $name.postq.test "*)
			export SB_NAME SB_DIR SB_CONF SB_SPOOL SB_PORT SB_SINK_PORT SB_LOG SB_SINK_LOG SB_LONG SB_TOOLS
			SB_START_SECONDS=$((SECONDS - t0))
			return 0 ;;
		esac
		sb_err "smtpd on 127.0.0.1:$port does not answer as $name (got '$banner'), retrying"
		[ -f "$SB_LOG" ] && tail -5 "$SB_LOG" | sed 's/^/sandbox:   /' >&2
		"$SB_POSTFIX" -c "$SB_CONF" stop >/dev/null 2>&1
		sb_wait_master_gone
	done
	sb_err "could not start Postfix instance $name"
	sandbox_stop "$name"
	return 1
}

# sb_master_pid: pid of the current instance's master, if it runs.
sb_master_pid() {
	local pid
	pid=$(tr -d ' \n' 2>/dev/null <"$SB_SPOOL/pid/master.pid") || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

sb_wait_master_gone() {
	local i
	for i in $(seq 1 100); do
		sb_master_pid >/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# sandbox_send ARGS...: smtp_send into the current instance.
sandbox_send() {
	"$SB_TOOLS/smtp_send" -s "127.0.0.1:$SB_PORT" "$@"
}

# sb_count_files DIR...: number of regular files below the queue dirs.
sb_count_files() {
	local d n=0 c
	for d in "$@"; do
		[ -d "$SB_SPOOL/$d" ] || continue
		c=$(find "$SB_SPOOL/$d" -type f | wc -l)
		n=$((n + c))
	done
	echo "$n"
}

# sandbox_wait_quiet [TIMEOUT]: wait (default 60 s) until maildrop,
# incoming and active are empty on three checks in a row (0.3 s apart).
sandbox_wait_quiet() {
	local timeout=${1:-60} end=$((SECONDS + ${1:-60})) calm=0
	while [ "$SECONDS" -le "$end" ]; do
		if [ "$(sb_count_files maildrop incoming active)" = 0 ]; then
			calm=$((calm + 1))
			[ "$calm" -ge 3 ] && return 0
		else
			calm=0
		fi
		sleep 0.3
	done
	sb_err "queue of $SB_NAME not quiet after ${timeout}s:"
	(cd "$SB_SPOOL" && find maildrop incoming active -type f) | sed 's/^/sandbox:   /' >&2
	return 1
}

# sandbox_copy_spool DEST: copy the queue directories (not the sockets in
# public/ and private/) of the current instance to DEST.
sandbox_copy_spool() {
	local dest=$1 d
	mkdir -p "$dest" || return 1
	for d in $SB_QUEUE_DIRS; do
		[ -d "$SB_SPOOL/$d" ] && { cp -a "$SB_SPOOL/$d" "$dest/" || return 1; }
	done
	return 0
}

# sandbox_offline_conf CONFDIR SPOOLDIR [long]: write CONFDIR/main.cf (and
# master.cf) so that `postqueue -c CONFDIR -p` (which then falls back to
# running showq directly, with a warning on stderr) and `postsuper -c
# CONFDIR` work on a copied spool with no Postfix running. Root only.
sandbox_offline_conf() {
	local conf=$1 spool=$2 long=no
	[ "${3:-}" = long ] && long=yes
	mkdir -p "$conf" "$conf/log" || return 1
	chmod 755 "$conf" "$conf/log"
	sb_prepare_log "$conf/log"
	# every directory above the log must be reachable by user postfix
	local d=$conf
	while [ "$d" != / ] && [ -n "$d" ]; do
		[ "$(stat -c %u "$d")" = 0 ] && chmod o+x "$d"
		d=$(dirname "$d")
	done
	cat >"$conf/main.cf" <<EOF
# offline main.cf for a copied spool (written by tests/lib/sandbox.sh)
compatibility_level = 3.6
queue_directory = $spool
data_directory = $conf/data
mail_owner = postfix
setgid_group = postdrop
multi_instance_name = postq-offline
syslog_name = postfix-offline
maillog_file = $conf/log/maillog
maillog_file_prefixes = $conf/log
myhostname = offline.postq.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
smtputf8_enable = yes
enable_long_queue_ids = $long
EOF
	sed -e '/^smtp[ \t]*inet/s/^/#/' "$SB_MASTER_DIST" >"$conf/master.cf"
}

# sandbox_stop [NAME]: stop an instance and its sink (files are kept).
sandbox_stop() {
	local name=${1:-${SB_NAME:-}} pid mpid i
	[ -n "$name" ] || return 0
	[ -r "$TEST_TMP/$name/sandbox.env" ] || return 0
	sandbox_use "$name" || return 1
	if [ -f "$SB_CONF/main.cf" ] && mpid=$(sb_master_pid); then
		"$SB_POSTFIX" -c "$SB_CONF" stop >/dev/null 2>&1
		if ! sb_wait_master_gone; then
			"$SB_POSTFIX" -c "$SB_CONF" abort >/dev/null 2>&1
			sb_wait_master_gone
		fi
		# master leads a process group holding all its daemons
		sb_wait_pgrp_gone "$mpid"
	fi
	if [ -s "$SB_DIR/log/sink.pid" ]; then
		pid=$(cat "$SB_DIR/log/sink.pid")
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null
			for i in $(seq 1 50); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null	# reap it if it is our child
		fi
		rm -f "$SB_DIR/log/sink.pid"
	fi
	return 0
}

# sb_pgrp_pids PGID: the pids in process group PGID, on one line.
sb_pgrp_pids() {
	ps -eo pid=,pgid= | awk -v g="$1" '$2 == g { printf "%s ", $1 }'
}

# sb_wait_pgrp_gone PGID: wait until no process is left in the process
# group of a stopped master; SIGKILL the group after 5 s.
sb_wait_pgrp_gone() {
	local i
	for i in $(seq 1 70); do
		[ -z "$(sb_pgrp_pids "$1")" ] && return 0
		[ "$i" = 50 ] && kill -KILL -- "-$1" 2>/dev/null
		sleep 0.1
	done
	sb_err "processes of $SB_NAME still running: $(sb_pgrp_pids "$1")"
	return 1
}

# sandbox_stop_all: stop every instance started with this TEST_TMP; unless
# SB_KEEP=1 also remove their directories.
sandbox_stop_all() {
	local n list=$TEST_TMP/.sandbox-started
	[ -f "$list" ] || return 0
	for n in $(sort -u "$list"); do
		sandbox_stop "$n"
		[ "${SB_KEEP:-0}" = 1 ] || rm -rf "${TEST_TMP:?}/$n"
	done
	rm -f "$list"
}

# sandbox_trap: stop everything when the script exits (also on INT/TERM).
sandbox_trap() {
	trap 'sandbox_stop_all' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# sandbox_inject_varied: inject the standard varied mail set into the
# current instance (50 messages) and wait until the queue is quiet; then,
# unless SB_INJECT_ADMIN=0, apply postsuper -h/-e/-f to four of them.
# Afterwards (with the sink's replies) the deferred queue holds messages
# with defer reasons, partial deliveries, shared reasons, null-sender
# bounces, SMTPUTF8 and quoted / very long addresses, and the hold queue
# held mail. Message-IDs are <NAME-NN@inject.postq.test>.
sandbox_inject_varied() {
	local t0=$SECONDS n=0 bad=0
	local long200 longok
	long200=defer-$(printf 'l%.0s' $(seq 1 210))
	longok=ok-$(printf 'k%.0s' $(seq 1 220))
	local longsender
	longsender=sender-$(printf 's%.0s' $(seq 1 120))

	local qid=''	# queue ID of the last injected message
	_sb_inj() {
		n=$((n + 1))
		qid=$(sandbox_send -m "<$SB_NAME-$(printf %02d $n)@inject.postq.test>" "$@" 2>"$SB_DIR/log/inject.err") || {
			bad=$((bad + 1))
			sb_err "injection $n failed: $(tail -1 "$SB_DIR/log/inject.err")"
		}
	}
	local s=sender@example.com

	# delivered at once (gone from the queue; counted in the sink log)
	_sb_inj -f "$s" -t ok-single@example.com
	_sb_inj -f "$s" -t ok-1@example.net -t ok-2@example.org -t ok-3@sub.example.com
	# deferred, one recipient, different domains
	_sb_inj -f "$s" -t defer-single@example.com
	_sb_inj -f "$s" -t defer-2@example.net
	_sb_inj -f other@example.org -t defer.dotted.name@sub.example.org
	_sb_inj -f "$s" -t DEFER-Upper@Example.COM
	_sb_inj -f "$s" -t defer-big@example.com -b 40000
	# rejected: bounce to a sender that accepts (gone) and to one that
	# defers (a null-sender bounce left in the deferred queue)
	_sb_inj -f "$s" -t reject-single@example.com
	_sb_inj -f defer-bounceme@example.org -t reject-2@example.net
	# partial delivery: 250, 450 and 550 in one message
	_sb_inj -f "$s" -t ok-p1@example.com -t defer-p1@example.com -t reject-p1@example.com
	_sb_inj -f "$s" -t defer-p2a@example.net -t ok-p2@example.net -t defer-p2b@example.org -t reject-p2@example.org
	_sb_inj -f "$s" -t ok-p3a@example.com -t ok-p3b@example.com -t defer-p3@example.com
	_sb_inj -f defer-partial-sender@example.net -t ok-p4@example.com -t reject-p4@example.com -t defer-p4@example.com
	# several recipients sharing one reason, and a reason change in between
	_sb_inj -f "$s" -t defersame-1@example.com -t defersame-2@example.com -t defersame-3@example.net
	_sb_inj -f "$s" -t defersame-a@example.com -t defer-x@example.com -t defersame-b@example.com -t defersame-c@example.org
	# the sink defers MAIL FROM: every recipient gets the same reason
	_sb_inj -f defermail@example.com -t ok-m1@example.com -t ok-m2@example.net -t reject-m3@example.org
	# multi-line and long replies
	_sb_inj -f "$s" -t defermulti-1@example.com
	_sb_inj -f "$s" -t deferlong-1@example.com -t defer-after-long@example.com
	_sb_inj -f "$s" -t slowdefer-1@example.net
	# held mail
	_sb_inj -f "$s" -t ok-held@example.com -H 'Subject: please HOLDME now'
	_sb_inj -f "$s" -t ok-held-1@example.com -t defer-held-2@example.net -t "$longok@example.org" -H 'Subject: HOLDME with three'
	_sb_inj -f '' -t ok-held-null@example.com -H 'Subject: null sender HOLDME'
	# null sender
	_sb_inj -f '' -t defer-null@example.com
	_sb_inj -f '' -t ok-null@example.com
	_sb_inj -f '' -t defer-null-a@example.com -t ok-null-b@example.net -t reject-null-c@example.org
	# SMTPUTF8
	_sb_inj -u -f sénder@exämple.org -t defer-ü@exämple.org
	_sb_inj -u -f sénder@exämple.org -t ok-ü@exämple.org -t defer-ñandú@exämple.org -t defer-用户@例子.测试
	_sb_inj -u -f defer-ß@exämple.org -t reject-ø@exämple.org
	_sb_inj -u -f "$s" -t ünïcödé@exämple.org -H 'Subject: HOLDME unicode'
	_sb_inj -u -f '' -t defer-日本@example.jp
	# very long local parts (and so long reasons)
	_sb_inj -f "$s" -t "$long200@example.com"
	_sb_inj -f "$longsender@example.com" -t "$long200@example.net" -t defer-short@example.net -t "$longok@example.net"
	# quoted local parts
	_sb_inj -f "$s" -t '"defer me"@example.com'
	_sb_inj -f "$s" -t '"defer..two dots"@example.net' -t '"defer\"quote"@example.org' -t '"defer@at"@example.com'
	_sb_inj -f '"sender with space"@example.com' -t '"defer (paren)"@example.com' -t '"ok me"@example.com'
	_sb_inj -f "$s" -t '".defer-leading-dot"@example.com' -H 'Subject: quoted HOLDME'
	# many recipients
	local many=() i
	for i in $(seq -w 1 12); do many+=(-t "defer-m$i@d$((10#$i % 4)).example.com"); done
	_sb_inj -f "$s" "${many[@]}" -t ok-many@example.com -t reject-many@example.com
	many=()
	for i in $(seq -w 1 15); do many+=(-t "defersame-n$i@example.org"); done
	_sb_inj -f "$s" "${many[@]}"
	many=()
	for i in $(seq -w 1 11); do many+=(-t "ok-h$i@example.net"); done
	_sb_inj -f "$s" "${many[@]}" -H 'Subject: eleven HOLDME'
	# more plain deferred mail, different senders and sizes
	for i in 1 2 3 4 5 6; do
		_sb_inj -f "user$i@example.com" -t "defer-plain$i@example.net" -b $((i * 700))
	done
	_sb_inj -f "$s" -t defer-final@example.com -t defer-final@example.com
	# for the admin actions below
	local id_hold id_expire id_expire_held id_force
	_sb_inj -f "$s" -t defer-then-held@example.com -t defersame-then-held@example.com
	id_hold=$qid
	_sb_inj -f "$s" -t defer-expired@example.com
	id_expire=$qid
	_sb_inj -f "$s" -t ok-held-expired@example.com -H 'Subject: HOLDME then expire'
	id_expire_held=$qid
	_sb_inj -f "$s" -t ok-held-forced@example.com -H 'Subject: HOLDME then force'
	id_force=$qid

	unset -f _sb_inj
	SB_INJECTED=$n
	if [ "$bad" -gt 0 ]; then
		sb_err "$bad of $n injections failed"
		return 1
	fi
	sandbox_wait_quiet 60 || return 1

	# What an administrator does (postsuper sends no triggers, so
	# nothing moves afterwards): a deferred message put on hold keeps its
	# defer reasons ("!" plus reasons); "-e" marks a message for forced
	# expiry ("#"), in deferred and in hold ("!#"); "-f" releases a held
	# message into deferred with the mark ("#", no reasons).
	if [ "${SB_INJECT_ADMIN:-1}" = 1 ]; then
		"$SB_POSTSUPER" -c "$SB_CONF" -h "$id_hold" 2>>"$SB_DIR/log/inject.err" &&
		"$SB_POSTSUPER" -c "$SB_CONF" -e "$id_expire" 2>>"$SB_DIR/log/inject.err" &&
		"$SB_POSTSUPER" -c "$SB_CONF" -e "$id_expire_held" 2>>"$SB_DIR/log/inject.err" &&
		"$SB_POSTSUPER" -c "$SB_CONF" -f "$id_force" 2>>"$SB_DIR/log/inject.err" || {
			sb_err "postsuper failed: $(tail -2 "$SB_DIR/log/inject.err")"
			return 1
		}
		sandbox_wait_quiet 60 || return 1
	fi
	SB_INJECT_SECONDS=$((SECONDS - t0))
	return 0
}
