#!/usr/bin/env python3
"""An HTTP(S) receiver for Tailship's integration tests, on 127.0.0.1.

It answers each request from a script (status, headers, body, delay; by
arrival order, or to the first request whose body holds "when"; then the default), records every request as one JSON line
(headers, gunzipped body in base64, status), and writes its port to a file
once it listens. Standard library only, so it is independent of Tailship's
own HTTP stack.

While the file named by --fail-while exists, every request gets 503 (an outage).

usage: receiver.py --port-file F --log F [--script JSON] [--fail-while F] [--cert C --key K [--client-ca CA]]
"""
import argparse, base64, gzip, json, os, ssl, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--script", default="[]")
parser.add_argument("--default", default='{"status": 200, "body": "{}"}')
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--client-ca")
parser.add_argument("--fail-while")
args = parser.parse_args()

script = json.loads(args.script)
default = json.loads(args.default)
lock = threading.Lock()
count = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
        with lock:
            n = count[0]
            count[0] += 1
            # Answers with "when" go to the first request whose body holds that text; the others by arrival.
            answer = None
            for a in script:
                if "when" in a and not a.get("used") and a["when"].encode() in body:
                    a["used"] = True
                    answer = a
                    break
            if answer is None:
                plain = [a for a in script if "when" not in a]
                answer = plain[n] if n < len(plain) else default
            if args.fail_while and os.path.exists(args.fail_while):
                answer = {"status": 503, "body": "outage"}
        time.sleep(answer.get("delay", 0))
        status = answer.get("status", 200)
        text = answer.get("body", "{}")
        if answer.get("bulk"):  # Elasticsearch: one item per action line, statuses in turn
            actions = [l for i, l in enumerate(body.split(b"\n")[:-1]) if i % 2 == 0]
            statuses = answer["bulk"]
            items = []
            for i, _ in enumerate(actions):
                s = statuses[i % len(statuses)]
                item = {"_index": "x", "_id": str(i), "status": s}
                if s >= 300:
                    item["error"] = {"type": "test_error", "reason": "status %d" % s}
                items.append({"create": item})
            text = json.dumps({"took": 1, "errors": any(s >= 300 for s in statuses), "items": items})
        with lock:
            with open(args.log, "a") as f:
                f.write(json.dumps({"n": n, "t": time.time(), "path": self.path, "status": status,
                                    "headers": {k.lower(): v for k, v in self.headers.items()},
                                    "body": base64.b64encode(body).decode()}) + "\n")
        data = text.encode()
        self.send_response(status)
        for k, v in answer.get("headers", {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
if args.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(args.client_ca)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
