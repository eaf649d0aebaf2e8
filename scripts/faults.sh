#!/usr/bin/env bash
# The fault-injection harness from the command line (RELIABILITY.md, "Fault injection"): builds the
# modules (offline if possible), then runs io.warpstats.bench.faults.FaultRun with the given flags.
#   scripts/faults.sh --nodes 5 --minutes 30 --seed 20261202          # the long form
#   scripts/faults.sh --nodes 3 --faults-per-kind 20 --seed 15        # the CI form by hand
#   scripts/faults.sh --help
# Partitions (network namespaces) and full disks (a tmpfs per node) need root; without it the run
# injects kills, pauses and wipes only. Exit 0 = the checker found nothing; 1 = a violation (the
# summary names the seed and the history file); 2 = bad flags.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
offline=-o
mvn -B -q $offline -pl warpstats-bench -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime >/dev/null 2>&1 \
  || mvn -B -q -pl warpstats-bench -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=runtime
cp="$here/warpstats-bench/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
trap - EXIT
exec java -Xmx1g -cp "$cp" io.warpstats.bench.faults.FaultRun --classpath "$cp" "$@"
