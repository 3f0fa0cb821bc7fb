#!/usr/bin/env bash
# Runs Herald and its peers side by side on this machine, RUNS times (default 3), and prints the median of each figure
# as JSON lines and a table. Peers come from Debian (installed when missing): Redis 7.0, NATS 2.9 and RabbitMQ 3.10;
# they are driven through redis-benchmark (pipelining) and through their official .NET clients (bench/Herald.PeerBench)
# with 256 publishes in flight. Herald runs `herald serve` and is driven by `herald bench` (Confluent.Kafka) and its
# embedded mode. Everything runs on 127.0.0.1 and in a temporary directory under $HERALD_BENCH_DIR (default /tmp).
# Usage: bench/compare.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
base="${HERALD_BENCH_DIR:-/tmp}/herald-compare"
rm -rf "$base" && mkdir -p "$base"
results="$base/results.jsonl"
trap 'cleanup' EXIT

need=()
command -v redis-server >/dev/null || need+=(redis-server redis-tools)
command -v nats-server >/dev/null || need+=(nats-server)
command -v rabbitmq-server >/dev/null || need+=(rabbitmq-server)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian starts the services it installs; the benchmark runs its own instances on other ports.
service redis-server stop >/dev/null 2>&1 || true
service rabbitmq-server stop >/dev/null 2>&1 || true

dotnet build -c Release src/Herald >/dev/null
dotnet build -c Release bench/Herald.PeerBench >/dev/null
herald() { dotnet src/Herald/bin/Release/net10.0/herald.dll "$@"; }
peer() { dotnet bench/Herald.PeerBench/bin/Release/net10.0/Herald.PeerBench.dll "$@"; }
record() { echo "{\"run\":$run,\"figure\":\"$1\",\"result\":$2}" >> "$results"; }
wait_port() { for _ in $(seq 1 60); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 1; done; echo "port $1 never opened" >&2; return 1; }

cleanup() {
  pkill -f "herald.dll --data $base" 2>/dev/null || true
  redis-cli -p 16379 shutdown nosave >/dev/null 2>&1 || true
  pkill -f "nats-server -p 14222" 2>/dev/null || true
  HOME=/var/lib/rabbitmq rabbitmqctl -n heraldbench@localhost stop >/dev/null 2>&1 || true
}

redis_benchmark() { # pipeline 16, 100 B values; prints {"messagesPerSecond":N}
  local value; value=$(head -c 100 /dev/zero | tr '\0' 'x')
  redis-benchmark -p 16379 -n 400000 -P 16 -q XADD herald-rb '*' v "$value" 2>/dev/null | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 \
    | awk '{printf "{\"messagesPerSecond\":%d}\n", $1}'
}

for run in $(seq 1 "$runs"); do
  echo "run $run of $runs" >&2

  # Herald: the server, then the embedded broker.
  data="$base/herald-$run"
  herald --data "$data" serve --kafka 127.0.0.1:19192 > "$base/herald-$run.log" 2>&1 &
  wait_port 19192
  b="--bootstrap 127.0.0.1:19192 --output json"
  record herald-durable "$(herald bench produce $b --messages 2000000 --acks all --idempotent)"
  record herald-acks1 "$(herald bench produce $b --messages 2000000 --acks 1)"
  record herald-1kib "$(herald bench produce $b --messages 400000 --size 1024 --acks all)"
  record herald-consume "$(herald bench consume $b --messages 2000000)"
  record herald-e2e "$(herald bench e2e $b --rate 5000 --seconds 10 --linger-ms 0)"
  pkill -f "herald.dll --data $data" && sleep 1
  record herald-embedded-durable "$(herald --data "$data-embedded" bench produce --embedded --output json --messages 4000000 --acks all --idempotent)"
  record herald-embedded-consume "$(herald --data "$data-embedded" bench consume --embedded --output json --messages 4000000)"
  record herald-embedded-e2e "$(herald --data "$data-embedded" bench e2e --embedded --output json --rate 5000 --seconds 10 --linger-ms 0)"

  # Redis Streams, durable (AOF always) and not (everysec).
  for fsync in always everysec; do
    mkdir -p "$base/redis-$run-$fsync"
    redis-server --port 16379 --appendonly yes --appendfsync "$fsync" --save "" --dir "$base/redis-$run-$fsync" --daemonize yes --logfile "$base/redis.log"
    wait_port 16379
    record "redis-$fsync-pipeline16" "$(redis_benchmark)"
    record "redis-$fsync-dotnet" "$(peer redis 127.0.0.1:16379 --messages 300000)"
    redis-cli -p 16379 shutdown nosave >/dev/null 2>&1 || true
    sleep 1
  done

  # NATS JetStream, file store.
  nats-server -p 14222 -js -sd "$base/nats-$run" > "$base/nats.log" 2>&1 &
  wait_port 14222
  record nats-jetstream-dotnet "$(peer nats nats://127.0.0.1:14222 --messages 150000)"
  pkill -f "nats-server -p 14222" && sleep 1

  # RabbitMQ, a quorum queue with publisher confirms. The server runs as the rabbitmq user.
  rabbit="$base/rabbit-$run"
  mkdir -p "$rabbit/mnesia" "$rabbit/log" && echo "[]." > "$rabbit/plugins" && chmod 755 "$base" && chown -R rabbitmq:rabbitmq "$rabbit"
  RABBITMQ_MNESIA_BASE="$rabbit/mnesia" RABBITMQ_LOG_BASE="$rabbit/log" RABBITMQ_NODE_PORT=15673 RABBITMQ_DIST_PORT=25673 \
    RABBITMQ_NODENAME=heraldbench@localhost RABBITMQ_ENABLED_PLUGINS_FILE="$rabbit/plugins" rabbitmq-server -detached
  wait_port 15673
  record rabbitmq-quorum-dotnet "$(peer rabbitmq amqp://guest:guest@127.0.0.1:15673/ --messages 60000)"
  HOME=/var/lib/rabbitmq rabbitmqctl -n heraldbench@localhost stop >/dev/null 2>&1 || true
  sleep 2
done

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
figures = {}
for row in rows:
    figures.setdefault(row["figure"], []).append(row["result"])
def med(results, key, sub=None):
    values = [(r[key][sub] if sub else r[key]) for r in results if (r.get(key) if not sub else (r.get(key) or {}).get(sub)) is not None]
    return statistics.median(values) if values else None
summary = {}
for name, results in figures.items():
    summary[name] = {"runs": len(results), "messagesPerSecond": med(results, "messagesPerSecond"), "megabytesPerSecond": med(results, "megabytesPerSecond"),
                     "p50Micros": med(results, "latencyMicros", "p50"), "p99Micros": med(results, "latencyMicros", "p99")}
    print(json.dumps({"figure": name, **summary[name]}))
print()
print(f"{'figure':32} {'msgs/s':>12} {'MB/s':>8} {'p50 µs':>9} {'p99 µs':>9}")
for name, s in summary.items():
    fmt = lambda v, f: (f.format(v) if v is not None else "-")
    print(f"{name:32} {fmt(s['messagesPerSecond'], '{:,.0f}'):>12} {fmt(s['megabytesPerSecond'], '{:.1f}'):>8} {fmt(s['p50Micros'], '{:,.0f}'):>9} {fmt(s['p99Micros'], '{:,.0f}'):>9}")
PY
