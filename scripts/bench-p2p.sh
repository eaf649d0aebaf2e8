#!/usr/bin/env bash
# p2p benchmark: Java<->Java versus JS<->JS echo throughput and connection setups, one table.
# Usage: [WARPSTATS_BENCH_JAVA=/path/to/java] scripts/bench-p2p.sh [--mib 512] [--setups 2000] [--js-setups 200]
# (the code is built for Java 17; a newer runtime, e.g. 25, has ChaCha20/Poly1305 intrinsics)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup-interop.sh"
(cd "$here" && mvn -q -B -DskipTests -pl warpstats-bench -am package >&2)
exec "${WARPSTATS_BENCH_JAVA:-java}" -Xmx1g -Dwarpstats.jspeer="$here/.build/js-peer" -cp "$here/warpstats-bench/target/benchmarks.jar" io.warpstats.bench.p2p.P2pBench "$@"
