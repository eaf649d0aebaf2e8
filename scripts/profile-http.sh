#!/usr/bin/env bash
# Where a node's CPU goes per HTTP request (docs/benchmarks.md, "Rows 16-18"): starts `warpstats node` from JAR on a
# fresh data directory (WARPSTATS_JAVA_OPTS: extra JVM options, e.g. a -D toggle of an experiment), runs WORKLOAD
# (scripts/wrk/WORKLOAD.lua: like, view or read) for 10 s unreported (the JIT), then SECONDS measured with wrk
# (2 threads, 64 keep-alive connections), and prints the rate and the node's CPU per request by thread name
# (user + system time from /proc/PID/task/*/stat before and after, numbered threads summed: http-worker-1..4 are
# one line), the 14 largest (from 0.1 µs) and the total. Reads run on what 5 s of views of p0..p49 and the warm-up wrote.
# Needs wrk (Debian: apt-get install -y wrk) and Linux /proc.
# Usage: [WARPSTATS_JAVA_OPTS=...] scripts/profile-http.sh [JAR] [WORKLOAD] [SECONDS]
#        (defaults: warpstats-node/target/warpstats.jar, like, 20)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${1:-$here/warpstats-node/target/warpstats.jar}"
workload="${2:-like}"
secs="${3:-20}"
command -v wrk >/dev/null || { echo "error: wrk is not installed (Debian: apt-get install -y wrk)" >&2; exit 2; }
[ -f "$jar" ] || { echo "error: build first: $jar is needed" >&2; exit 2; }
[ -f "$here/scripts/wrk/$workload.lua" ] || { echo "error: no workload $workload (like, view, read)" >&2; exit 2; }
[[ "$secs" =~ ^[0-9]+$ ]] && [ "$secs" -ge 1 ] && [ "$secs" -le 3600 ] || { echo "error: SECONDS must be 1..3600" >&2; exit 2; }
# shellcheck source=lib/node.sh
. "$here/scripts/lib/node.sh"
start_node "$jar"
snapshot() { # thread name (trailing digits and dashes removed) <TAB> user + system ticks, one line per thread
  for t in /proc/"$pid"/task/*; do
    name="$(sed 's/[-_#0-9]*$//' "$t/comm" 2>/dev/null)" || continue
    awk -v n="$name" '{print n "\t" ($14 + $15)}' "$t/stat" 2>/dev/null || true
  done
}
POSTS=50 wrk -t2 -c64 -d5s -s "$here/scripts/wrk/view.lua" "$url" > /dev/null
wrk -t2 -c64 -d10s -s "$here/scripts/wrk/$workload.lua" "$url" > /dev/null
snapshot > "$dir/before"
wrk -t2 -c64 -d"${secs}s" --latency -s "$here/scripts/wrk/$workload.lua" "$url" > "$dir/wrk"
snapshot > "$dir/after"
grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx" "$dir/wrk"
python3 - "$dir/before" "$dir/after" "$(awk '/requests in/ {print $1}' "$dir/wrk")" "$(getconf CLK_TCK)" <<'PY'
import sys, collections
def load(path):
    ticks = collections.Counter()
    for line in open(path):
        name, t = line.rstrip("\n").split("\t")
        ticks[name] += int(t)
    return ticks
before, after, n, hz = load(sys.argv[1]), load(sys.argv[2]), max(1, int(sys.argv[3])), int(sys.argv[4])
per = {k: (after[k] - before.get(k, 0)) * 1e6 / hz / n for k in after}
for name, us in sorted(per.items(), key=lambda kv: -kv[1])[:14]:
    if us < 0.05:
        break
    print(f"  {name:32s} {us:7.1f} us per request")
print(f"  {'total':32s} {sum(per.values()):7.1f} us per request")
PY
