#!/usr/bin/env bash
# HTTP throughput and latency of one node (docs/benchmarks.md, rows 16-18): starts `warpstats node` from JAR
# on a fresh data directory, runs wrk for likes, views and stats reads (CONNECTIONS keep-alive connections,
# SECONDS each, random posts and users), then likes and reads of one hot post at once (half the connections
# each), then the project's load generator (LoadGen, its default mix), and stops the node. A 5 s run of views before them warms the JIT up and is not reported. With WARMUP=S
# (default 0) each wrk workload first runs S seconds unreported: its own path is then compiled, so the CPU per
# request is the steady state's, not the JIT's (on 2 cores C2 takes about half the CPU of the first 10 s of likes).
# Before the reads the node settles (until it uses less than 0.1 core, at most 180 s): the checkpoint and reap that
# the writes' busy period deferred, and the compactions, run then and are reported per write, not charged to reads.
# Needs wrk (Debian: apt-get install -y wrk) and warpstats-bench/target/benchmarks.jar.
# Usage: [WARMUP=S] scripts/bench-http.sh [JAR] [SECONDS]   (defaults: warpstats-node/target/warpstats.jar, 10)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${1:-$here/warpstats-node/target/warpstats.jar}"
secs="${2:-10}"
conns="${CONNECTIONS:-64}"
bench="$here/warpstats-bench/target/benchmarks.jar"
command -v wrk >/dev/null || { echo "error: wrk is not installed (Debian: apt-get install -y wrk)" >&2; exit 2; }
[ -f "$jar" ] && [ -f "$bench" ] || { echo "error: build first: $jar and $bench are needed" >&2; exit 2; }
# shellcheck source=lib/node.sh
. "$here/scripts/lib/node.sh"
start_node "$jar"
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; } # the node's user + system time, in clock ticks
tick="$(getconf CLK_TCK)"
warm="${WARMUP:-0}"
echo "jar $jar, $conns connections, $secs s each (after ${warm} s unreported), load average $(cut -d' ' -f1-3 /proc/loadavg)"
# JIT warm-up (not reported); it also views p0..p49, the posts the read run reads
POSTS=50 wrk -t2 -c"$conns" -d5s -s "$here/scripts/wrk/view.lua" "$url" > "$dir/jit"
# settle: waits (at most 180 s) until the node used less than 0.1 core over 2 s; prints how long and the CPU it took,
# and leaves the node's CPU ticks before and after in $start and $now
settle() {
  start="$(cpu)"; t=0
  while [ "$t" -lt 180 ]; do
    before="$(cpu)"; sleep 2; now="$(cpu)"; t=$((t + 2))
    [ $(( (now - before) * 10 )) -lt $(( 2 * tick )) ] && break
  done
  echo "  settled after ${t} s: $(( (now - start) * 1000 / tick )) ms of node CPU (the checkpoint, reap and compactions the writes left)"
}
for w in like view read; do
  if [ "$w" = read ]; then
    echo "== deferred work of the writes"
    writes="$(( written_like + written_view + $(awk '/requests in/ {print $1}' "$dir/jit") ))"
    settle
    echo "  deferred node CPU per write (all likes and views so far): $(( (now - start) * 1000000 / tick / (writes > 0 ? writes : 1) )) us"
  fi
  echo "== wrk $w"
  [ "$warm" -gt 0 ] && wrk -t2 -c"$conns" -d"${warm}s" -s "$here/scripts/wrk/$w.lua" "$url" > /dev/null
  before="$(cpu)"
  wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/scripts/wrk/$w.lua" "$url" > "$dir/wrk"
  after="$(cpu)"
  grep -E 'Requests/sec|Non-2xx|Socket errors|^ +(50|99)%|requests in' "$dir/wrk"
  n="$(awk '/requests in/ {print $1}' "$dir/wrk")"
  echo "  node CPU per request: $(( (after - before) * 1000000 / tick / (n > 0 ? n : 1) )) us"
  [ "$w" != read ] && declare "written_$w=$(( n * (warm + secs) / secs ))" # the warm-up's writes estimated at the same rate
done
# a hot post: likes of one post (p0, random users) and reads of it at the same time, half the connections each
hot() { # hot DURATION_S: runs both; prints the likes' and the reads' wrk output to $dir/hot-like, $dir/hot-read
  POSTS=1 wrk -t1 -c"$((conns / 2))" -d"${1}s" --latency -s "$here/scripts/wrk/like.lua" "$url" > "$dir/hot-like" &
  local likes=$!
  READ_POSTS=1 wrk -t1 -c"$((conns / 2))" -d"${1}s" --latency -s "$here/scripts/wrk/read.lua" "$url" > "$dir/hot-read"
  wait "$likes"
}
echo "== hot post (likes and reads of one post at once)"
[ "$warm" -gt 0 ] && hot "$warm"
before="$(cpu)"
hot "$secs"
after="$(cpu)"
n=0
for w in like read; do
  echo "  $w: $(grep -E 'Requests/sec' "$dir/hot-$w" | tr -s ' ')  p50 $(awk '$1=="50%" {print $2}' "$dir/hot-$w")  p99 $(awk '$1=="99%" {print $2}' "$dir/hot-$w")  non-2xx $(awk '/Non-2xx/ {print $NF}' "$dir/hot-$w")"
  n=$(( n + $(awk '/requests in/ {print $1}' "$dir/hot-$w") ))
done
echo "  node CPU per request: $(( (after - before) * 1000000 / tick / (n > 0 ? n : 1) )) us"
echo "== LoadGen"
java -cp "$bench" io.warpstats.bench.load.LoadGen --url "$url" --connections "$conns" --duration "$secs" --warmup 2
