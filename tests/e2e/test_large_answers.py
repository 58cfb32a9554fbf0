"""End-to-end: upstream answers that are large, endless or broken, through
the real binary. An answer nothing needs whole is streamed (a 20 MB answer
arrives whole, byte for byte); one that must be held (cached) above
app.max_answer is a 502; an answer that breaks after its head was sent is
cut for the client, never passed off as whole; a client that leaves stops
the upstream read; bytes beyond an answer's Content-Length are never served
as the next answer."""
import os
import socket
import sys
import threading
import time
import unittest

import requests

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

BIG = 20 * 1024 * 1024


class ScriptedUpstream:
    """A raw HTTP/1.1 upstream: each request's path picks the reply."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.sent_bytes = {}  # path -> bytes written before the peer went away or the reply ended
        self.requests = []
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                path = head.split(b" ")[1].decode().split("?")[0]
                self.requests.append(path)
                if not self._reply(conn, path):
                    return
        except OSError:
            return
        finally:
            conn.close()

    def _reply(self, conn, path):
        if path.endswith("/big.json"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % BIG)
            piece = b"x" * 65536
            sent = 0
            try:
                while sent < BIG:
                    conn.sendall(piece)
                    sent += len(piece)
            finally:
                self.sent_bytes[path] = sent
            return True
        if path.endswith("/endless.json"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            sent = 0
            chunk = b"10000\r\n" + b"y" * 65536 + b"\r\n"
            deadline = time.time() + 30
            try:
                while time.time() < deadline:
                    conn.sendall(chunk)
                    sent += 65536
            except OSError:
                pass
            self.sent_bytes[path] = sent
            return False
        if path.endswith("/broken.json"):
            # A long answer that stops half way and closes.
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (4 << 20))
            conn.sendall(b"z" * (2 << 20))
            return False
        if path.endswith("/extra.json"):
            # Two bytes more than declared: they must not become the next answer.
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                         b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nSMUGGLED!")
            return True
        body = b'{"ok":true}'
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(body), body))
        return True

    def close(self):
        self.stopping = True
        self.sock.close()


def config(upstream_port):
    return f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
  max_answer: 1MB
url:
  plain:
    pattern: /plain/(.*)
    handler: TwitterRESTHandler
    kwargs: {{key: k, secret: s, access_key: t, access_secret: ts, endpoint: "http://127.0.0.1:{upstream_port}/1.1/"}}
  cached:
    pattern: /cached/(.*)
    handler: TwitterRESTHandler
    kwargs: {{key: k, secret: s, access_key: t, access_secret: ts, endpoint: "http://127.0.0.1:{upstream_port}/1.1/"}}
    cache: {{duration: 60}}
"""


class LargeAnswersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = ScriptedUpstream()
        cls.gw = harness.Birdgate(config(cls.upstream.port)).start()

    @classmethod
    def tearDownClass(cls):
        cls.gw.stop()
        cls.upstream.close()

    def test_big_answer_streams_through_whole(self):
        r = requests.get(self.gw.url("/plain/big.json"), timeout=60)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(len(r.content), BIG)
        self.assertEqual(r.content[:10], b"x" * 10)

    def test_held_answer_above_max_answer_is_502(self):
        r = requests.get(self.gw.url("/cached/big.json"), timeout=60)
        self.assertEqual(r.status_code, 502)
        self.assertEqual(r.json()["errors"][0]["code"], 502)

    def test_broken_answer_is_cut_for_the_client(self):
        with self.assertRaises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
            r = requests.get(self.gw.url("/plain/broken.json"), timeout=60)
            # A body shorter than its Content-Length must not pass as whole.
            if len(r.content) != int(r.headers["Content-Length"]):
                raise requests.exceptions.ConnectionError("short body")

    def test_client_that_leaves_stops_the_upstream_read(self):
        s = socket.create_connection(("127.0.0.1", self.gw.port), timeout=10)
        s.sendall(b"GET /plain/endless.json HTTP/1.1\r\nHost: x\r\n\r\n")
        got = 0
        while got < (4 << 20):
            data = s.recv(65536)
            if not data:
                break
            got += len(data)
        s.close()
        deadline = time.time() + 15
        while "/1.1/endless.json" not in self.upstream.sent_bytes and time.time() < deadline:
            time.sleep(0.1)
        # The upstream saw its reader go long before its 30 s of writing ended.
        self.assertIn("/1.1/endless.json", self.upstream.sent_bytes)
        self.assertLess(self.upstream.sent_bytes["/1.1/endless.json"], 1 << 30)

    def test_bytes_beyond_content_length_never_become_the_next_answer(self):
        first = requests.get(self.gw.url("/plain/extra.json"), timeout=30)
        self.assertEqual(first.content, b"{}")
        for _ in range(3):
            r = requests.get(self.gw.url("/plain/small.json"), timeout=30)
            self.assertEqual(r.content, b'{"ok":true}')
            self.assertNotIn(b"SMUGGLED", r.content)


if __name__ == "__main__":
    unittest.main()
