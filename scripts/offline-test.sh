#!/usr/bin/env bash
# Offline, proven: the translation tests run again inside a network namespace whose only interface is loopback (the
# CLI's, with files, images and the local server; the window's; documents through the engine), and pass. Needs root
# for unshare -n; elsewhere it says that it did not run.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
	echo "offline: not run (needs root and unshare -n)"
	exit 0
fi
exec unshare -n bash -c '
	set -u
	ip link set lo up
	if timeout 3 bash -c "exec 3<>/dev/tcp/1.1.1.1/443" 2>/dev/null || getent hosts deb.debian.org >/dev/null; then
		echo "offline: the namespace reaches the network"; exit 1
	fi
	echo "offline: no network but loopback"
	cd "$1" &&
		GOPROXY=off GOFLAGS=-mod=readonly go test -count=1 ./app/document &&
		bash scripts/cli-test.sh && bash scripts/gui-test.sh
' offline "$root"
