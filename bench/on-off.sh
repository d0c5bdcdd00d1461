# Sourced by the on/off benchmarks: on_off_compare NAME TARGET [RUNS] [STAT] runs `run off N`
# and `run on N` (each prints its wall seconds) alternately RUNS times (default 3), takes the
# fastest (STAT min, the default) or the median (STAT median) of each mode, prints both with
# MiB/s ($mib) and fails below TARGET x off.
on_off_compare() {
  local name=$1 target=$2 runs=${3:-3} stat=${4:-min} offs=() ons=() off on ratio pick
  echo "input: $file, $mib MiB, $events events"
  for n in $(seq "$runs"); do offs+=("$(run off "$n")"); ons+=("$(run on "$n")"); done
  if [ "$stat" = median ]; then pick="sed -n $(( (runs + 1) / 2 ))p"; else pick="head -1"; fi
  off=$(printf '%s\n' "${offs[@]}" | sort -g | $pick)
  on=$(printf '%s\n' "${ons[@]}" | sort -g | $pick)
  printf '\n%-40s %10s %10s\n' "tailship backfill -> file sink ($stat of $runs)" "wall s" "MiB/s"
  printf '%-40s %10s %10s\n' "$name off" "$off" "$(awk -v m="$mib" -v s="$off" 'BEGIN{printf "%.1f", m/s}')"
  printf '%-40s %10s %10s\n' "$name on" "$on" "$(awk -v m="$mib" -v s="$on" 'BEGIN{printf "%.1f", m/s}')"
  ratio=$(awk -v a="$off" -v b="$on" 'BEGIN{printf "%.3f", a/b}')
  echo "throughput on/off: $ratio (target >= $target)"
  awk -v r="$ratio" -v t="$target" 'BEGIN{exit !(r >= t)}' || { echo "below target"; exit 1; }
}
