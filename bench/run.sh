#!/usr/bin/env bash
# The benchmark suite (issues 11 and 21), one run, side by side on this machine:
#   the references (pigz -1 -p CORES, igzip -1 -T CORES, gzip -1) on a >= 1 GiB benchmark log;
#   `tailship run` catching up that log to a loopback HTTP receiver that counts every event, and
#   `tailship backfill` of the same log to the same receiver and to the file sink (wall, CPU,
#   MiB/s, peak RSS, bytes); the write-to-receipt delay at a steady 2,000 events/s (max_wait
#   100ms); RSS after 60 s idle following one file; .gz backfill next to zcat (bench/backfill.sh);
#   a perf profile of the HTTP backfill; the micro-benchmarks.
# Prints a table and the targets, writes bench-results.json (bench/summary.py). Release build
# expected (make bench). Fails if any receiver is missing an event.
# Environment: BENCH_GIB (1), BENCH_SEED (1), BENCH_DIR (/tmp/tailship-bench; the log is kept),
#   BENCH_IDLE_SECONDS (60), BENCH_DELAY_SECONDS (30), BENCH_RATE (2000).
set -euo pipefail
cd "$(dirname "$0")/.."
gib=${BENCH_GIB:-1}
seed=${BENCH_SEED:-1}
dir=${BENCH_DIR:-/tmp/tailship-bench}
idle_seconds=${BENCH_IDLE_SECONDS:-60}
delay_seconds=${BENCH_DELAY_SECONDS:-30}
rate=${BENCH_RATE:-2000}
bin=$PWD/.build/release/tailship
tb=$PWD/.build/release/tailship-bench
real=Tests/Fixtures/real
cores=$(nproc)
mkdir -p "$dir"
log="$dir/bench-$gib-$seed.log"
[ -f "$log" ] || "$tb" generate "$real" "$log" "$gib" "$seed"
bytes=$(stat -c %s "$log")
events=$(wc -l < "$log")
mib=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1048576}')
echo "input: $log, $mib MiB, $events events (seed $seed); $cores cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
cat "$log" > /dev/null   # warm the page cache: every reader below starts from memory

# measure NAME CMD...: wall, user, sys seconds and peak RSS (KiB) into $dir/NAME.time
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$dir/$name.time" "$@"
}
field() { awk -v i="$2" '{print $i}' "$dir/$1.time"; }

wait_for_file() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; echo "timed out waiting for $1" >&2; return 1; }

start_receiver() {  # MODE NAME -> sets rpid, rport
  rm -f "$dir/$2.port" "$dir/$2.json"
  "$tb" receive "$1" "$dir/$2.port" "$dir/$2.json" & rpid=$!
  wait_for_file "$dir/$2.port"
  rport=$(cat "$dir/$2.port")
}
stop_receiver() {  # GET /stop: the receiver writes its result and exits
  exec 3<>"/dev/tcp/127.0.0.1/$rport"; printf 'GET /stop HTTP/1.1\r\nHost: bench\r\n\r\n' >&3; exec 3>&-
  wait "$rpid" || true; wait_for_file "$dir/$1.json"
}

