"""End-to-end: birdgate serving HTTPS itself (app.listen.tls) with a test
certificate made here by openssl: a client that trusts that certificate is
served, a login started over HTTPS gets Secure cookies without any front
proxy, TLS 1.1 and plain HTTP are refused, and requests-oauthlib (not ours)
signs a request that birdgate proxies to the sandbox."""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest

import requests

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

SANDBOX_YAML = os.path.join(harness.SOURCE, "etc", "sandbox.yaml")
KEY, SECRET = "demo-consumer-key", "demo-consumer-secret"
TOKEN, TOKEN_SECRET = "demo-gramener-token", "demo-gramener-token-secret"


def make_certificate(folder):
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def gateway_yaml(sandbox_port, cert, key):
    return f"""
app:
  listen:
    host: 127.0.0.1
    port: $BIRDGATE_PORT
    tls: {{cert: {cert}, key: {key}}}
  twitter: {{api_root: http://127.0.0.1:{sandbox_port}/sandbox}}
url:
  open:
    pattern: /open/(.*)
    handler: TwitterRESTHandler
    kwargs: {{key: {KEY}, secret: {SECRET}, access_key: {TOKEN}, access_secret: {TOKEN_SECRET}}}
  tw:
    pattern: /tw/(.*)
    handler: TwitterRESTHandler
    kwargs: {{key: {KEY}, secret: {SECRET}}}
"""


class TlsListenerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="birdgate-tls-listen-")
        cls.cert, cls.key = make_certificate(cls.folder)
        cls.sandbox = harness.Birdgate(SANDBOX_YAML).start()
        cls.gw = harness.Birdgate(gateway_yaml(cls.sandbox.port, cls.cert, cls.key)).start()
        cls.base = "https://127.0.0.1:%d" % cls.gw.port

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.sandbox.stop()

    def test_served_over_https_to_a_client_that_trusts_the_certificate(self):
        r = requests.get(self.base + "/open/search/tweets.json?q=beer&count=1", verify=self.cert, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn("beer", r.json()["statuses"][0]["text"].lower())

    def test_a_client_without_the_certificate_refuses_it(self):
        with self.assertRaises(requests.exceptions.SSLError):
            requests.get(self.base + "/open/search/tweets.json?q=beer", timeout=30)

    def test_login_over_https_sets_secure_cookies(self):
        r = requests.get(self.base + "/tw/", verify=self.cert, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302, r.text)
        cookies = r.headers["Set-Cookie"]
        self.assertIn("sid=", cookies)
        self.assertIn("Secure", cookies)
        # Without X-Forwarded-Proto: birdgate knows it was HTTPS itself.
        self.assertIn("/sandbox/oauth/authorize?oauth_token=", r.headers["Location"])

    def test_tls_1_1_is_refused(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(self.cert)
        try:
            context.minimum_version = ssl.TLSVersion.TLSv1_1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        except (ValueError, AttributeError):
            self.skipTest("this Python cannot speak TLS 1.1")
        context.set_ciphers("ALL:@SECLEVEL=0")
        with socket.create_connection(("127.0.0.1", self.gw.port), timeout=10) as raw:
            with self.assertRaises((ssl.SSLError, ConnectionResetError, OSError)):
                with context.wrap_socket(raw, server_hostname="localhost") as tls:
                    tls.sendall(b"GET /open/x HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    tls.recv(100)

    def test_tls_1_2_handshake_and_keep_alive(self):
        context = ssl.create_default_context(cafile=self.cert)
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        with socket.create_connection(("127.0.0.1", self.gw.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                self.assertEqual(tls.version(), "TLSv1.2")
                for _ in range(2):  # two requests on one connection
                    tls.sendall(b"GET /nothing HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    head = b""
                    while b"\r\n\r\n" not in head:
                        head += tls.recv(4096)
                    self.assertTrue(head.startswith(b"HTTP/1.1 404"), head[:40])
                    length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0]
                                 .split(b":")[1])
                    body = head.split(b"\r\n\r\n", 1)[1]
                    while len(body) < length:
                        body += tls.recv(4096)

    def test_plain_http_on_the_tls_port_gets_no_answer(self):
        with socket.create_connection(("127.0.0.1", self.gw.port), timeout=10) as raw:
            raw.sendall(b"GET /open/x HTTP/1.1\r\nHost: localhost\r\n\r\n")
            try:
                data = raw.recv(100)
            except (ConnectionResetError, socket.timeout):
                data = b""
            self.assertFalse(data.startswith(b"HTTP/1.1 200"), data)


class BadCertificateTest(unittest.TestCase):
    def test_unreadable_certificate_is_an_error_at_start(self):
        folder = tempfile.mkdtemp(prefix="birdgate-tls-bad-")
        missing = os.path.join(folder, "missing.pem")
        gw = harness.Birdgate(gateway_yaml(1, missing, missing))
        with self.assertRaises(RuntimeError):
            gw.start()
        gw.proc.wait(timeout=15)
        self.assertNotEqual(gw.proc.returncode, 0)
        self.assertIn("missing.pem", gw.stderr_text())


if __name__ == "__main__":
    unittest.main()
