#!/usr/bin/env python3
"""fake_showq.py - a showq service that misbehaves, for client tests.

    fake_showq.py SOCKET MODE     listen on the UNIX socket SOCKET and
                                  answer every connection as MODE says,
                                  until killed (a child per connection)

The framing is Postfix's attr_print0 (name NUL value NUL, a lone NUL
ends a list), as showq sends it. MODEs:

  valid        a correct listing: two messages, the second with recipients
               and reasons, then the end
  empty        close at once
  http         an HTTP reply
  badproto     another protocol name
  extra        an unexpected attribute in a message header
  truncated    a message header cut off, then close
  noend        a whole message but no end of listing, then close
  badnum       a time that is not a number
  order        queue_id before queue_name
  silent       send nothing, stay connected
  stall        a whole message, then nothing, staying connected
  endless      an attribute value that never ends
  endlessname  bytes without a NUL, forever
  trickle      the announcement, then one byte every 0.1 s, forever
  big          one message with 200000 recipients (about 17 MB), then the end
"""
import os
import signal
import socket
import sys
import time


def attrs(*pairs):
    out = b""
    for name, value in pairs:
        out += name.encode() + b"\0" + value.encode() + b"\0"
    return out


HELLO = attrs(("protocol", "mail_queue_list_protocol")) + b"\0"


def header(queue, qid, t, size, fe, sender):
    return attrs(("queue_name", queue), ("queue_id", qid), ("time", str(t)),
                 ("size", str(size)), ("forced_expire", str(fe)), ("sender", sender))


MSG1 = header("active", "4F1A2B3C4D", 1700000000, 1234, 0, "sender@example.com") + b"\0"
MSG2 = (header("deferred", "5A6B7C8D9E", 1700003600, 5678, 1, "MAILER-DAEMON")
        + attrs(("recipient", "a@example.com"), ("reason", "host said: 450 busy"),
                ("recipient", "b@example.com"), ("reason", "host said: 450 busy"),
                ("recipient", "c@example.net"), ("reason", ""))
        + b"\0")


def forever(conn, chunk, pause=0.0):
    while True:
        conn.sendall(chunk)
        if pause:
            time.sleep(pause)


def serve(conn, mode):
    if mode == "valid":
        conn.sendall(HELLO + MSG1 + MSG2 + b"\0")
    elif mode == "empty":
        pass
    elif mode == "http":
        conn.sendall(b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    elif mode == "badproto":
        conn.sendall(attrs(("protocol", "some_other_protocol")) + b"\0")
    elif mode == "extra":
        conn.sendall(HELLO + attrs(("queue_name", "active"), ("colour", "blue")) + b"\0\0")
    elif mode == "truncated":
        conn.sendall(HELLO + MSG1 + b"queue_name\0deferred\0queue_id\0ABC")
    elif mode == "noend":
        conn.sendall(HELLO + MSG1 + MSG2)
    elif mode == "badnum":
        conn.sendall(HELLO + header("hold", "ABCDEF", "soon", 1, 0, "s@x") + b"\0\0")
    elif mode == "order":
        conn.sendall(HELLO + attrs(("queue_id", "ABCDEF"), ("queue_name", "hold")) + b"\0\0")
    elif mode == "silent":
        conn.recv(1)            # until the client goes away
    elif mode == "stall":
        conn.sendall(HELLO + MSG1)
        conn.recv(1)
    elif mode == "endless":
        conn.sendall(HELLO + b"queue_name\0")
        forever(conn, b"A" * 65536)
    elif mode == "endlessname":
        forever(conn, b"B" * 65536)
    elif mode == "trickle":
        conn.sendall(HELLO)
        forever(conn, b"C", 0.1)
    elif mode == "big":
        conn.sendall(HELLO + header("deferred", "B1G", 1700000000, 99, 0, "s@example.com"))
        rcpt = attrs(("recipient", "someone@example.com"), ("reason", "host said: 450 4.2.0 busy"))
        conn.sendall(rcpt * 200000 + b"\0\0")
    else:
        sys.exit("unknown mode " + mode)


def main():
    path, mode = sys.argv[1], sys.argv[2]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.listen(16)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    print("listening", flush=True)
    while True:
        conn, _ = s.accept()
        if os.fork() == 0:
            s.close()
            try:
                serve(conn, mode)
            except (BrokenPipeError, ConnectionResetError):
                pass
            os._exit(0)
        conn.close()


if __name__ == "__main__":
    main()
