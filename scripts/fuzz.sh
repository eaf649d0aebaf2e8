#!/usr/bin/env bash
# Long coverage-guided runs of the Jazzer fuzz tests (the classes named *Fuzzer), one target at a
# time, each in its own JVM (Jazzer fuzzes one @FuzzTest per JVM).
#
#   scripts/fuzz.sh [--time SECONDS] [--heap SIZE] [--merge] [Target ...]
#
#   --time   seconds per target (default 300)
#   --heap   the fuzzing JVM's -Xmx (default 512m): an input that makes a decoder allocate past it
#            is reported as an OutOfMemoryError finding
#   --merge  afterwards, add the inputs of the run that reach new coverage to the committed corpus
#            (src/test/resources/<package>/<Class>Inputs/<method>/), minimized by libFuzzer -merge=1
#   Target   simple class names (DagPbFuzzer ...); default: all of them
#
# The run's own corpus grows in <module>/.cifuzz-corpus/ (ignored by git) and is reused by the next
# run; logs, findings (crash-*, timeout-*, oom-*) and summary.tsv go to .build/fuzz/. Exits 1 if any
# target found something. Runs under nice -n 10; per-input timeout 10 s (a hang is a finding).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
time_s=300 heap=512m merge=0 targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --time) time_s="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --merge) merge=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ "$time_s" =~ ^[0-9]+$ ]] || { echo "--time needs whole seconds" >&2; exit 2; }

out="$here/.build/fuzz"
mkdir -p "$out"
echo "building the test classes and the class path ..." >&2
mvn -B -q -pl warpstats-node -am test-compile >"$out/build.log" 2>&1 \
  || { tail -40 "$out/build.log" >&2; exit 2; }
mvn -B -q -pl warpstats-node dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$out/deps.cp" \
  >>"$out/build.log" 2>&1 || { tail -40 "$out/build.log" >&2; exit 2; }
cp=""
for m in multiformats crdt p2p replication stats node; do
  cp+="$here/warpstats-$m/target/test-classes:$here/warpstats-$m/target/classes:"
done
cp+="$(cat "$out/deps.cp")"

# module, class, method of every fuzz test: found in the sources
mapfile -t all < <(grep -rl --include='*Fuzzer.java' '@FuzzTest' warpstats-*/src/test/java | sort | while read -r f; do
  module="${f%%/src/*}"; cls="${f#*/src/test/java/}"; cls="${cls%.java}"; cls="${cls//\//.}"
  method="$(grep -A12 '@FuzzTest' "$f" | grep -oE 'void [a-zA-Z0-9_]+' | head -1 | cut -d' ' -f2)"
  echo "$module $cls $method"
done)
selected=()
for line in "${all[@]}"; do
  read -r module cls method <<<"$line"
  if [[ ${#targets[@]} -eq 0 ]]; then selected+=("$line"); continue; fi
  for t in "${targets[@]}"; do [[ "${cls##*.}" == "$t" ]] && selected+=("$line"); done
done
[[ ${#selected[@]} -gt 0 ]] || { echo "no such fuzz test: ${targets[*]}" >&2; exit 2; }

summary="$out/summary.tsv"
[[ -f "$summary" ]] || printf 'date\ttarget\tseconds\texecutions\tcov\tft\tcorpus\tresult\n' >"$summary"
failed=0
for line in "${selected[@]}"; do
  read -r module cls method <<<"$line"
  simple="${cls##*.}"
  log="$out/$simple.log"
  inputs="$here/$module/src/test/resources/$(echo "${cls%.*}" | tr . /)/${simple}Inputs/$method"
  mkdir -p "$inputs"
  echo "fuzzing $simple.$method for ${time_s}s (log: $log)" >&2
  start=$(date +%s)
  set +e
  (cd "$here/$module" && nice -n 10 java -Xmx"$heap" -cp "$cp" com.code_intelligence.jazzer.Jazzer \
      --target_class="$cls" --target_method="$method" \
      -max_total_time="$time_s" -timeout=10 -artifact_prefix="$out/$simple-" ) >"$log" 2>&1
  rc=$?
  set -e
  secs=$(( $(date +%s) - start ))
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)"
  [[ -n "$done_line" ]] || done_line="$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -1 || true)"
  execs="$(grep -oE 'Done [0-9]+ runs' "$log" | tail -1 | grep -oE '[0-9]+' || echo '?')"
  cov="$(grep -oE 'cov: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || echo '?')"
  ft="$(grep -oE 'ft: [0-9]+' <<<"$done_line" | grep -oE '[0-9]+' || echo '?')"
  corp="$(grep -oE 'corp: [0-9]+/[0-9a-zA-Z]+' <<<"$done_line" | cut -d' ' -f2 || echo '?')"
  if [[ $rc -eq 0 ]]; then result=ok; else result="FINDING (exit $rc, see $log)"; failed=1; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$simple" "$secs" "$execs" "$cov" "$ft" "$corp" "$result" >>"$summary"
  echo "  $simple: $result, $execs executions in ${secs}s, cov $cov, ft $ft, corpus $corp" >&2
  if [[ $merge -eq 1 && $rc -eq 0 ]]; then
    gen="$here/$module/.cifuzz-corpus/$cls/$method"
    if [[ -d "$gen" ]]; then
      (cd "$here/$module" && nice -n 10 java -Xmx"$heap" -cp "$cp" com.code_intelligence.jazzer.Jazzer \
          --target_class="$cls" --target_method="$method" -merge=1 "$inputs" "$gen") >"$out/$simple-merge.log" 2>&1 \
        || echo "  merge of $simple failed (see $out/$simple-merge.log)" >&2
      echo "  corpus of $simple: $(ls "$inputs" | wc -l) inputs" >&2
    fi
  fi
done
exit $failed
