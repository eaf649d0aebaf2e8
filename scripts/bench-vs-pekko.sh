#!/usr/bin/env bash
# Runs the warpstats cluster benchmark (ConvergenceBench, 5 nodes) and the Apache Pekko Distributed Data
# benchmark (../shared/anchors/pekko-ddata) one after the other, under the shared benchmark lock, and
# prints the ratios of their figures (docs/benchmarks.md, "warpstats against Pekko").
#
# Usage: scripts/bench-vs-pekko.sh [--rates LIST] [--measure S] [--pekko "ARGS"] [--out DIR]
#   --rates   rates of the warpstats run, puts/s (default 1000,10000,50000,100000)
#   --measure measured seconds per warpstats rate (default 5)
#   --pekko   arguments of the Pekko run (default: none, its own defaults: 5 nodes, 1000 posts, ~80 s)
#   --out     directory for both full outputs (default: a new temporary directory, printed)
# Exit codes: 0 done, 1 a benchmark failed or printed no figure, 2 bad usage.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${WARPSTATS_SHARED:-$here/../shared}"
rates=1000,10000,50000,100000
measure=5
pekko_args=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rates) rates="${2:?--rates needs a value}"; shift 2 ;;
    --measure) measure="${2:?--measure needs a value}"; shift 2 ;;
    --pekko) pekko_args="${2?--pekko needs a value}"; shift 2 ;;
    --out) out="${2:?--out needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-vs-pekko: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$rates" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "bench-vs-pekko: --rates must be numbers separated by commas, not $rates" >&2; exit 2; }
[[ "$measure" =~ ^[0-9]+$ ]] && [ "$measure" -ge 1 ] || { echo "bench-vs-pekko: --measure must be a positive number of seconds, not $measure" >&2; exit 2; }
[ -d "$shared/anchors/pekko-ddata" ] || { echo "bench-vs-pekko: $shared/anchors/pekko-ddata not found (set WARPSTATS_SHARED)" >&2; exit 2; }
out="${out:-$(mktemp -d /tmp/bench-vs-pekko.XXXXXX)}"
mkdir -p "$out"

jar="$here/warpstats-bench/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  (cd "$here" && mvn -B -q -DskipTests -pl warpstats-bench -am package) >&2
fi
# the Pekko benchmark builds into its own directory: use a copy, so shared/ stays untouched
pekko="$here/.build/pekko-ddata"
mkdir -p "$pekko"
cp -ru "$shared/anchors/pekko-ddata/." "$pekko/"

lock=/tmp/warpstats-bench.lock
echo "load before: $(uptime)"
echo "warpstats: ConvergenceBench --rates $rates --warmup 2 --measure $measure --runs 1 --catchup-puts 0 > $out/warpstats.txt"
flock -x "$lock" java -cp "$jar" io.warpstats.bench.cluster.ConvergenceBench --rates "$rates" --warmup 2 \
  --measure "$measure" --runs 1 --catchup-puts 0 > "$out/warpstats.txt" 2> "$out/warpstats.err" \
  || { echo "bench-vs-pekko: the warpstats benchmark failed (see $out/warpstats.err)" >&2; exit 1; }
echo "pekko: run.sh $pekko_args > $out/pekko.txt"
# shellcheck disable=SC2086
flock -x "$lock" "$pekko/run.sh" $pekko_args > "$out/pekko.txt" 2>&1 \
  || { echo "bench-vs-pekko: the Pekko benchmark failed (see $out/pekko.txt)" >&2; exit 1; }
echo "load after: $(uptime)"

# warpstats: the median rows "| **RATE median** | achieved | p50 | p99 | max | bytes | sync | converge | | cpu |"
awk -F'|' '/\*\*[0-9]+ median\*\*/ {
  gsub(/[ *a-z]/, "", $2); print $2, $3+0, $5+0, $7+0, $9+0, $11+0 }' "$out/warpstats.txt" > "$out/warpstats.rows"
[ -s "$out/warpstats.rows" ] || { echo "bench-vs-pekko: no figures in $out/warpstats.txt" >&2; exit 1; }
pekko_rate=$(sed -n 's/.*RESULT throughput = \([0-9,]*\) increments\/s.*/\1/p' "$out/pekko.txt" | tr -d ,)
pekko_p99=$(sed -n "s/.*RESULT B's ReadLocal sees it.*p99 \([0-9.]*\) ms.*/\1/p" "$out/pekko.txt")
pekko_conv=$(sed -n 's/.*\[2\] convergence after load: RESULT \([0-9]*\) ms.*/\1/p' "$out/pekko.txt")
[ -n "$pekko_rate" ] && [ -n "$pekko_p99" ] && [ -n "$pekko_conv" ] \
  || { echo "bench-vs-pekko: no figures in $out/pekko.txt" >&2; exit 1; }

awk -v pr="$pekko_rate" -v pp="$pekko_p99" -v pc="$pekko_conv" '
  { rate[NR] = $1; ach[NR] = $2; p99[NR] = $3; bytes[NR] = $4; conv[NR] = $5; cpu[NR] = $6 }
  END {
    best = 0; bi = 0; low = 0
    for (i = 1; i <= NR; i++) {
      if (p99[i] <= 1000 && ach[i] >= 0.95 * rate[i] && rate[i] > best) { best = rate[i]; bi = i }
      if (rate[i] == 1000) low = i
    }
    printf "\n| figure | warpstats | Pekko | warpstats ÷ Pekko |\n|---|---|---|---|\n"
    if (bi > 0) printf "| accepted rate: highest rate with p99 ≤ 1 s on all nodes / increments acknowledged per s | %d/s | %d/s | %.2f× |\n", best, pr, best / pr
    else printf "| accepted rate: highest rate with p99 ≤ 1 s on all nodes / increments acknowledged per s | none of the rates | %d/s | 0× |\n", pr
    maxach = 0; for (i = 1; i <= NR; i++) if (ach[i] > maxach) maxach = ach[i]
    printf "| puts accepted per s, whatever the latency (warpstats: the highest rate achieved; Pekko: acknowledged) | %d/s | %d/s | %.2f× |\n", maxach, pr, maxach / pr
    if (low > 0) printf "| p99 put → visible at 1,000/s (warpstats: on all 4 other nodes; Pekko: on one other node) | %.1f ms | %.1f ms | %.3f× |\n", p99[low], pp, p99[low] / pp
    if (bi > 0) printf "| converged after the load (warpstats: at %d/s; Pekko: after its saturating load) | %d ms | %d ms | %.2f× |\n", best, conv[bi], pc, conv[bi] / pc
    printf "\nwarpstats per rate: rate achieved p99-ms bytes/put converge-ms CPU-µs/put\n"
    for (i = 1; i <= NR; i++) printf "  %d %d %.1f %.1f %d %.1f\n", rate[i], ach[i], p99[i], bytes[i], conv[i], cpu[i]
  }' "$out/warpstats.rows"
echo "full outputs: $out"
