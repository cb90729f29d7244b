# Shared by the end-to-end test scripts that drive a window (gui-test.sh, windows-test.sh): counting checks, and
# waiting for the window's state file ($state, written by GUGUGO_UI_STATE).
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# wait_state PATTERN [SECONDS]: waits up to SECONDS (default 10) for the state file to match.
wait_state() {
	for _ in $(seq $((${2:-10} * 10))); do
		grep -q "$1" "$state" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
