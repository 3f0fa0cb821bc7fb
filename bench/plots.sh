#!/usr/bin/env bash
# Draws docs/img/throughput-by-size.png and docs/img/latency-by-rate.png from `herald bench` runs against a
# `herald serve` on this machine (through Confluent.Kafka, acks=all). Installs gnuplot from Debian when missing.
# Usage: bench/plots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
base="${HERALD_BENCH_DIR:-/tmp}/herald-plots"
rm -rf "$base" && mkdir -p "$base"
trap 'pkill -f "herald.dll --data $base" 2>/dev/null || true' EXIT
command -v gnuplot >/dev/null || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null; }

dotnet build -c Release src/Herald >/dev/null
herald() { dotnet src/Herald/bin/Release/net10.0/herald.dll "$@"; }
herald --data "$base/data" serve --kafka 127.0.0.1:19193 > "$base/serve.log" 2>&1 &
for _ in $(seq 1 60); do (echo > /dev/tcp/127.0.0.1/19193) 2>/dev/null && break; sleep 1; done
b="--bootstrap 127.0.0.1:19193 --output json"
field() { python3 -c "import json,sys; r=json.load(sys.stdin); print($1)"; }

: > "$base/sizes.dat"
for size in 64 128 256 512 1024 2048 4096 16384; do
  messages=$(( 200000000 / (size + 100) ))   # about 200 MB of payload per point
  json=$(herald bench produce $b --messages "$messages" --size "$size" --acks all --idempotent)
  echo "$size $(echo "$json" | field 'r["messagesPerSecond"], r["megabytesPerSecond"]' | tr -d '(),')" >> "$base/sizes.dat"
done

: > "$base/rates.dat"
for rate in 500 1000 2000 5000 10000 20000 50000; do
  json=$(herald bench e2e $b --rate "$rate" --seconds 5 --linger-ms 0)
  echo "$rate $(echo "$json" | field 'r["latencyMicros"]["p50"]/1000, r["latencyMicros"]["p99"]/1000' | tr -d '(),')" >> "$base/rates.dat"
done

gnuplot <<PLOT
set terminal pngcairo size 900,500 noenhanced
set grid
set key left top

set output "docs/img/throughput-by-size.png"
set title "herald bench produce --acks all --idempotent (Confluent.Kafka, one producer, 2 cores shared)"
set xlabel "message size (bytes)"
set logscale x 2
set ylabel "MB/s"
set y2label "messages/s"
set ytics nomirror
set y2tics
plot "$base/sizes.dat" using 1:3 with linespoints lw 2 title "MB/s" axes x1y1, \
     "$base/sizes.dat" using 1:2 with linespoints lw 2 title "messages/s" axes x1y2

set output "docs/img/latency-by-rate.png"
set title "herald bench e2e, 100 B, acks=all, linger 0 (Confluent.Kafka producer and consumer)"
set xlabel "rate (messages/s)"
set logscale x 10
unset y2tics
unset y2label
set ylabel "end-to-end latency (ms)"
set logscale y 10
plot "$base/rates.dat" using 1:2 with linespoints lw 2 title "p50", \
     "$base/rates.dat" using 1:3 with linespoints lw 2 title "p99"
PLOT
cat "$base/sizes.dat" "$base/rates.dat"
echo "wrote docs/img/throughput-by-size.png and docs/img/latency-by-rate.png"
