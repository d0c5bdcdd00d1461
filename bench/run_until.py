#!/usr/bin/env python3
"""`tailship run` until its /metrics say EVENTS were shipped, then SIGTERM.

Usage: run_until.py TAILSHIP CONFIG MONITOR_PORT EVENTS OUT_JSON
Writes wall seconds (start to the last acknowledgement: polled every 250 ms up to 90 % of
EVENTS, then every 10 ms, so the scrapes cost the daemon little CPU), user and
system CPU seconds and peak RSS (VmHWM) of the daemon, read from /proc before it stops.
"""
import json, os, signal, subprocess, sys, time, urllib.request

tailship, config, port, events, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]


def shipped():
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("tailship_events_shipped_total"):
            return int(float(line.split()[-1]))
    return 0


start = time.monotonic()
daemon = subprocess.Popen([tailship, "run", "--config", config], stderr=open(os.path.dirname(config) + "/stderr.txt", "w"))
while (done := shipped()) < events:
    if daemon.poll() is not None:
        sys.exit(f"tailship run exited with {daemon.returncode} before shipping {events} events")
    time.sleep(0.25 if done < events * 0.9 else 0.01)
wall = time.monotonic() - start
fields = open(f"/proc/{daemon.pid}/stat").read().rsplit(")", 1)[1].split()
tick = os.sysconf("SC_CLK_TCK")
hwm = next(int(l.split()[1]) for l in open(f"/proc/{daemon.pid}/status") if l.startswith("VmHWM:"))
daemon.send_signal(signal.SIGTERM)
daemon.wait()
json.dump({"wall_s": round(wall, 2), "user_s": int(fields[11]) / tick, "sys_s": int(fields[12]) / tick,
           "peak_rss_kib": hwm}, open(out, "w"))
