#!/usr/bin/env bash
# Starts the whole suite on this machine: Kafka, the topics, then every service's API
# and worker under honcho (Procfile). Ctrl-C, or `make stop` from another shell, stops
# everything this script started, Kafka included.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
py=.venv/bin/python

kafka_pidfile="${KAFKA_DATA_DIR:-infra/kafka/data}/kafka.pid"
if [ -f "$kafka_pidfile" ] && kill -0 "$(cat "$kafka_pidfile")" 2>/dev/null; then
  echo "using the Kafka already running (pid $(cat "$kafka_pidfile")); it is left running"
else
  infra/kafka/start.sh
  touch var/run.kafka
  trap 'infra/kafka/stop.sh; rm -f var/run.kafka' EXIT
fi

# The gateway's signing secret for local runs only; production sets its own.
export PAYMENT_GATEWAY_SECRET="${PAYMENT_GATEWAY_SECRET:-$($py -c 'import secrets; print(secrets.token_hex(32))')}"
export PYTHONUNBUFFERED=1
$py -m shared.devissuer keys >/dev/null
$py -m shared.messaging.admin

cat <<URLS
Portal suite starting (logs below; Ctrl-C or 'make stop' ends it):
  catalog       http://127.0.0.1:${CATALOG_PORT:-8001}/docs
  dossier       http://127.0.0.1:${DOSSIER_PORT:-8002}/docs
  payment       http://127.0.0.1:${PAYMENT_PORT:-8003}/docs
  feedback      http://127.0.0.1:${FEEDBACK_PORT:-8004}/docs
  notification  http://127.0.0.1:${NOTIFICATION_PORT:-8005}/docs
  kafka         127.0.0.1:${KAFKA_PORT:-9092}
  a token:      make token   (then: Authorization: Bearer <token>)
URLS

echo $$ > var/run.pid
status=0
.venv/bin/honcho start -f Procfile || status=$?
# Stopped by Ctrl-C or `make stop` (SIGINT): that is how the suite ends, not a failure.
[ "$status" -eq 130 ] && status=0
exit "$status"
