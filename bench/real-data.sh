# Sourced by the benchmarks: real_events FILE GIB writes the real OpenShift
# audit log repeated to >= GIB GiB into FILE, once (kept between runs).
real_events() {
  local file=$1 gib=$2 src=Tests/Fixtures/real/openshift-cluster-logging-operator_audit_in.log
  [ -f "$file" ] && return 0
  mkdir -p "$(dirname "$file")"
  local want=$(( gib * 1073741824 )) size
  size=$(stat -c %s "$src")
  echo "repeating $src to $gib GiB in $file ..."
  : > "$file.tmp"
  for _ in $(seq $(( (want + size - 1) / size ))); do cat "$src"; done >> "$file.tmp"
  mv "$file.tmp" "$file"
}
