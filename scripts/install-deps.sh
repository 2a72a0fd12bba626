#!/bin/sh
# install-deps.sh - install the Debian packages postq needs, if missing.
#
#   sh scripts/install-deps.sh build   compiler and -dev libraries
#   sh scripts/install-deps.sh test    the above plus what tests need:
#                                      Postfix (the oracle), pflogsumm,
#                                      faketime, clang (libFuzzer), python3,
#                                      systemd (tests/t_follow.sh runs a
#                                      private systemd-journald of its own)
# Needs root when something is missing; does nothing when all is there.
set -e

mode=${1:-build}
build_pkgs="gcc make pkg-config libpcre2-dev libjson-c-dev zlib1g-dev liburing-dev libsystemd-dev"
test_pkgs="postfix pflogsumm faketime clang libclang-rt-14-dev python3 procps systemd"

pkgs=$build_pkgs
[ "$mode" = test ] && pkgs="$pkgs $test_pkgs"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
		|| missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix asks which configuration to write; we want none: tests run
# their own sandboxed instances and must not touch a system Postfix.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq </dev/null
apt-get install -y -qq --no-install-recommends $missing </dev/null >/dev/null
