#!/usr/bin/env python3
"""POSTs one body file to a URL and prints the HTTP status, the Retry-After header and the
answer's text as JSON (status 0 when the connection fails). For Tailship's webhook tests."""
import http.client, json, ssl, sys, urllib.parse

url, body_path = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2]
method = sys.argv[3] if len(sys.argv) > 3 else "POST"
headers = dict(h.split(":", 1) for h in sys.argv[4:])
with open(body_path, "rb") as f:
    body = f.read()
try:
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request(method, url.path, body=body if method == "POST" else None, headers=headers)
    resp = conn.getresponse()
    print(json.dumps({"status": resp.status, "retry_after": resp.getheader("Retry-After"), "text": resp.read().decode("utf-8", "replace")}))
except (OSError, http.client.HTTPException, ssl.SSLError) as e:
    print(json.dumps({"status": 0, "retry_after": None, "text": str(e)}))
