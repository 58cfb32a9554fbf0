"""Shared by the end-to-end tests: start the real birdgate binary on free
loopback ports with a config written to a temporary folder, wait until it
listens, stop it with SIGTERM; plus small fake upstreams (an echo server that
verifies OAuth signatures with Debian's python3-oauthlib, a silent socket).

Run under Debian's /usr/bin/python3 (CTest does), which sees python3-oauthlib,
python3-requests and python3-requests-oauthlib.
"""
import http.server
import json
import os
import signal
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
import urllib.parse

from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

BIN = os.environ.get("BIRDGATE_BIN", os.path.join(os.path.dirname(__file__), "../../build/birdgate"))
BUILD = os.environ.get("BIRDGATE_BUILD", os.path.dirname(BIN))
PLUGINS = os.path.join(BUILD, "plugins")                 # sentiment.so, jsonl_sink.so
FIXTURE_PLUGINS = os.path.join(BUILD, "tests", "plugins")  # tests/plugins/*
SOURCE = os.environ.get("BIRDGATE_SOURCE", os.path.join(os.path.dirname(__file__), "../.."))

# Credentials shared by the test configs (test-only values).
APP_KEY, APP_SECRET = "test-consumer-key", "test-consumer-secret"
USER_KEY, USER_SECRET = "test-access-key", "test-access-secret"


def rest_url(name, pattern, endpoint, extra="", token=True):
    """YAML of one TwitterRESTHandler url entry signed with the test app (and
    the test user's pre-authorised token unless token=False); `extra` is
    appended as is (more kwargs lines at 6 spaces, or a `cache:` at 4)."""
    tokens = f"""      access_key: {USER_KEY}
      access_secret: {USER_SECRET}
""" if token else ""
    return f"""
  {name}:
    pattern: {pattern}
    handler: TwitterRESTHandler
    kwargs:
      key: {APP_KEY}
      secret: {APP_SECRET}
{tokens}      endpoint: {endpoint}
{extra}"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc=None, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("birdgate exited with %s:\n%s" % (proc.returncode, proc.stderr_text()))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on port %d after %ss" % (port, timeout))


class Birdgate:
    """A birdgate process on `config` (YAML text or a path)."""

    def __init__(self, config, port=None, env=None, folder=None):
        self.port = port or free_port()
        self.folder = folder or tempfile.mkdtemp(prefix="birdgate-e2e-")
        if os.path.exists(str(config)):
            self.config = str(config)
        else:
            self.config = os.path.join(self.folder, "birdgate.yaml")
            with open(self.config, "w") as f:
                f.write(config)
        self.env = dict(os.environ)
        self.env["BIRDGATE_PORT"] = str(self.port)
        # Sessions and persisted tokens go to this test's own folder.
        self.env.setdefault("BIRDGATE_STORE", "sqlite:%s/birdgate.db" % self.folder)
        self.env.setdefault("BIRDGATE_PLUGINS", PLUGINS)
        self.env.setdefault("BIRDGATE_STREAMS", os.path.join(self.folder, "streams"))
        self.env.update(env or {})
        self.stderr_path = os.path.join(self.folder, "stderr-%d.log" % self.port)
        self.proc = None

    def start(self):
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen([BIN, self.config], env=self.env, stdout=subprocess.DEVNULL, stderr=self._err)
        self.proc.stderr_text = self.stderr_text
        wait_listening(self.port, self.proc)
        return self

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def stop(self, timeout=15):
        """SIGTERM, wait, and return the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def run_check(config_text, env=None):
    """`birdgate --check` on a config; returns (exit code, stderr+stdout)."""
    folder = tempfile.mkdtemp(prefix="birdgate-check-")
    path = os.path.join(folder, "bad.yaml")
    with open(path, "w") as f:
        f.write(config_text)
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([BIN, "--check", path], env=e, capture_output=True, timeout=30)
    return p.returncode, (p.stderr + p.stdout).decode("utf-8", "replace"), path


class _ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class EchoUpstream:
    """A fake Twitter: verifies each request's OAuth signature with oauthlib and
    answers JSON describing what arrived (method, path, decoded params, body,
    whether the signature verified). `?status=N` answers that status; `?delay=S`
    sleeps first; `?echo_body=TEXT` answers TEXT instead. Every answer carries
    x-rate-limit-* headers."""

    def __init__(self, consumer_secret=APP_SECRET, token_secret=USER_SECRET):
        outer = self
        self.requests = []
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                uri = "http://%s%s" % (self.headers["Host"], self.path)
                parsed = urllib.parse.urlsplit(uri)
                ctype = self.headers.get("Content-Type", "")
                form = ctype.startswith("application/x-www-form-urlencoded")
                headers = {k: v for k, v in self.headers.items()}
                verified, error = False, None
                try:
                    req = OAuthRequest(uri, self.command, body.decode("utf-8") if form else None, headers)
                    req.params = oauth_signature.collect_parameters(
                        uri_query=parsed.query, body=body.decode("utf-8") if form else None,
                        headers=headers, exclude_oauth_signature=True)
                    oauth = dict(oauth_signature.collect_parameters(headers=headers, exclude_oauth_signature=False))
                    req.signature = oauth.get("oauth_signature")
                    method = oauth.get("oauth_signature_method", "HMAC-SHA1")
                    verify = {"HMAC-SHA1": oauth_signature.verify_hmac_sha1,
                              "HMAC-SHA256": oauth_signature.verify_hmac_sha256}[method]
                    verified = bool(verify(req, consumer_secret, token_secret))
                except Exception as e:  # an unverifiable request is reported, not fatal
                    error = repr(e)
                query = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
                form_params = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True) if form else []
                record = {
                    "method": self.command, "path": parsed.path, "query": query, "form": form_params,
                    "body": body.decode("utf-8", "replace"), "content_type": ctype, "verified": verified,
                    "error": error, "authorization": self.headers.get("Authorization", ""),
                    "user_agent": self.headers.get("User-Agent", ""),
                    "request_id": self.headers.get("X-Request-Id", ""),
                    "client_port": self.client_address[1],
                }
                with outer.lock:
                    outer.requests.append(record)
                args = dict(query)
                if "delay" in args:
                    time.sleep(float(args["delay"]))
                status = int(args.get("status", "200"))
                out = args["echo_body"].encode("utf-8") if "echo_body" in args else json.dumps(record).encode("utf-8")
                self.send_response(status, "Echo %d" % status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(out)))
                self.send_header("x-rate-limit-limit", "180")
                self.send_header("x-rate-limit-remaining", "179")
                self.send_header("x-rate-limit-reset", "1700000000")
                self.send_header("Set-Cookie", "upstream=secret")
                self.send_header("X-Accel-Redirect", "/internal/secret-file")
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self.server = _ThreadingServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class TlsUpstream:
    """An HTTPS server with a self-signed certificate (made with openssl):
    birdgate must refuse it, since it is not in the system CA store."""

    def __init__(self):
        import ssl
        self.folder = tempfile.mkdtemp(prefix="birdgate-tls-")
        cert, key = os.path.join(self.folder, "cert.pem"), os.path.join(self.folder, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = _ThreadingServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class SilentUpstream:
    """Accepts connections and never answers (for the 504 test)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
            except OSError:
                pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join()
        for c in self.conns:
            c.close()
        self.sock.close()
