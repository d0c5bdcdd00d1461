#!/usr/bin/env python3
"""Replays real audit events to an audit webhook the way the apiserver's batch webhook
backend sends them: audit.k8s.io/v1 EventList bodies of up to --batch events (items
without kind/apiVersion, as a list encodes them), POSTed one at a time over a kept-alive
connection; a failed POST (connection error, 429, 5xx) is sent again, whole, after an
exponential backoff (factor 1.5 with jitter, honouring Retry-After). Written for
Tailship's tests; standard library only.

Each event gets a unique auditID (00000000-0000-4000-8000-<12 hex digits of its
number>) so delivery can be checked event by event. Writes --out (JSON): the numbers of
events answered 200, answer times in ms, statuses; and --progress with the count answered
200 so far (for a test that kills the receiver at given moments)."""
import argparse, gzip, http.client, json, os, random, ssl, sys, time, urllib.parse


def load_events(paths):
    events = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    e = json.loads(line)
                except ValueError:
                    continue
                if isinstance(e, dict) and e.get("kind") == "Event" and "stage" in e:
                    e.pop("kind", None)
                    e.pop("apiVersion", None)
                    events.append(e)
    if not events:
        sys.exit("no audit events in " + ", ".join(paths))
    return events


def audit_id(n):
    return "00000000-0000-4000-8000-%012x" % n


class Sender:
    def __init__(self, args):
        self.url = urllib.parse.urlsplit(args.url)
        self.args = args
        self.conn = None
        self.context = None
        if self.url.scheme == "https":
            self.context = ssl.create_default_context(cafile=args.cafile)
            if args.cert:
                self.context.load_cert_chain(args.cert, args.key)

    def connect(self):
        if self.context:
            return http.client.HTTPSConnection(self.url.hostname, self.url.port, context=self.context, timeout=self.args.timeout)
        return http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=self.args.timeout)

    def post(self, body, headers):
        """(status, retry_after or None, elapsed ms); status 0 for a connection error."""
        began = time.monotonic()
        try:
            if self.conn is None:
                self.conn = self.connect()
            self.conn.request("POST", self.url.path, body=body, headers=headers)
            resp = self.conn.getresponse()
            resp.read()
            retry = resp.getheader("Retry-After")
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
            return resp.status, (float(retry) if retry else None), (time.monotonic() - began) * 1000
        except (OSError, http.client.HTTPException, ssl.SSLError):
            self.close()
            return 0, None, (time.monotonic() - began) * 1000

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
        self.conn = None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--source", action="append", required=True)
    p.add_argument("--events", type=int, default=1000)
    p.add_argument("--first", type=int, default=0, help="number of the first event")
    p.add_argument("--batch", type=int, default=400)
    p.add_argument("--rate", type=float, default=0, help="events per second (0: as fast as answered)")
    p.add_argument("--gzip", action="store_true")
    p.add_argument("--initial-backoff", type=float, default=0.1)
    p.add_argument("--max-backoff", type=float, default=2.0)
    p.add_argument("--max-attempts", type=int, default=0, help="0: retry until answered 200")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--cafile")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--out", required=True)
    p.add_argument("--progress")
    args = p.parse_args()

    source = load_events(args.source)
    sender = Sender(args)
    acked, latencies, statuses, dropped = [], [], {}, []
    started = time.monotonic()
    n = args.first
    end = args.first + args.events
    while n < end:
        count = min(args.batch, end - n)
        if args.rate > 0:
            due = started + (n - args.first + count) / args.rate
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
        items = []
        for i in range(n, n + count):
            e = dict(source[i % len(source)])
            e["auditID"] = audit_id(i)
            items.append(e)
        body = json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "metadata": {}, "items": items},
                          separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        if args.gzip:
            body = gzip.compress(body, 1)
            headers["Content-Encoding"] = "gzip"
        backoff, attempt = args.initial_backoff, 0
        while True:
            attempt += 1
            status, retry_after, ms = sender.post(body, headers)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == 200:
                latencies.append(ms)
                acked.extend(range(n, n + count))
                break
            if 400 <= status < 500 and status != 429:
                dropped.extend(range(n, n + count))
                break
            if args.max_attempts and attempt >= args.max_attempts:
                dropped.extend(range(n, n + count))
                break
            wait = retry_after if retry_after is not None else backoff * random.uniform(1.0, 1.2)
            time.sleep(min(wait, args.max_backoff))
            backoff = min(backoff * 1.5, args.max_backoff)
        n += count
        if args.progress:
            with open(args.progress + ".tmp", "w") as f:
                f.write(str(len(acked)))
            os.replace(args.progress + ".tmp", args.progress)
    sender.close()
    lat = sorted(latencies)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else 0
    with open(args.out + ".tmp", "w") as f:
        json.dump({"acked": acked, "dropped": dropped, "latencies_ms": latencies, "statuses": statuses,
                   "p99_ms": p99, "seconds": time.monotonic() - started}, f)
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
