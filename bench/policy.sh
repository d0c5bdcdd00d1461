#!/usr/bin/env bash
# Policy processor throughput on the real OpenShift audit log repeated to >= 1 GiB,
# next to decoding the same lines with Foundation's JSONDecoder, in one run.
# Usage: bench/policy.sh [GiB]   (default 1; data is kept in $BENCH_DIR between runs)
set -euo pipefail
cd "$(dirname "$0")/.."
gib=${1:-1}
dir=${BENCH_DIR:-/tmp/tailship-bench-policy}
policy=Tests/Fixtures/policies/cloud-default-style.yaml
file="$dir/audit-$gib.log"
. bench/real-data.sh
real_events "$file" "$gib"
echo "policy: $policy ($(grep -c 'level:' "$policy") rules)"
.build/release/tailship-bench policy "$policy" "$file" "$dir/policy-result.json"
