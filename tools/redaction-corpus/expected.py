#!/usr/bin/env python3
"""The redaction reference, written apart from Tailship's code: what each line of the canary
corpus must become. It knows nothing of JSON structure: every canary value (canaries.txt
lists them decoded) is replaced where it is written, as a JSON string in the event and as a
JSON string inside the last-applied annotation's string, by its token; with a pseudonym key,
the corpus's `user.username` and `sourceIPs` values likewise. Every other byte is kept.

Usage: expected.py EVENTS CANARIES KEYFILE [PSEUDONYM_KEYFILE] > expected.log
Tokens: "<redacted sha256:" + first 12 hex of HMAC-SHA-256(key, value) + ">", and
"anon:" + first 16 hex; a key is its file's content without surrounding whitespace.
"""
import hashlib, hmac, json, re, sys

def go_json(value):
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

def key(path):
    return open(path, "rb").read().strip()

def token(k, value, digits):
    return hmac.new(k, value.encode(), hashlib.sha256).hexdigest()[:digits]

def main():
    events, canaries, redaction_key = sys.argv[1], sys.argv[2], key(sys.argv[3])
    pseudonym_key = key(sys.argv[4]) if len(sys.argv) > 4 else None
    values = [line.rstrip("\n") for line in open(canaries, encoding="utf-8") if line.strip()]
    out = []
    for line in open(events, encoding="utf-8"):
        line = line.rstrip("\n")
        for v in values:
            redacted = f"<redacted sha256:{token(redaction_key, v, 12)}>"
            written = go_json(v)                       # "value" in the event
            inner = json.dumps(written)[1:-1]          # \"value\" inside the annotation's string
            line = line.replace(inner, json.dumps(json.dumps(redacted))[1:-1])
            line = line.replace(written, json.dumps(redacted))
        if pseudonym_key:
            anon = lambda m: m.group(1) + '"anon:' + token(pseudonym_key, json.loads(m.group(2)), 16) + '"'
            line = re.sub(r'("user":\{"username":)("(?:[^"\\]|\\.)*")', anon, line, count=1)
            line = re.sub(r'("sourceIPs":\[)("(?:[^"\\]|\\.)*")', anon, line, count=1)
        out.append(line)
    sys.stdout.write("\n".join(out) + "\n")

main()
