#!/usr/bin/env python3
"""An HTTP receiver that fails at random, for Tailship's chaos test.

Each request, by a seeded random draw: accepted (200); 500; 429 with
Retry-After; the connection reset before the body is read; an answer slower
than the client's timeout (the events count as received: the server did the
work); or accepted and then reset before any answer (received, but the client
must send again). The auditIDs of every request that counts as received are
appended to --ids, one per line. Standard library only.

usage: chaos_receiver.py --port-file F --ids F --seed N [--slow SECONDS]
"""
import argparse, gzip, json, os, random, socket, struct, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--ids", required=True)
parser.add_argument("--seed", type=int, required=True)
parser.add_argument("--slow", type=float, default=1.5)
args = parser.parse_args()

rng = random.Random(args.seed)
lock = threading.Lock()
ids_file = open(args.ids, "a")
counts = {}


def draw():
    with lock:
        r = rng.random()
    for limit, outcome in ((0.10, "500"), (0.20, "429"), (0.27, "reset"), (0.33, "slow"), (0.42, "accept-reset")):
        if r < limit:
            return outcome
    return "ok"


def record(body):
    ids = []
    for line in body.split(b"\n"):
        if line.strip():
            try:
                ids.append(json.loads(line)["auditID"])
            except Exception:
                ids.append("unparsable")
    with lock:
        ids_file.write("".join(i + "\n" for i in ids))
        ids_file.flush()


def reset(handler):
    # SO_LINGER 0: close() sends RST instead of FIN.
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.close_connection = True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        outcome = draw()
        with lock:
            counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == "reset":
            reset(self)
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = gzip.decompress(raw) if self.headers.get("Content-Encoding") == "gzip" else raw
        if outcome == "500":
            return self.answer(500, b"chaos")
        if outcome == "429":
            return self.answer(429, b"slow down", {"Retry-After": "1"})
        record(body)
        if outcome == "accept-reset":
            reset(self)
            return
        if outcome == "slow":
            time.sleep(args.slow)
        self.answer(200, b"{}")

    def answer(self, status, text, headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
