#!/usr/bin/env python3
"""Scrapes a Prometheus /metrics URL and prints its samples as JSON, parsed
by PyPI's prometheus_client (an exposition-format parser independent of
Tailship's). Exits 1 if the text does not parse.

usage: scrape_metrics.py URL  ->  [{"name": ..., "labels": {...}, "value": ..., "type": ...}, ...]
"""
import json, sys, urllib.request

from prometheus_client.parser import text_string_to_metric_families

with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
    if response.status != 200:
        sys.exit("status %d" % response.status)
    text = response.read().decode("utf-8")

samples = []
for family in text_string_to_metric_families(text):
    for s in family.samples:
        samples.append({"name": s.name, "labels": s.labels, "value": s.value, "type": family.type})
json.dump(samples, sys.stdout)
