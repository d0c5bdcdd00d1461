#!/usr/bin/env python3
"""bench/run.sh's results: the table, the issue-21 targets, the delivery check; writes bench-results.json.

Usage: summary.py DIR BYTES EVENTS CORES IDLE_KIB GIB SEED IDLE_SECONDS RATE
"""
import json, platform, sys

d, size, events, cores, idle_kib, gib, seed, idle_s, rate = sys.argv[1:]
size, events, cores = int(size), int(events), int(cores)
mib, gibs = size / 1048576, size / 2**30


def figures(wall, cpu, rss_kib, **extra):
    return {"wall_s": wall, "cpu_s": round(cpu, 2), "mib_s": round(mib / wall, 1), "cpu_s_per_gib": round(cpu / gibs, 2),
            "peak_rss_mib": round(rss_kib / 1024, 1), **extra}


def timed(name):
    wall, user, sys_, rss = open(f"{d}/{name}.time").read().split()
    return figures(float(wall), float(user) + float(sys_), int(rss))


def out_bytes(name):
    return int(open(f"{d}/{name}.bytes").read().split()[0])


r = {"machine": {"cores": cores, "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), ""),
                 "kernel": platform.release()},
     "input": {"bytes": size, "events": events, "gib": float(gib), "seed": int(seed)},
     "pigz": {**timed("pigz"), "bytes": out_bytes("pigz")}, "igzip": {**timed("igzip"), "bytes": out_bytes("igzip")},
     "gzip": {**timed("gzip"), "bytes": out_bytes("gzip")}}
run = json.load(open(f"{d}/tailship-run.json"))
r["tailship_run_http"] = figures(run["wall_s"], run["user_s"] + run["sys_s"], run["peak_rss_kib"], receiver=json.load(open(f"{d}/run-receiver.json")))
r["tailship_backfill_http"] = {**timed("tailship-http"), "receiver": json.load(open(f"{d}/http-receiver.json"))}
r["tailship_backfill_file"] = timed("tailship-file")
delay = json.load(open(f"{d}/delay-receiver.json"))
written = int(open(f"{d}/delay/writer.txt").read().split()[1])
r["delay"] = {"rate": int(rate), "written": written, **delay}
r["idle"] = {"seconds": int(idle_s), "rss_mib": round(int(idle_kib) / 1024, 1)}
r["gz_backfill"] = json.load(open(f"{d}/gz-backfill.json"))
r["micro"] = json.load(open(f"{d}/micro.json"))
r["profile"] = {"by_library": [l.strip() for l in open(f"{d}/profile-dso.txt")][:12],
                "by_symbol": [l.strip() for l in open(f"{d}/profile-symbols.txt")][:25]}

p, h, b, g = r["pigz"], r["tailship_run_http"], r["tailship_backfill_http"], r["gz_backfill"]
targets = [
    ("run -> HTTP CPU s/GiB / pigz CPU s/GiB", h["cpu_s_per_gib"] / p["cpu_s_per_gib"], 0.35),
    ("run -> HTTP wall / pigz wall", h["wall_s"] / p["wall_s"], 0.6),
    ("run -> HTTP wall / backfill -> HTTP wall", h["wall_s"] / b["wall_s"], 1.1),
    ("bytes sent / pigz -1 bytes", h["receiver"]["body_bytes"] / p["bytes"], 1.0),
    ("peak RSS, run -> HTTP (MiB)", h["peak_rss_mib"], 48),
    (f"idle RSS after {idle_s} s (MiB)", r["idle"]["rss_mib"], 16),
    ("delay p99 at 2,000/s, max_wait 100ms (ms)", r["delay"]["delay_p99_ms"], 150),
    (".gz backfill wall / zcat wall", g["backfill_wall_s"] / g["zcat_wall_s"], 1.0),
]
r["targets"] = [{"name": n, "value": round(v, 3), "limit": lim, "met": v <= lim} for n, v, lim in targets]

missing = []
for label, got in [("run -> HTTP", h["receiver"]), ("backfill -> HTTP", b["receiver"])]:
    if got["events"] != events or got["decoded_bytes"] != size:
        missing.append(f"{label}: receiver got {got['events']} of {events} events, {got['decoded_bytes']} of {size} bytes")
if r["delay"]["events"] != written:
    missing.append(f"delay run: receiver got {r['delay']['events']} of {written} events")
if f"{g['events_in_backups']} events" not in g["summary"]:
    missing.append(f".gz backfill: summary does not report {g['events_in_backups']} events: {g['summary']}")
r["delivery"] = {"verified": not missing, "problems": missing}
json.dump(r, open("bench-results.json", "w"), indent=2)

print(f"\n{'run':34} {'wall s':>8} {'CPU s':>8} {'MiB/s':>8} {'CPU s/GiB':>10} {'peak RSS MiB':>13} {'bytes out':>12}")
rows = [("pigz", f"pigz -1 -p {cores}"), ("igzip", f"igzip -1 -T {cores}"), ("gzip", "gzip -1"),
        ("tailship_run_http", "tailship run -> HTTP"), ("tailship_backfill_http", "tailship backfill -> HTTP"),
        ("tailship_backfill_file", "tailship backfill -> file")]
for key, label in rows:
    x = r[key]
    sent = x.get("bytes", x.get("receiver", {}).get("body_bytes", ""))
    print(f"{label:34} {x['wall_s']:8.2f} {x['cpu_s']:8.2f} {x['mib_s']:8.1f} {x['cpu_s_per_gib']:10.2f} {x['peak_rss_mib']:13.1f} {sent:>12}")
print(f".gz backfill: {g['backups']} backups, {g['decompressed_bytes'] / 1048576:.0f} MiB: zcat {g['zcat_wall_s']} s, backfill {g['backfill_wall_s']} s")
dl = r["delay"]
print(f"delay at {dl['rate']}/s, max_wait 100ms: p50 {dl['delay_p50_ms']} ms, p99 {dl['delay_p99_ms']} ms, max {dl['delay_max_ms']} ms ({dl['events']} of {dl['written']} events received)")
print("\nprofile of backfill -> HTTP, by library:")
for line in r["profile"]["by_library"]:
    print("  " + line)
print()
for x in r["targets"]:
    print(f"{x['name']:44} {x['value']:10.3f}  target <= {x['limit']:<6} {'met' if x['met'] else 'NOT MET'}")
print("written: bench-results.json")
if missing:
    print("BENCH FAILED: events missing: " + "; ".join(missing))
    sys.exit(1)
print(f"delivery: every event arrived in each run ({events} events, {size} bytes)")
