#!/usr/bin/env bash
# make fuzz: builds tailship-fuzz with libFuzzer and AddressSanitizer, runs each
# target for FUZZ_SECONDS (two at a time on two cores), then merges the inputs
# that reached new code into fuzz/corpus/TARGET/. Crashes land in
# fuzz/regressions/TARGET/, where FuzzCorpusTests replays them in `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-600}
targets=${FUZZ_TARGETS:-framer fields policy config registry}
jobs=${FUZZ_JOBS:-$(nproc)}
swift build -c release --product tailship-fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
bin=.build-fuzz/release/tailship-fuzz
mkdir -p .build/fuzz

run_one() {
  t=$1
  mkdir -p ".build-fuzz/corpus/$t" "fuzz/regressions/$t"
  TAILSHIP_FUZZ_TARGET=$t "$bin" ".build-fuzz/corpus/$t" "fuzz/corpus/$t" \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="fuzz/regressions/$t/" -print_final_stats=1 > ".build/fuzz/$t.log" 2>&1
  status=$?
  # Keep only inputs that add coverage to what the repository already holds.
  TAILSHIP_FUZZ_TARGET=$t "$bin" -merge=1 "fuzz/corpus/$t" ".build-fuzz/corpus/$t" > ".build/fuzz/$t.merge.log" 2>&1 || true
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' ".build/fuzz/$t.log" | tail -1)
  echo "$t: exit $status, ${runs:-?} executions in ${seconds}s, corpus $(ls "fuzz/corpus/$t" | wc -l) files, crashes $(ls "fuzz/regressions/$t" | wc -l); log .build/fuzz/$t.log"
}
export -f run_one
export bin seconds
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one {}'
