#!/usr/bin/env python3
"""syslog_sink.py - a stand-in syslog daemon for one test.

    syslog_sink.py SOCKET OUT

Binds a Unix datagram socket at SOCKET (what syslog(3) writes to as
/dev/log) and appends every datagram to OUT, one per line, flushed at
once, until it is sent SIGTERM. Lines are written as received: the test
strips the time stamp and pid itself.
"""
import os
import signal
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
os.chmod(path, 0o666)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with open(out, "ab", buffering=0) as f:
    f.write(b"")
    while True:
        data = sock.recv(65536)
        f.write(data.rstrip(b"\n").replace(b"\n", b"\\n") + b"\n")
