#!/usr/bin/env python3
"""Decodes the bodies a receiver accepted, in one of Tailship's output
formats, with Python's json module and each format's public shape, and
checks that every input line is carried, in order: byte for byte where the
format embeds the event as JSON, as an equal string where it wraps a line
that is not a JSON object.

usage: check_format.py FORMAT RECEIVER_LOG EVENTS.ndjson   (prints "ok N", exit 0; or the problem, exit 1)"""
import base64, json, sys

fmt, log, events_path = sys.argv[1:4]
events = open(events_path, "rb").read().split(b"\n")[:-1]
records = [json.loads(l) for l in open(log) if l.strip()]
bodies = [base64.b64decode(r["body"]) for r in sorted(records, key=lambda r: r["n"]) if r["status"] < 300]


def fail(msg):
    print(msg)
    sys.exit(1)


def is_object(line):
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


got = []
for body in bodies:
    text = body.decode("utf-8")
    if fmt == "ndjson":
        got += body.split(b"\n")[:-1]
    elif fmt in ("json-array", "audit-eventlist"):
        doc = json.loads(text)
        if fmt == "audit-eventlist":
            if doc.get("kind") != "EventList" or doc.get("apiVersion") != "audit.k8s.io/v1" or doc.get("metadata") != {}:
                fail("not an audit.k8s.io/v1 EventList")
            doc = doc["items"]
        if not isinstance(doc, list):
            fail("body is not a list")
        for item in doc:
            if isinstance(item, str):
                got.append(item.encode())
                continue
            # The object's own bytes: find the event line it parses from in the body.
            match = [e for e in events if e in body and is_object(e) and json.loads(e) == item]
            if not match:
                fail("an item is not byte-identical to any event line: %r" % json.dumps(item)[:120])
            got.append(match[0])
    elif fmt == "elasticsearch-bulk":
        lines = body.split(b"\n")
        if lines[-1] != b"" or len(lines) % 2 != 1:
            fail("bulk body is not newline-terminated action/source pairs")
        for action, source in zip(lines[0:-1:2], lines[1:-1:2]):
            a = json.loads(action)["create"]
            doc = json.loads(source)
            if "auditID" in doc:
                if a.get("_id") != doc["auditID"] + "-" + doc["stage"]:
                    fail("_id %r is not auditID-stage" % a.get("_id"))
                if a["_index"] != "audit-" + doc["stageTimestamp"][:10].replace("-", "."):
                    fail("_index %r is not from stageTimestamp %s" % (a["_index"], doc["stageTimestamp"]))
            got.append(doc["message"].encode() if list(doc) == ["message"] else source)
    elif fmt == "splunk-hec":
        dec = json.JSONDecoder()
        i = 0
        while i < len(text):
            while i < len(text) and text[i].isspace():
                i += 1
            if i == len(text):
                break
            env, j = dec.raw_decode(text, i)
            if env.get("sourcetype") != "kube:apiserver:audit" or not env.get("host") or env.get("index") != "audit":
                fail("HEC envelope without sourcetype, host or index: %r" % list(env))
            event = env["event"]
            if isinstance(event, dict):
                if "stageTimestamp" in event and "time" not in env:
                    fail("no time for an event with stageTimestamp")
                seg = text[i:j]
                raw = seg[seg.index('"event":') + len('"event":'):-1]  # the event is the envelope's last member
                got.append(raw.encode())
            else:
                got.append(event.encode())
            i = j
    elif fmt == "loki":
        doc = json.loads(text)
        for stream in doc["streams"]:
            if stream["stream"].get("job") != "audit" or "verb" not in stream["stream"]:
                fail("stream labels %r" % stream["stream"])
            for ts, line in stream["values"]:
                if not ts.isdigit() or len(ts) < 19:
                    fail("timestamp %r is not in nanoseconds" % ts)
                if is_object(line) and json.loads(line).get("verb", "") != stream["stream"]["verb"]:
                    fail("event in the wrong stream")
                got.append(line.encode())
    else:
        fail("unknown format " + fmt)

if fmt == "loki":
    # Streams group lines by labels; order holds within a stream, so compare as multisets.
    got, events = sorted(got), sorted(events)
if got != events:
    for k, (a, b) in enumerate(zip(got, events)):
        if a != b:
            fail("event %d differs:\n got  %r\n want %r" % (k, a[:160], b[:160]))
    fail("%d events received, %d written" % (len(got), len(events)))
print("ok", len(events))
