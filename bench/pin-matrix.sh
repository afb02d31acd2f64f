#!/usr/bin/env bash
# Round-trip medians (p50, ns) of the blocking-capable ping-pongs with the two processes pinned to two cores
# (ANCHOR_PIN=1: parent on CPU 0, child on CPU 1) and sharing one core (taskset -c 0 on both):
#   bash bench/pin-matrix.sh [clone]     (default: this repository; pass another clone to compare builds)
# Alternate two clones a few times to compare them: the host changes speed between runs.
set -euo pipefail
d="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
p50() { grep -v '^#' | awk '$3 == "rtt_p50" { printf "%s ", $4 }'; }
run() { ANCHOR_REPS="${ANCHOR_REPS:-5}" "$@" 2>/dev/null | p50; }
echo "$(basename "$d"): two cores: spsc $(ANCHOR_PIN=1 run bash "$d/bench/run.sh" W3 interprocess_spsc_queue)| mq $(ANCHOR_PIN=1 run bash "$d/bench/run.sh" W3 interprocess_message_queue)| w7 $(ANCHOR_PIN=1 run bash "$d/bench/run.sh" W7)|| one core: mq $(run taskset -c 0 bash "$d/bench/run.sh" W3 interprocess_message_queue)| w7 $(run taskset -c 0 bash "$d/bench/run.sh" W7)"
