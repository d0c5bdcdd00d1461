#!/usr/bin/env bash
# Backfill throughput over >= 1 GiB of decompressed audit events stored as
# lumberjack-gzipped backups, next to `zcat FILES > /dev/null` in the same run.
# Usage: bench/backfill.sh [GiB]   (default 1; data is kept in $BENCH_DIR between runs)
set -euo pipefail
cd "$(dirname "$0")/.."
gib=${1:-1}
dir=${BENCH_DIR:-/tmp/tailship-bench-backfill}
bin=.build/release/tailship
writer=.build/tools/lumberjack-writer
events=$(( gib * 1450000 ))   # ~740 bytes an event

if [ ! -f "$dir/.done-$gib" ]; then
  rm -rf "$dir"; mkdir -p "$dir"
  echo "generating $events events (~$gib GiB) as gzipped lumberjack backups in $dir ..."
  "$writer" -path "$dir/k8s_audit.log" -events "$events" -maxsize 100 -backups 100 -compress -settle 1s >/dev/null
  # lumberjack compresses in the background: wait until no plain backup is left.
  while ls "$dir"/k8s_audit-*.log >/dev/null 2>&1; do sleep 1; done
  : > "$dir/k8s_audit.log"   # an empty live file: everything is in backups
  touch "$dir/.done-$gib"
fi
files=("$dir"/k8s_audit-*.log.gz)
# What the backups hold (the live file's last events were discarded above): counted once by zcat.
[ -s "$dir/.events-$gib" ] || zcat "${files[@]}" | wc -l > "$dir/.events-$gib"
events=$(cat "$dir/.events-$gib")
bytes=$(for f in "${files[@]}"; do gzip -l "$f" | awk 'NR==2{print $2}'; done | awk '{s+=$1} END{print s}')
mib=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1048576}')
echo "input: ${#files[@]} gzipped backups, $mib MiB decompressed"

t0=$(date +%s.%N); zcat "${files[@]}" > /dev/null; t1=$(date +%s.%N)
zcat_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')

rm -rf "$dir/out" "$dir/registry.json"*
/usr/bin/time -f "%e %U %S %M" -o "$dir/time.txt" \
  "$bin" backfill --path "$dir/k8s_audit.log" --output-dir "$dir/out" --registry "$dir/registry.json" > "$dir/summary.txt" 2> "$dir/backfill.log"
read -r wall user sys rss < "$dir/time.txt"
shipped=$(grep -o '[0-9]* events,' "$dir/summary.txt" | head -1)

printf '\n%-34s %10s %12s %10s\n' "measure" "wall s" "MiB/s" "peak RSS"
printf '%-34s %10s %12s %10s\n' "zcat FILES > /dev/null" "$zcat_s" "$(awk -v m="$mib" -v s="$zcat_s" 'BEGIN{printf "%.1f", m/s}')" "-"
printf '%-34s %10s %12s %10s\n' "tailship backfill -> file sink" "$wall" "$(awk -v m="$mib" -v s="$wall" 'BEGIN{printf "%.1f", m/s}')" "$((rss / 1024)) MiB"
echo "backfill CPU: user ${user}s sys ${sys}s; $(cat "$dir/summary.txt")"
echo "ratio backfill/zcat wall: $(awk -v a="$wall" -v b="$zcat_s" 'BEGIN{printf "%.2f", a/b}')"
if [ -n "${BENCH_RESULT:-}" ]; then
  printf '{"events_in_backups": %d, "backups": %d, "decompressed_bytes": %d, "zcat_wall_s": %s, "backfill_wall_s": %s, "backfill_user_s": %s, "backfill_sys_s": %s, "peak_rss_mib": %s, "summary": "%s"}\n' \
    "$events" "${#files[@]}" "$bytes" "$zcat_s" "$wall" "$user" "$sys" "$((rss / 1024))" "$(tr -d '"\n' < "$dir/summary.txt")" > "$BENCH_RESULT"
fi
