#!/usr/bin/env bash
# Stops what `make run` started: the services (through run.sh's honcho) and Kafka.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -f var/run.pid ]; then
  pid=$(cat var/run.pid)
  # honcho is run.sh's child: interrupting it lets run.sh's trap stop Kafka.
  pkill -INT -P "$pid" honcho 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  rm -f var/run.pid
fi
# Kafka only if `make run` started it (it may have found one running).
if [ -f var/run.kafka ]; then
  infra/kafka/stop.sh
  rm -f var/run.kafka
fi
