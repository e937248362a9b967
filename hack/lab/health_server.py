#!/usr/bin/env python3
"""Lab stand-in for kube-egress-gateway's LB health-probe server (azure.md §2.5).

GET /gw/<SGC uid> answers 200 when the uid is listed in --uids-file (one per line, re-read on
every request so faults can change it), 503 otherwise, 400 when the path does not split into
exactly three parts.
"""
import argparse
import http.server


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        parts = self.path.split("/")
        if len(parts) != 3 or parts[1] != "gw":
            code = 400 if self.path.startswith("/gw/") else 404
        else:
            try:
                with open(self.server.uids_file) as f:
                    known = {line.strip() for line in f if line.strip()}
            except OSError:
                known = set()
            code = 200 if parts[2] in known else 503
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8082)
    ap.add_argument("--uids-file", required=True)
    args = ap.parse_args()
    server = http.server.ThreadingHTTPServer(("0.0.0.0", args.port), Handler)
    server.uids_file = args.uids_file
    server.serve_forever()


if __name__ == "__main__":
    main()
