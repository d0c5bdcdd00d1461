#!/usr/bin/env bash
# Policy processor throughput on the real OpenShift audit log repeated to >= 1 GiB,
# next to decoding the same lines with Foundation's JSONDecoder, in one run.
# Usage: bench/policy.sh [GiB]   (default 1; data is kept in $BENCH_DIR between runs)
set -euo pipefail
cd "$(dirname "$0")/.."
gib=${1:-1}
dir=${BENCH_DIR:-/tmp/tailship-bench-policy}
src=../shared/testdata/real/openshift-cluster-logging-operator_audit_in.log
policy=../shared/testdata/policies/cloud-default-style.yaml
file="$dir/audit-$gib.log"
mkdir -p "$dir"
if [ ! -f "$file" ]; then
  want=$(( gib * 1073741824 ))
  size=$(stat -c %s "$src")
  echo "repeating $src to $gib GiB in $file ..."
  : > "$file.tmp"
  for _ in $(seq $(( (want + size - 1) / size ))); do cat "$src"; done >> "$file.tmp"
  mv "$file.tmp" "$file"
fi
echo "policy: $policy ($(grep -c 'level:' "$policy") rules)"
.build/release/tailship-bench policy "$policy" "$file" "$dir/policy-result.json"