config() {  # WORK OUTPUT-YAML [INPUT] [BATCH-YAML] [EXTRA-YAML]
  local work=$1 input=${3:-$log}
  rm -rf "$work"; mkdir -p "$work"
  {
    echo "inputs: [{paths: [\"$input\"], backups: none}]"
    echo "registry: {path: \"$work/registry.json\"}"
    [ -n "${4:-}" ] && echo "batch: $4"
    echo "output:"
    echo "  compression_level: 1"
    echo "$2"
    echo "dead_letter: {directory: \"$work/dead-letter\"}"
    echo "log: {level: warning}"
    if [ -n "${5:-}" ]; then echo "$5"; fi
  } > "$work/tailship.yaml"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

echo "running pigz -1 -p $cores, igzip -1 -T $cores, gzip -1 ..."
measure pigz sh -c "pigz -1 -p $cores -c '$log' | wc -c > '$dir/pigz.bytes'"
measure igzip sh -c "igzip -1 -T $cores -c '$log' | wc -c > '$dir/igzip.bytes'"
measure gzip sh -c "gzip -1 -c '$log' | wc -c > '$dir/gzip.bytes'"

echo "running tailship run -> HTTP (catching up the whole log; counting receiver) ..."
start_receiver discard run-receiver
mport=$(free_port)
config "$dir/run" "  http: {url: \"http://127.0.0.1:$rport/\"}" "" "" "monitoring: {listen: \"127.0.0.1:$mport\"}"
python3 bench/run_until.py "$bin" "$dir/run/tailship.yaml" "$mport" "$events" "$dir/tailship-run.json"
stop_receiver run-receiver

echo "running tailship backfill -> HTTP ..."
start_receiver discard http-receiver
config "$dir/http" "  http: {url: \"http://127.0.0.1:$rport/\"}"
measure tailship-http "$bin" backfill --config "$dir/http/tailship.yaml" > "$dir/http/summary.txt" 2> "$dir/http/stderr.txt"
stop_receiver http-receiver

echo "running tailship backfill -> file sink ..."
config "$dir/file" "  file: {directory: \"$dir/file/out\"}"
measure tailship-file "$bin" backfill --config "$dir/file/tailship.yaml" > "$dir/file/summary.txt" 2> "$dir/file/stderr.txt"
rm -rf "$dir/file/out"

echo "running the steady writer, $rate events/s for ${delay_seconds}s, max_wait 100ms ..."
start_receiver delay delay-receiver
steady="$dir/delay/steady.log"
config "$dir/delay" "  http: {url: \"http://127.0.0.1:$rport/\"}" "$steady" "{max_wait: 100ms}"
: > "$steady"
"$bin" run --config "$dir/delay/tailship.yaml" 2> "$dir/delay/stderr.txt" & dpid=$!
sleep 2
"$tb" write "$real" "$steady" "$rate" "$delay_seconds" "$seed" > "$dir/delay/writer.txt"
sleep 2
kill -TERM "$dpid"; wait "$dpid" || true
stop_receiver delay-receiver

echo "idle: following one file for ${idle_seconds}s ..."
config "$dir/idle" "  file: {directory: \"$dir/idle/out\"}" "$dir/idle/one.log"
head -1000 "$steady" > "$dir/idle/one.log"
"$bin" run --config "$dir/idle/tailship.yaml" 2> "$dir/idle/stderr.txt" & ipid=$!
sleep "$idle_seconds"
idle_kib=$(awk '/^VmRSS/{print $2}' "/proc/$ipid/status")
kill -TERM "$ipid"; wait "$ipid" || true

echo "micro-benchmarks ..."
"$tb" micro "$log" 256 "$dir/micro.json" | tee "$dir/micro.txt"

echo ".gz backfill next to zcat ..."
BENCH_DIR="${BENCH_BACKFILL_DIR:-/tmp/tailship-bench-backfill}" BENCH_RESULT="$dir/gz-backfill.json" bench/backfill.sh "$gib"

echo "perf profile of tailship backfill -> HTTP ..."
start_receiver discard profile-receiver
config "$dir/profile" "  http: {url: \"http://127.0.0.1:$rport/\"}"
perf record -F 499 -g -o "$dir/perf.data" -- "$bin" backfill --config "$dir/profile/tailship.yaml" > /dev/null 2> "$dir/profile/stderr.txt"
stop_receiver profile-receiver
perf report -i "$dir/perf.data" --stdio --no-children --sort dso --percent-limit 0.5 2>/dev/null | grep -E '^ +[0-9.]+%' > "$dir/profile-dso.txt" || true
perf report -i "$dir/perf.data" --stdio --no-children --sort dso,symbol --percent-limit 0.7 -g none 2>/dev/null | grep -E '^ +[0-9.]+%' > "$dir/profile-symbols.txt" || true

python3 bench/summary.py "$dir" "$bytes" "$events" "$cores" "$idle_kib" "$gib" "$seed" "$idle_seconds" "$rate"
