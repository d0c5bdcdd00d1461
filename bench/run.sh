#!/usr/bin/env bash
# The benchmark suite (issue 11), one run, side by side on this machine:
#   zlib's own limit (pigz -1 -p CORES, and gzip -1 for scale) on a >= 1 GiB
#   benchmark log, Tailship shipping that log to a loopback HTTP receiver that
#   discards bodies and to the file sink (wall, CPU, MiB/s, peak RSS), the
#   write-to-receipt delay at a steady 2,000 events/s (max_wait 100ms), RSS
#   after 60 s idle following one file, and the micro-benchmarks.
# Prints a table, writes bench-results.json. Release build expected (make bench).
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

config() {  # WORK OUTPUT-YAML [INPUT] [BATCH-YAML]
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
  } > "$work/tailship.yaml"
}

echo "running pigz -1 -p $cores ..."
measure pigz sh -c "pigz -1 -p $cores -c '$log' > /dev/null"
echo "running gzip -1 ..."
measure gzip sh -c "gzip -1 -c '$log' > /dev/null"

echo "running tailship -> HTTP (discarding receiver) ..."
start_receiver discard http-receiver
config "$dir/http" "  http: {url: \"http://127.0.0.1:$rport/\"}"
measure tailship-http "$bin" backfill --config "$dir/http/tailship.yaml" > "$dir/http/summary.txt" 2> "$dir/http/stderr.txt"
stop_receiver http-receiver

echo "running tailship -> file sink ..."
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

python3 - "$dir" "$bytes" "$events" "$cores" "$idle_kib" "$gib" "$seed" "$idle_seconds" "$rate" <<'PY'
import json, sys, platform, subprocess
d, size, events, cores, idle_kib, gib, seed, idle_s, rate = sys.argv[1:]
size, events, cores = int(size), int(events), int(cores)
mib = size / 1048576
def t(name):
    wall, user, sys_, rss = open(f"{d}/{name}.time").read().split()
    wall, cpu = float(wall), float(user) + float(sys_)
    return {"wall_s": wall, "cpu_s": round(cpu, 2), "mib_s": round(mib / wall, 1),
            "cpu_s_per_gib": round(cpu / (size / 2**30), 2), "peak_rss_mib": round(int(rss) / 1024, 1)}
r = {"machine": {"cores": cores, "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), ""),
                 "kernel": platform.release()},
     "input": {"bytes": size, "events": events, "gib": float(gib), "seed": int(seed)},
     "pigz": t("pigz"), "gzip": t("gzip"), "tailship_http": t("tailship-http"), "tailship_file": t("tailship-file")}
r["tailship_http"]["receiver"] = json.load(open(f"{d}/http-receiver.json"))
delay = json.load(open(f"{d}/delay-receiver.json"))
written = int(open(f"{d}/delay/writer.txt").read().split()[1])
r["delay"] = {"rate": int(rate), "written": written, **delay}
r["idle"] = {"seconds": int(idle_s), "rss_mib": round(int(idle_kib) / 1024, 1)}
r["micro"] = json.load(open(f"{d}/micro.json"))
p, h = r["pigz"], r["tailship_http"]
targets = [
    ("HTTP wall / pigz wall", h["wall_s"] / p["wall_s"], 1.5),
    ("HTTP CPU per GiB / pigz CPU per GiB", h["cpu_s_per_gib"] / p["cpu_s_per_gib"], 1.3),
    ("peak RSS, HTTP run (MiB)", h["peak_rss_mib"], 64),
    ("peak RSS, file run (MiB)", r["tailship_file"]["peak_rss_mib"], 64),
    ("idle RSS (MiB)", r["idle"]["rss_mib"], 20),
    ("delay p99 (ms)", r["delay"]["delay_p99_ms"], 250),
]
r["targets"] = [{"name": n, "value": round(v, 3), "limit": lim, "met": v <= lim} for n, v, lim in targets]
# Delivery: the receiver counted every event it got (gunzipped after the timed run).
got = r["tailship_http"]["receiver"]
missing = []
if got["events"] != events or got["decoded_bytes"] != size:
    missing.append(f"HTTP run: receiver got {got['events']} of {events} events, {got['decoded_bytes']} of {size} bytes")
if r["delay"]["events"] != written:
    missing.append(f"delay run: receiver got {r['delay']['events']} of {written} events")
r["delivery"] = {"verified": not missing, "problems": missing}
json.dump(r, open("bench-results.json", "w"), indent=2)
print()
print(f"{'run':34} {'wall s':>8} {'CPU s':>8} {'MiB/s':>8} {'CPU s/GiB':>10} {'peak RSS MiB':>13}")
for key, label in [("pigz", f"pigz -1 -p {cores}"), ("gzip", "gzip -1"), ("tailship_http", "tailship -> HTTP (gzip 1)"), ("tailship_file", "tailship -> file (gzip 1)")]:
    x = r[key]
    print(f"{label:34} {x['wall_s']:8.2f} {x['cpu_s']:8.2f} {x['mib_s']:8.1f} {x['cpu_s_per_gib']:10.2f} {x['peak_rss_mib']:13.1f}")
dl = r["delay"]
print(f"delay at {dl['rate']}/s, max_wait 100ms: p50 {dl['delay_p50_ms']} ms, p99 {dl['delay_p99_ms']} ms, max {dl['delay_max_ms']} ms ({dl['events']} of {dl['written']} events received)")
print(f"idle RSS after {idle_s} s following one file: {r['idle']['rss_mib']} MiB")
print()
for x in r["targets"]:
    print(f"{x['name']:40} {x['value']:10.3f}  target <= {x['limit']:<6} {'met' if x['met'] else 'NOT MET'}")
print(f"delivery: HTTP run {got['events']} of {events} events ({got['decoded_bytes']} of {size} bytes), delay run {r['delay']['events']} of {written}")
print("written: bench-results.json")
if missing:
    print("BENCH FAILED: events missing: " + "; ".join(missing))
    sys.exit(1)
PY
