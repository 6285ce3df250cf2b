#!/usr/bin/env bash
# Compares ws-bench binaries on one axis, alternating them, on a machine other jobs share.
#
# usage: bench/scripts/ab.sh OUT AXIS BIN... ; AXIS: push | upload | latency | idle
#
# Each binary runs twice, in the order given, then again (A B A B). Built with
# `cargo build --release -p ws-bench` and copied aside, one copy per build.
#
# Run as root to get the two cores whenever the bench wants them: this turns the
# kernel's autogroup off (with it, `nice` only orders processes of one session, so other
# sessions' builds keep half the CPU) and runs each bench at nice -20; autogroup is
# restored on exit. See docs/learnings.md § 26: compare builds only within one run of
# this script, never across runs an hour apart.
set -u
out=$1
axis=$2
shift 2
autogroup=/proc/sys/kernel/sched_autogroup_enabled
before=$(cat "$autogroup" 2>/dev/null || echo "")
restore() { [ -n "$before" ] && echo "$before" > "$autogroup" 2>/dev/null; }
trap restore EXIT
echo 0 > "$autogroup" 2>/dev/null || echo "autogroup unchanged (not root?): figures share the CPU" >> "$out"
case $axis in
  push) args="--rounds 5 --idle 0" ;;
  upload) args="--upload --rounds 5 --idle 0 --messages 20000" ;;
  latency) args="--latency" ;;
  idle) args="--clients 10 --messages 1000 --idle 10000" ;;
  *) echo "unknown axis $axis" >&2; exit 2 ;;
esac
for pass in 1 2; do
  for bin in "$@"; do
    echo "== $(basename "$bin") pass $pass $(uptime | sed 's/.*load/load/')" >> "$out"
    # shellcheck disable=SC2086
    timeout 900 nice -n -20 "$bin" $args 2>"$out.stderr" \
      | grep -E "throughput|rounds|latency|memory|idle|busy|^\| [0-9]" >> "$out"
    status=${PIPESTATUS[0]}
    [ "$status" -eq 0 ] || echo "exit $status: $(tail -n 3 "$out.stderr")" >> "$out"
  done
done
echo END >> "$out"
