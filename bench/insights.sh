#!/usr/bin/env bash
# The daemon's throughput with audit_metrics on, next to the same run with it
# off, over the real OpenShift audit log repeated to >= 1 GiB (file output,
# gzip level 1, monitoring on in both). Runs alternate off/on, three times each;
# the fastest of each mode counts. Target: on >= 0.9 x off.
# Usage: bench/insights.sh [GiB]   (default 1; data is kept in $BENCH_DIR between runs)
set -euo pipefail
cd "$(dirname "$0")/.."
gib=${1:-1}
dir=${BENCH_DIR:-/tmp/tailship-bench-policy}   # shares the input file with bench/policy.sh
bin=.build/release/tailship
file="$dir/audit-$gib.log"
. bench/real-data.sh
real_events "$file" "$gib"
mib=$(awk -v b="$(stat -c %s "$file")" 'BEGIN{printf "%.1f", b/1048576}')
events=$(wc -l < "$file")

run() {  # run MODE N -> wall seconds
  local mode=$1 n=$2 work="$dir/insights-$1-$2"
  rm -rf "$work"; mkdir -p "$work"
  {
    echo "inputs: [{paths: [\"$file\"], backups: none}]"
    echo "registry: {path: \"$work/registry.json\"}"
    echo "output: {file: {directory: \"$work/out\"}}"
    echo "dead_letter: {directory: \"$work/dead-letter\"}"
    echo "monitoring: {listen: \"127.0.0.1:0\"}"
    echo "log: {level: warning}"
    [ "$mode" = on ] && echo "audit_metrics: {enabled: true}"
  } > "$work/tailship.yaml"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$bin" backfill --config "$work/tailship.yaml" > "$work/summary.txt" 2> "$work/stderr.txt"
  read -r wall user sys rss < "$work/time.txt"
  echo "$mode run $n: ${wall}s wall, ${user}s user, peak RSS $((rss / 1024)) MiB" >&2
  echo "$wall"
  rm -rf "$work/out"
}

. bench/on-off.sh
on_off_compare audit_metrics 0.9
