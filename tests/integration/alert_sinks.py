#!/usr/bin/python3
"""Local receivers for Alertmanager's notifications, on loopback only:
an HTTP sink (the webhook at /alerts, Slack's incoming webhook at /slack,
Telegram's Bot API at /bot<token>/sendMessage) and an SMTP sink (aiosmtpd).
Each notification is appended to EVENTS as one JSON line:
  {"t": <receive time, epoch s>, "kind": "webhook|slack|telegram|email",
   "alerts": ["AlertName", ...], "status": "firing|resolved"}

  alert_sinks.py EVENTS HTTP_PORT_FILE SMTP_PORT_FILE
Runs until killed; ports are chosen free and written to the files."""
import asyncio
import json
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from aiosmtpd.controller import Controller
except ImportError:
    sys.exit("alert_sinks: python3-aiosmtpd is required (make deps)")

EVENTS, HTTP_PORT_FILE, SMTP_PORT_FILE = sys.argv[1:4]
lock = threading.Lock()
NAME = re.compile(r"TradeFan[A-Za-z]+")


def record(kind, text, status=None):
    names = sorted(set(NAME.findall(text)))
    if status is None:
        status = "resolved" if "RESOLVED" in text.upper() and "FIRING" not in text.upper() else "firing"
    with lock, open(EVENTS, "a") as f:
        f.write(json.dumps({"t": time.time(), "kind": kind, "alerts": names, "status": status}) + "\n")


class Http(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace")
        if self.path.startswith("/alerts"):
            doc = json.loads(body)
            record("webhook", json.dumps([a["labels"].get("alertname", "") for a in doc.get("alerts", [])]),
                   doc.get("status"))
            out = b"{}"
        elif self.path.startswith("/slack"):
            record("slack", body)
            out = b"ok"
        elif "/sendMessage" in self.path:
            record("telegram", body)
            out = json.dumps({"ok": True, "result": {"message_id": 1, "date": int(time.time()),
                                                      "chat": {"id": -1001, "type": "group"}}}).encode()
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


class Smtp:
    async def handle_DATA(self, server, session, envelope):
        record("email", envelope.content.decode("utf-8", "replace"))
        return "250 OK"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


http = ThreadingHTTPServer(("127.0.0.1", 0), Http)
threading.Thread(target=http.serve_forever, daemon=True).start()
smtp_port = free_port()
ctl = Controller(Smtp(), hostname="127.0.0.1", port=smtp_port)
ctl.start()
with open(HTTP_PORT_FILE + ".tmp", "w") as f:
    f.write("%d\n" % http.server_address[1])
with open(SMTP_PORT_FILE + ".tmp", "w") as f:
    f.write("%d\n" % smtp_port)
import os
os.rename(HTTP_PORT_FILE + ".tmp", HTTP_PORT_FILE)
os.rename(SMTP_PORT_FILE + ".tmp", SMTP_PORT_FILE)
try:
    while True:
        time.sleep(3600)
except KeyboardInterrupt:
    pass
