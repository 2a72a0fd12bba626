# all_queues.sh - a sandboxed Postfix whose every queue holds mail and
# stays that way, for tests that compare whole-queue views (showq, the
# snapshot) with the real tools. Source after tests/lib/sandbox.sh.
#
#   sandbox_fill_all_queues   in the current instance (after
#                             sandbox_inject_varied): stop qmgr and pickup
#                             (master.cf entries commented out, postfix
#                             reload), so nothing moves any more; then
#                             three messages by SMTP stay in incoming, two
#                             by sendmail in maildrop, two deferred ones
#                             are moved to active, and three files (one
#                             empty) are put in corrupt. master still runs
#                             showq for each connection.
# Afterwards SB_CORRUPT_FILES and SB_CORRUPT_BYTES say what corrupt holds.

sandbox_fill_all_queues() {
	local i f n
	"$SB_POSTCONF" -c "$SB_CONF" -M# qmgr/unix pickup/unix >/dev/null 2>&1 || return 1
	"$SB_POSTFIX" -c "$SB_CONF" reload >/dev/null 2>&1 || return 1
	for i in $(seq 1 50); do
		[ -z "$(ps -eo pgid=,args= | awk -v g="$(sb_master_pid)" \
			'$1 == g && ($2 == "qmgr" || $2 == "pickup")')" ] && break
		sleep 0.1
	done
	for i in 1 2 3; do
		sandbox_send -f "in$i@example.com" -t "defer-in$i@example.com" \
			-t "ok-in$i@Example.NET" >/dev/null 2>>"$SB_DIR/log/inject.err" || return 1
	done
	printf 'Subject: to maildrop\n\nbody\n' |
		sendmail -C "$SB_CONF" -f md1@example.org defer-md1@example.org || return 1
	printf 'Subject: null sender to maildrop\n\nbody\n' |
		sendmail -C "$SB_CONF" -f '' ok-md2@example.com defer-md3@example.net || return 1
	n=0
	for f in $(find "$SB_SPOOL/deferred" -type f | sort | head -2); do
		mv "$f" "$SB_SPOOL/active/" && n=$((n + 1))
	done
	[ "$n" = 2 ] || return 1
	mkdir -p "$SB_SPOOL/corrupt"
	head -c 1234 /dev/urandom >"$SB_SPOOL/corrupt/A1B2C3D4E5"
	head -c 77 /dev/urandom >"$SB_SPOOL/corrupt/B1C2D3E4F5"
	: >"$SB_SPOOL/corrupt/C1D2E3F4A5"
	chown postfix: "$SB_SPOOL"/corrupt/*
	chmod 600 "$SB_SPOOL"/corrupt/*
	SB_CORRUPT_FILES=$(find "$SB_SPOOL/corrupt" -type f | wc -l)
	SB_CORRUPT_BYTES=$(find "$SB_SPOOL/corrupt" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
	# wait until the SMTP messages are complete in incoming
	for i in $(seq 1 50); do
		[ "$(find "$SB_SPOOL/incoming" -type f -perm -700 | wc -l)" -ge 3 ] && return 0
		sleep 0.1
	done
	sb_err "incoming did not fill"
	return 1
}
