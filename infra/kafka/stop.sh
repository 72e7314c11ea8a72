#!/usr/bin/env bash
# Stops the Kafka node that start.sh started, by its process id, and waits for it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pidfile="${KAFKA_DATA_DIR:-$here/data}/kafka.pid"
[ -f "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
if kill "$pid" 2>/dev/null; then
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
fi
rm -f "$pidfile"
