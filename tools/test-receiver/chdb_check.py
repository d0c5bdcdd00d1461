#!/usr/bin/env python3
"""Runs Tailship's ClickHouse DDL and rows on a current ClickHouse release, in process
(chDB, PyPI), as a second engine beside Debian's clickhouse-server 18.16.

usage: chdb_check.py DDL.sql ROWS.jsonl   prints {"version", "raw", "final", "unique"}:
the rows are inserted twice, as a re-sent batch would be; "final" counts after FINAL."""
import json, sys, tempfile
from chdb import session

ddl, rows = open(sys.argv[1]).read(), open(sys.argv[2]).read()
with tempfile.TemporaryDirectory() as d:
    s = session.Session(d)
    s.query(ddl)
    for _ in range(2):
        s.query("INSERT INTO default.k8s_audit FORMAT JSONEachRow\n" + rows)
    version = str(s.query("SELECT version()", "CSV")).strip().strip('"')
    raw = int(str(s.query("SELECT count() FROM default.k8s_audit", "CSV")).strip())
    final, unique = (int(x) for x in str(s.query(
        "SELECT count(), uniqExact(auditID, stage) FROM default.k8s_audit FINAL", "CSV")).strip().split(","))
    print(json.dumps({"version": version, "raw": raw, "final": final, "unique": unique}))
