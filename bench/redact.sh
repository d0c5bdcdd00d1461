#!/usr/bin/env bash
# The daemon's throughput with redaction on (the default: Secret data, last-applied copies,
# tokens) next to the same run with it off, over the real-shaped 1 GiB log of bench/run.sh
# (`tailship-bench generate` from Tests/Fixtures/real, seed 1: 84 % Metadata) with the
# redaction canary corpus (15 events: Secret, TokenRequest, TokenReview and custom ones, 9
# with values the defaults redact) after every 1,000 events, so 1.5 % of the events are ones redaction
# looks into (the real logs in Tests/Fixtures have none with Secret data). File output,
# gzip level 1. Runs alternate off/on, seven times each; the median of each mode counts
# (single runs on this VM vary by +-15 %). Each run must deliver every event, and the "on" output
# must hold none of the canaries the defaults redact. Target: on >= 0.95 x off.
# Usage: bench/redact.sh [GiB]   (default 1; data is kept in $BENCH_DIR between runs)
set -euo pipefail
cd "$(dirname "$0")/.."
gib=${1:-1}
dir=${BENCH_DIR:-/tmp/tailship-bench-redact}
bin=.build/release/tailship
file="$dir/shaped-secrets-$gib.log"
corpus=Tests/Fixtures/redaction/canary-events.log
if [ ! -f "$file" ]; then
  mkdir -p "$dir"
  .build/release/tailship-bench generate Tests/Fixtures/real "$dir/shaped-$gib.log" "$gib" 1
  awk -v corpus="$corpus" '{ print } NR % 1000 == 0 { while ((getline line < corpus) > 0) print line; close(corpus) }' \
    "$dir/shaped-$gib.log" > "$file.tmp"
  mv "$file.tmp" "$file"; rm "$dir/shaped-$gib.log"
fi
mib=$(awk -v b="$(stat -c %s "$file")" 'BEGIN{printf "%.1f", b/1048576}')
events=$(wc -l < "$file")
head -c 40 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/redact.key"

run() {  # run MODE N -> wall seconds
  local mode=$1 n=$2 work="$dir/redact-$1-$2"
  rm -rf "$work"; mkdir -p "$work"
  {
    echo "inputs: [{paths: [\"$file\"], backups: none}]"
    echo "registry: {path: \"$work/registry.json\"}"
    echo "output: {file: {directory: \"$work/out\"}}"
    echo "dead_letter: {directory: \"$work/dead-letter\"}"
    echo "log: {level: warning}"
    if [ "$mode" = on ]; then echo "redact: {key_file: \"$dir/redact.key\"}"; else echo "redact: {secrets: false}"; fi
  } > "$work/tailship.yaml"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$bin" backfill --config "$work/tailship.yaml" > "$work/summary.txt" 2> "$work/stderr.txt"
  read -r wall user sys rss < "$work/time.txt"
  local got leaked
  got=$(zcat "$work"/out/*.gz | wc -l)
  [ "$got" = "$events" ] || { echo "$mode run $n: $got of $events events delivered" >&2; exit 1; }
  if [ "$mode" = on ]; then
    # The corpus's custom-path canaries (canary-custom, canary-annotation) need redact.paths: not the default.
    leaked=$(zcat "$work"/out/*.gz | grep -cE 'canary-(string|escaped|applied|patch|tokenid|tokensecret|usage|jwt|review)|Y2FuYXJ5' || true)
    echo "on run $n: $(zcat "$work"/out/*.gz | grep -c 'redacted sha256:') events with redacted values, $leaked with a canary left" >&2
    [ "$leaked" = 0 ] || { echo "on run $n: $leaked lines still hold a canary" >&2; exit 1; }
  fi
  echo "$mode run $n: ${wall}s wall, ${user}s user, peak RSS $((rss / 1024)) MiB, $got events delivered" >&2
  echo "$wall"
  rm -rf "$work/out"
}

. bench/on-off.sh
on_off_compare redaction 0.95 7 median
