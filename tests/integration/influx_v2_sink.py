#!/usr/bin/python3
"""A stand-in for InfluxDB 2.x's write endpoint, as its API documents it
(POST /api/v2/write?org=&bucket=&precision=, "Authorization: Token ...",
body line protocol, gzip when Content-Encoding says so; 204 on success, 401
with {"code":"unauthorized"} on a wrong token, 404 {"code":"not found"} on an
unknown bucket). Debian 12 ships InfluxDB 1.6 only, which has no v2 API:
this checks the exporter's requests, not a 2.x server.
  influx_v2_sink.py PORT_FILE OUT_FILE ORG BUCKET TOKEN
Writes the port it listens on to PORT_FILE; appends each accepted body
(decompressed) to OUT_FILE, and a line "#request <path>" before it."""
import gzip
import http.server
import json
import sys
import urllib.parse

port_file, out_file, org, bucket, token = sys.argv[1:6]


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, code, body=None):
        data = json.dumps(body).encode() if body else b""
        self.send_response(code)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if u.path != "/api/v2/write":
            return self.answer(404, {"code": "not found", "message": "path not found"})
        if self.headers.get("Authorization") != "Token " + token:
            return self.answer(401, {"code": "unauthorized", "message": "unauthorized access"})
        if q.get("org") != [org] or q.get("bucket") != [bucket]:
            return self.answer(404, {"code": "not found", "message": 'bucket "%s" not found' % q.get("bucket")})
        if q.get("precision", ["ns"])[0] not in ("ns", "us", "ms", "s"):
            return self.answer(400, {"code": "invalid", "message": "invalid precision"})
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        with open(out_file, "ab") as f:
            f.write(b"#request " + self.path.encode() + b"\n" + body + (b"" if body.endswith(b"\n") else b"\n"))
        self.answer(204)


s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".tmp", "w") as f:
    f.write(str(s.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
s.serve_forever()
