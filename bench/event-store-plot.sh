#!/usr/bin/env bash
# Draws docs/img/event-store-vs-marten.png from docs/img/event-store-vs-marten.dat: the medians of the Marten comparison
# (bench/Herald.Benchmarks, --filter '*MartenComparison*'), as "figure herald marten" lines, each a rate (higher is better).
# Installs gnuplot from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v gnuplot >/dev/null || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null; }
gnuplot <<'PLOT'
set terminal pngcairo size 900,460 font ",10" noenhanced
set output "docs/img/event-store-vs-marten.png"
set title "Herald.EventSourcing on PostgreSQL beside Marten 9, same PostgreSQL (synchronous_commit on): rates, higher is better"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel "per second"
set logscale y
set yrange [1000:*]
set key top left
set xtics nomirror
set bmargin 4
set grid ytics
plot "docs/img/event-store-vs-marten.dat" using 2:xtic(1) title "Herald" lc rgb "#2a6fdb", \
     "" using 3 title "Marten 9.62" lc rgb "#999999"
PLOT
echo "wrote docs/img/event-store-vs-marten.png"
