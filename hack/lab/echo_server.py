#!/usr/bin/env python3
"""Lab echo server: answers every TCP connection (HTTP or not) with the caller's source IP.

HTTP requests get `HTTP/1.0 200` with the IP as body; a client that sends nothing for 1 s gets
the IP alone. Every connection is appended to --log as "<unix time> <source ip> <path>", so tests
can see what the destination received even when the reply never makes it back.
"""
import argparse
import socket
import socketserver
import time


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        ip = self.client_address[0]
        self.request.settimeout(1.0)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 8192:
                chunk = self.request.recv(4096)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        first = data.split(b"\r\n", 1)[0].decode("latin-1", "replace")
        parts = first.split(" ")
        is_http = len(parts) == 3 and parts[2].startswith("HTTP/")
        path = parts[1] if is_http else "-"
        with open(self.server.log_path, "a") as log:
            log.write("%.3f %s %s\n" % (time.time(), ip, path))
        body = (ip + "\n").encode()
        if is_http:
            head = ("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                    "Connection: close\r\n\r\n" % len(body)).encode()
            self.request.sendall(head + body)
        else:
            self.request.sendall(body)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    server = Server((args.bind, args.port), Handler)
    server.log_path = args.log
    server.serve_forever()


if __name__ == "__main__":
    main()
