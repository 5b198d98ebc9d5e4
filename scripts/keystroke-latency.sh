#!/usr/bin/env bash
# Keystroke to redrawn list in the real window: builds bin/fieldprint, makes
# (once) a demo office of N requests, and runs "fieldprint self-test
# --keystrokes" under Xvfb. It signs in as the demo clerk, types a few
# searches into the queue's search box one key at a time and, for each key,
# times from the key sent to the window's thread to the end of the first
# frame drawn after the queue's rows hold that key's answer; then the same
# words at a barcode scanner's pace (a key every 12 ms), timed from the last
# key. Prints every key, then n, p50, p95 and max, and the window's memory.
#
#   scripts/keystroke-latency.sh [REQUESTS] [ROUNDS]     (default 100000 3)
#
# The office is kept in $FIELDPRINT_LATENCY_DIR (default /tmp/fieldprint-latency)
# as office-REQUESTS.db for the next run (100,000 requests: 2 to 3 minutes to
# make). GALLIUM_DRIVER picks Mesa's renderer: default llvmpipe, which draws
# a frame in tens of milliseconds here; softpipe takes 0.3 to several
# seconds a frame, which is then all one measures.
# FIELDPRINT_CPUPROFILE=FILE writes the window's CPU profile,
# FIELDPRINT_MEMPROFILE=FILE its heap profile at the end. Needs: make
# selftest-deps.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
rounds=${2:-3}
dir=${FIELDPRINT_LATENCY_DIR:-/tmp/fieldprint-latency}
mkdir -p "$dir"
go build -tags migrated_fynedo -o bin/fieldprint ./cmd/fieldprint
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u '+%F %H:%M UTC')"
echo "load before: $(uptime)"
GALLIUM_DRIVER=${GALLIUM_DRIVER:-llvmpipe} xvfb-run -a -s "-screen 0 1366x768x24" \
	./bin/fieldprint self-test --keystrokes "$n" --rounds "$rounds" --db "$dir/office-$n.db" --timeout 30m
echo "load after: $(uptime)"
