#!/usr/bin/env bash
# Starts one Kafka node in KRaft mode (broker and controller in one process) on
# 127.0.0.1, formatting its storage on first use, and waits until it answers.
#
#   KAFKA_PORT             client port                  (default 9092)
#   KAFKA_CONTROLLER_PORT  controller port              (default KAFKA_PORT + 1)
#   KAFKA_DATA_DIR         data, logs and the pid file  (default infra/kafka/data)
#   KAFKA_HEAP             JVM heap                     (default 512m)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-$((port + 1))}"
data="${KAFKA_DATA_DIR:-$here/data}"
heap="${KAFKA_HEAP:-512m}"
pidfile="$data/kafka.pid"

"$here/fetch.sh"
mkdir -p "$data/log" "$data/logs"

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "kafka already running (pid $(cat "$pidfile")) on 127.0.0.1:$port" >&2
  exit 0
fi

cat > "$data/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/log
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=-1
PROPS

classpath="$here/lib/*"
java_opts=(-Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$here/config/log4j2.properties"
  -Dkafka.logs.dir="$data/logs")

if [ ! -f "$data/log/meta.properties" ]; then
  # A static quorum (controller.quorum.voters) is formatted without --standalone.
  java "${java_opts[@]}" -cp "$classpath" kafka.tools.StorageTool format \
    -t "$(java -cp "$classpath" kafka.tools.StorageTool random-uuid)" \
    -c "$data/server.properties" >"$data/logs/format.log"
fi

# The log survives restarts: readiness is a start line beyond those already there.
starts_before=$(grep -c "Kafka Server started" "$data/logs/server.log" 2>/dev/null || true)
nohup java "${java_opts[@]}" -cp "$classpath" kafka.Kafka "$data/server.properties" \
  >"$data/logs/stdout.log" 2>&1 &
echo $! >"$pidfile"

for _ in $(seq 1 120); do
  if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "kafka exited during start-up; see $data/logs/" >&2
    tail -20 "$data/logs/stdout.log" >&2
    exit 1
  fi
  starts=$(grep -c "Kafka Server started" "$data/logs/server.log" 2>/dev/null || true)
  if [ "${starts:-0}" -gt "${starts_before:-0}" ]; then
    echo "kafka ready on 127.0.0.1:$port (pid $(cat "$pidfile"))" >&2
    exit 0
  fi
  sleep 0.5
done
echo "kafka did not become ready in 60 s; see $data/logs/" >&2
exit 1
