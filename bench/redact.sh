#!/usr/bin/env bash
# The daemon's throughput with redaction on (the default: Secret data, last-applied copies,
# tokens) next to the same run with it off, over a real-shaped log of >= 1 GiB: the real
# OpenShift audit log with the redaction canary corpus (16 events, 11 of them Secret,
# TokenRequest and TokenReview events carrying values to redact) after each copy, so 14 % of
# the events are ones redaction edits. File output, gzip level 1. Runs alternate off/on,
# three times each; the fastest of each mode counts. Each run must deliver every event, and
# the "on" output must hold none of the canaries the defaults redact. Target: on >= 0.95 x off.
# Usage: bench/redact.sh [GiB]   (default 1; data is kept in $BENCH_DIR between runs)
set -euo pipefail
cd "$(dirname "$0")/.."
gib=${1:-1}
dir=${BENCH_DIR:-/tmp/tailship-bench-redact}
bin=.build/release/tailship
file="$dir/audit-secrets-$gib.log"
src=Tests/Fixtures/real/openshift-cluster-logging-operator_audit_in.log
corpus=Tests/Fixtures/redaction/canary-events.log
if [ ! -f "$file" ]; then
  mkdir -p "$dir"
  want=$(( gib * 1073741824 )); each=$(( $(stat -c %s "$src") + $(stat -c %s "$corpus") ))
  echo "repeating $src and $corpus to $gib GiB in $file ..."
  for _ in $(seq $(( (want + each - 1) / each ))); do cat "$src" "$corpus"; done > "$file.tmp"
  mv "$file.tmp" "$file"
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
    [ "$leaked" = 0 ] || { echo "on run $n: $leaked lines still hold a canary" >&2; exit 1; }
  fi
  echo "$mode run $n: ${wall}s wall, ${user}s user, peak RSS $((rss / 1024)) MiB, $got events delivered" >&2
  echo "$wall"
  rm -rf "$work/out"
}

echo "input: $file, $mib MiB, $events events"
offs=() ons=()
for n in 1 2 3; do offs+=("$(run off $n)"); ons+=("$(run on $n)"); done
off=$(printf '%s\n' "${offs[@]}" | sort -g | head -1)
on=$(printf '%s\n' "${ons[@]}" | sort -g | head -1)
printf '\n%-40s %10s %10s\n' "tailship backfill -> file sink" "wall s" "MiB/s"
printf '%-40s %10s %10s\n' "redaction off" "$off" "$(awk -v m="$mib" -v s="$off" 'BEGIN{printf "%.1f", m/s}')"
printf '%-40s %10s %10s\n' "redaction on (default)" "$on" "$(awk -v m="$mib" -v s="$on" 'BEGIN{printf "%.1f", m/s}')"
ratio=$(awk -v a="$off" -v b="$on" 'BEGIN{printf "%.3f", a/b}')
echo "throughput on/off: $ratio (target >= 0.95)"
awk -v r="$ratio" 'BEGIN{exit !(r >= 0.95)}' || { echo "below target"; exit 1; }
