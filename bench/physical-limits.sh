#!/usr/bin/env bash
# Measures what the disk under a directory can do, for the ratios in docs/performance.md:
#   1. sequential write bandwidth with a periodic fdatasync (every 1 MiB), buffered;
#   2. the same with O_DIRECT;
#   3. fdatasync latency after a small write.
# Usage: bench/physical-limits.sh [directory] [runs]   (default: $HERALD_BENCH_DIR or /tmp, 3 runs)
# Prints one line per run and then the medians. Installs fio from Debian when it is missing.
set -euo pipefail
dir="${1:-${HERALD_BENCH_DIR:-/tmp}}/herald-physical"
runs="${2:-3}"
if ! command -v fio >/dev/null; then
  apt-get update -qq >/dev/null && apt-get install -y -qq fio >/dev/null
fi
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
bw_mib() { # fio JSON -> write bandwidth in MiB/s
  python3 -c 'import json,sys; print(round(json.load(sys.stdin)["jobs"][0]["write"]["bw_bytes"]/1048576,1))'
}

buffered=(); direct=(); sync_us=()
for run in $(seq 1 "$runs"); do
  b=$(fio --name=seq --directory="$dir" --rw=write --bs=128k --size=2g --fdatasync=8 --ioengine=psync --end_fsync=1 --output-format=json | bw_mib)
  d=$(fio --name=seqdirect --directory="$dir" --rw=write --bs=1m --size=2g --direct=1 --ioengine=psync --end_fsync=1 --output-format=json | bw_mib)
  s=$(fio --name=sync --directory="$dir" --rw=write --bs=4k --size=64m --fdatasync=1 --ioengine=psync --output-format=json \
      | python3 -c 'import json,sys; j=json.load(sys.stdin)["jobs"][0]["sync"]["lat_ns"]; print(round(j["mean"]/1000,1))')
  rm -f "$dir"/*
  echo "run $run: buffered+fdatasync ${b} MiB/s, O_DIRECT ${d} MiB/s, fdatasync ${s} us"
  buffered+=("$b"); direct+=("$d"); sync_us+=("$s")
done
echo "median: buffered+fdatasync $(printf '%s\n' "${buffered[@]}" | median) MiB/s, O_DIRECT $(printf '%s\n' "${direct[@]}" | median) MiB/s, fdatasync $(printf '%s\n' "${sync_us[@]}" | median) us"
