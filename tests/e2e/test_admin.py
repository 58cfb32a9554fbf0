"""End-to-end: the admin listener (app.admin) and the access log's request id,
through the real binary.

Checked: /metrics parsed with Debian's python3-prometheus-client declares every
family before any request, and its counts match the requests made (per url and
code, upstream answers, cache hit/miss, upstream errors by kind: connect on
a dead port, timeout on a silent one, tls on a self-signed one; transform
errors by transform; unrouted paths under url="-", never a request path as a label); /healthz is
200; /readyz is 503 naming a start-up stream that cannot connect, and 200 once
every start-up stream streams (the sandbox); the admin paths 404 on the public
port and the public routes 404 on the admin port; X-Request-Id is kept when
sane (echoed back and seen by the upstream), replaced when not, generated when
absent; the JSON access log parses, carries url, request id and upstream time,
and keeps secrets redacted."""
import json
import os
import re
import sys
import tempfile
import time
import unittest

import requests
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from harness import rest_url  # noqa: E402

FAMILIES = [
    "birdgate_build_info", "birdgate_requests_total", "birdgate_request_duration_seconds",
    "birdgate_upstream_requests_total", "birdgate_upstream_errors_total", "birdgate_cache_requests_total",
    "birdgate_cache_bytes", "birdgate_connections", "birdgate_stream_connected", "birdgate_stream_messages_total",
    "birdgate_stream_reconnects_total", "birdgate_transform_errors_total", "birdgate_config_reloads_total",
]
HEX32 = re.compile(r"^[0-9a-f]{32}$")
KEY, SECRET = "demo-consumer-key", "demo-consumer-secret"
TOKEN, TOKEN_SECRET = "demo-gramener-token", "demo-gramener-token-secret"


def wait_until(condition, timeout=20, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def parse(text):
    """{family name as exposed: (type, {(sample name, sorted labels): value})}."""
    out = {}
    for family in text_string_to_metric_families(text):
        # The parser names a counter family without its _total.
        name = family.name + "_total" if family.type == "counter" else family.name
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for s in family.samples}
        out[name] = (family.type, samples)
    return out


def value(metrics, family, sample=None, **labels):
    return metrics[family][1].get((sample or family, tuple(sorted(labels.items()))), 0.0)


def config(echo_port, dead_port, admin_port, silent_port, tls_port):
    ep = "http://127.0.0.1:%d/1.1/" % echo_port
    dead = "http://127.0.0.1:%d/1.1/" % dead_port
    return f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
  admin: {{host: 127.0.0.1, port: {admin_port}}}
  access_log: $YAMLPATH/access.log
  access_log_format: json
  plugins: [{harness.PLUGINS}, {harness.FIXTURE_PLUGINS}]
url:""" + rest_url("plain", "/plain/(.*)", ep) + rest_url("ids", "/ids/(.*)", ep) + rest_url(
        "cached", "/cached/(.*)", ep, """    cache: {duration: 300}
""") + rest_url("dead", "/dead/(.*)", dead) + rest_url(
        "silent", "/silent/(.*)", "http://127.0.0.1:%d/1.1/" % silent_port, "      timeout: 1\n") + rest_url(
        "selfsigned", "/selfsigned/(.*)", "https://127.0.0.1:%d/1.1/" % tls_port) + rest_url(
        "boom", "/boom/(.*)", ep, """      transform:
        explodes: {function: throwing.throws}
        later: {function: good.upper}
""") + f"""
schedule:
  dead-stream:
    function: TwitterStream
    kwargs:
      track: [beer]
      stream_root: http://127.0.0.1:{dead_port}/stream
      api_root: http://127.0.0.1:{dead_port}/api
      path: $YAMLPATH/streams/dead.{{:%Y-%m-%d}}.jsonl
      timeout: 1
      key: {KEY}
      secret: {SECRET}
      access_key: {TOKEN}
      access_secret: {TOKEN_SECRET}
    startup: true
    thread: true
"""


class AdminTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.echo = harness.EchoUpstream().__enter__()
        cls.silent = harness.SilentUpstream().__enter__()
        cls.tls = harness.TlsUpstream().__enter__()
        cls.dead_port = harness.free_port()  # nothing listens there
        cls.admin_port = harness.free_port()
        cls.bg = harness.Birdgate(
            config(cls.echo.port, cls.dead_port, cls.admin_port, cls.silent.port, cls.tls.port)).start()
        harness.wait_listening(cls.admin_port, cls.bg.proc)
        # Before any request to the public port.
        cls.first_scrape = requests.get(cls.admin("/metrics"), timeout=10)

    @classmethod
    def tearDownClass(cls):
        code = cls.bg.stop()
        cls.echo.__exit__()
        cls.silent.__exit__()
        cls.tls.__exit__()
        assert code == 0, (code, cls.bg.stderr_text())

    @classmethod
    def admin(cls, path):
        return "http://127.0.0.1:%d%s" % (cls.admin_port, path)

    def scrape(self):
        r = requests.get(self.admin("/metrics"), timeout=10)
        self.assertEqual(r.status_code, 200, r.text)
        return parse(r.text)

    def access_lines(self):
        path = os.path.join(self.bg.folder, "access.log")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f.read().splitlines()]

    def test_families_declared_before_any_request(self):
        r = self.first_scrape
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers)
        for family in FAMILIES:
            self.assertIn("# HELP %s " % family, r.text)
            self.assertIn("# TYPE %s " % family, r.text)
        metrics = parse(r.text)
        self.assertEqual(sorted(metrics), sorted(FAMILIES))
        self.assertEqual(metrics["birdgate_request_duration_seconds"][0], "histogram")
        self.assertEqual(metrics["birdgate_connections"][0], "gauge")
        self.assertEqual(metrics["birdgate_requests_total"][0], "counter")
        self.assertEqual(metrics["birdgate_requests_total"][1], {})  # no request yet
        version = [labels for (name, labels) in metrics["birdgate_build_info"][1]]
        self.assertEqual(len(version), 1)
        self.assertRegex(dict(version[0])["version"], r"^\d+\.\d+")
        self.assertEqual(value(metrics, "birdgate_upstream_errors_total", url="dead", kind="connect"), 0)
        self.assertEqual(value(metrics, "birdgate_stream_connected", stream="dead-stream"), 0)
        self.assertEqual(value(metrics, "birdgate_config_reloads_total", result="ok"), 0)

    def test_counts_match_requests(self):
        before = self.scrape()
        get = lambda path: requests.get(self.bg.url(path), timeout=30)  # noqa: E731
        for _ in range(3):
            self.assertEqual(get("/plain/a.json").status_code, 200)
        for _ in range(2):
            self.assertEqual(get("/plain/b.json?status=404").status_code, 404)
        self.assertEqual(get("/nowhere/secret-path-123").status_code, 404)
        cache_headers = [get("/cached/c.json?q=1").headers.get("X-Cache") for _ in range(3)]
        self.assertEqual(cache_headers, ["MISS", "HIT", "HIT"])
        for _ in range(2):
            self.assertEqual(get("/dead/d.json").status_code, 502)
        self.assertEqual(get("/silent/s.json").status_code, 504)
        self.assertEqual(get("/selfsigned/t.json").status_code, 502)
        self.assertEqual(get("/boom/b.json").status_code, 500)

        def delta(family, sample=None, **labels):
            return value(after, family, sample, **labels) - value(before, family, sample, **labels)

        # Counted once the answer is sent: wait for the last one.
        after = wait_until(lambda: (lambda m: m if value(m, "birdgate_requests_total", url="dead", code="502") -
                                    value(before, "birdgate_requests_total", url="dead", code="502") == 2 else None)(
            self.scrape()), what="the last request counted")
        self.assertEqual(delta("birdgate_requests_total", url="plain", code="200"), 3)
        self.assertEqual(delta("birdgate_requests_total", url="plain", code="404"), 2)
        self.assertEqual(delta("birdgate_requests_total", url="-", code="404"), 1)
        self.assertEqual(delta("birdgate_requests_total", url="cached", code="200"), 3)
        self.assertEqual(delta("birdgate_upstream_requests_total", url="plain", code="200"), 3)
        self.assertEqual(delta("birdgate_upstream_requests_total", url="plain", code="404"), 2)
        self.assertEqual(delta("birdgate_upstream_requests_total", url="cached", code="200"), 1)
        self.assertEqual(delta("birdgate_upstream_requests_total", url="dead", code="502"), 0)
        self.assertEqual(delta("birdgate_cache_requests_total", url="cached", result="miss"), 1)
        self.assertEqual(delta("birdgate_cache_requests_total", url="cached", result="hit"), 2)
        self.assertEqual(delta("birdgate_upstream_errors_total", url="dead", kind="connect"), 2)
        self.assertEqual(delta("birdgate_upstream_errors_total", url="dead", kind="timeout"), 0)
        self.assertEqual(delta("birdgate_upstream_errors_total", url="plain", kind="connect"), 0)
        self.assertEqual(delta("birdgate_upstream_errors_total", url="silent", kind="timeout"), 1)
        self.assertEqual(delta("birdgate_requests_total", url="silent", code="504"), 1)
        self.assertEqual(delta("birdgate_upstream_errors_total", url="selfsigned", kind="tls"), 1)
        self.assertEqual(delta("birdgate_upstream_errors_total", url="selfsigned", kind="connect"), 0)
        self.assertEqual(delta("birdgate_transform_errors_total", url="boom", transform="explodes"), 1)
        self.assertEqual(delta("birdgate_transform_errors_total", url="boom", transform="later"), 0)
        self.assertEqual(delta("birdgate_requests_total", url="boom", code="500"), 1)
        # The histogram: 5 requests to plain, cumulative buckets ending in +Inf = _count.
        hist = "birdgate_request_duration_seconds"
        self.assertEqual(delta(hist, hist + "_count", url="plain"), 5)
        self.assertEqual(delta(hist, hist + "_bucket", url="plain", le="+Inf"), 5)
        self.assertGreater(delta(hist, hist + "_sum", url="plain"), 0)
        buckets = sorted(((float(dict(labels)["le"]), v) for (name, labels), v in after[hist][1].items()
                          if name == hist + "_bucket" and dict(labels)["url"] == "plain"))
        self.assertEqual(buckets[-1][0], float("inf"))
        self.assertEqual([v for _, v in buckets], sorted(v for _, v in buckets))  # cumulative
        # Label values are config names or fixed words, never request data.
        urls = {dict(labels).get("url") for _, samples in after.values() for (_, labels) in samples}
        self.assertEqual(urls - {None}, {"plain", "ids", "cached", "dead", "silent", "selfsigned", "boom", "-"})
        self.assertGreaterEqual(value(after, "birdgate_connections"), 0)
        self.assertIn(("birdgate_cache_bytes", ()), after["birdgate_cache_bytes"][1])
        self.assertGreater(value(after, "birdgate_cache_bytes"), 0)

    def test_health_and_readiness(self):
        r = requests.get(self.admin("/healthz"), timeout=10)
        self.assertEqual((r.status_code, r.text), (200, "ok\n"))
        r = requests.get(self.admin("/readyz"), timeout=10)
        self.assertEqual(r.status_code, 503, r.text)
        not_ready = r.json()
        self.assertIsInstance(not_ready, list)
        streams = [item for item in not_ready if item["kind"] == "stream"]
        self.assertEqual([s["name"] for s in streams], ["dead-stream"], not_ready)
        self.assertTrue(streams[0]["why"], not_ready)
        # The store (SQLite) and the listener are fine: only the stream is named.
        self.assertEqual(len(not_ready), 1, not_ready)
        self.assertEqual(r.headers["Cache-Control"], "no-store")

    def test_paths_stay_on_their_listener(self):
        for path in ("/metrics", "/healthz", "/readyz"):
            r = requests.get(self.bg.url(path), timeout=10)
            self.assertEqual(r.status_code, 404, path)
            self.assertNotIn("birdgate_", r.text)
        before = len(self.echo.requests)
        for path in ("/plain/a.json", "/ids/a.json", "/"):
            r = requests.get(self.admin(path), timeout=10)
            self.assertEqual(r.status_code, 404, path)
        self.assertEqual(len(self.echo.requests), before)  # the admin port never reached the upstream
        r = requests.post(self.admin("/metrics"), data="x", timeout=10)
        self.assertEqual(r.status_code, 405)
        self.assertEqual(r.headers["Allow"], "GET, HEAD")
        self.assertEqual(requests.head(self.admin("/healthz"), timeout=10).status_code, 200)

    def test_request_id_round_trip(self):
        # Kept when sane: back on the answer, sent upstream.
        r = requests.get(self.bg.url("/ids/kept.json"), headers={"X-Request-Id": "e2e-id-123"}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["X-Request-Id"], "e2e-id-123")
        self.assertEqual(r.json()["request_id"], "e2e-id-123")
        # Generated when absent: the same fresh id upstream and back.
        r = requests.get(self.bg.url("/ids/generated.json"), timeout=30)
        generated = r.headers["X-Request-Id"]
        self.assertRegex(generated, HEX32)
        self.assertEqual(r.json()["request_id"], generated)
        # Replaced when not sane.
        r = requests.get(self.bg.url("/ids/replaced.json"), headers={"X-Request-Id": "bad id \"x\"" + "y" * 300},
                         timeout=30)
        replaced = r.headers["X-Request-Id"]
        self.assertRegex(replaced, HEX32)
        self.assertEqual(r.json()["request_id"], replaced)
        self.assertNotEqual(replaced, generated)
        # Also on answers birdgate makes itself.
        r = requests.get(self.bg.url("/nowhere"), headers={"X-Request-Id": "lost-1"}, timeout=10)
        self.assertEqual((r.status_code, r.headers["X-Request-Id"]), (404, "lost-1"))
        # Secrets in the query stay out of the log.
        r = requests.get(self.bg.url("/ids/secret.json?q=beer&access_token=SECRETVALUE42"),
                         headers={"X-Request-Id": "e2e-secret"}, timeout=30)
        self.assertEqual(r.status_code, 200)

        lines = wait_until(lambda: (lambda ls: ls if any(x.get("request_id") == "e2e-secret" for x in ls) else None)(
            self.access_lines()), what="the access log lines")
        by_id = {line["request_id"]: line for line in lines}
        kept = by_id["e2e-id-123"]
        self.assertEqual((kept["url"], kept["status"], kept["method"], kept["path"]),
                         ("ids", 200, "GET", "/ids/kept.json"))
        self.assertIsInstance(kept["upstream_ms"], (int, float))
        self.assertGreaterEqual(kept["duration_ms"], kept["upstream_ms"])
        self.assertEqual(kept["client"], "127.0.0.1")
        self.assertIsInstance(kept["bytes"], int)
        self.assertIn("time", kept)
        self.assertEqual(by_id[generated]["path"], "/ids/generated.json")
        self.assertEqual(by_id[replaced]["path"], "/ids/replaced.json")
        lost = by_id["lost-1"]
        self.assertEqual((lost["url"], lost["upstream_ms"], lost["status"]), (None, None, 404))
        secret = by_id["e2e-secret"]
        self.assertEqual(secret["path"], "/ids/secret.json?q=beer&access_token=[redacted]")
        with open(os.path.join(self.bg.folder, "access.log"), encoding="utf-8") as f:
            self.assertNotIn("SECRETVALUE42", f.read())
        self.assertNotIn("bad id", json.dumps(lines))


SANDBOX_CONFIG = f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
  admin: {{port: $ADMIN_PORT}}
  twitter:
    api_root: http://127.0.0.1:$BIRDGATE_PORT/sandbox
    stream_root: http://127.0.0.1:$BIRDGATE_PORT/sandbox
url:
  sandbox:
    pattern: /sandbox/(.*)
    handler: TwitterSandbox
    kwargs:
      seed: 7
      apps: [{{key: {KEY}, secret: {SECRET}}}]
      users: [{{screen_name: gramener, access_key: {TOKEN}, access_secret: {TOKEN_SECRET}}}]
      rate_limit: 0
      stream_rate: 50
      keepalive: 0.5
schedule:
  live-stream:
    function: TwitterStream
    kwargs:
      track: [beer, wine]
      path: $YAMLPATH/streams/live.{{:%Y-%m-%d}}.jsonl
      key: {KEY}
      secret: {SECRET}
      access_key: {TOKEN}
      access_secret: {TOKEN_SECRET}
    startup: true
    thread: true
"""


class ReadyTest(unittest.TestCase):
    def test_ready_once_every_startup_stream_streams(self):
        admin_port = harness.free_port()
        bg = harness.Birdgate(SANDBOX_CONFIG, env={"ADMIN_PORT": str(admin_port)}).start()
        try:
            harness.wait_listening(admin_port, bg.proc)
            url = "http://127.0.0.1:%d" % admin_port
            r = wait_until(lambda: (lambda r: r if r.status_code == 200 else None)(
                requests.get(url + "/readyz", timeout=10)), what="/readyz 200")
            self.assertEqual(r.json(), [])
            metrics = wait_until(lambda: (lambda m: m if value(
                m, "birdgate_stream_messages_total", stream="live-stream", kind="tweet") > 0 else None)(
                    parse(requests.get(url + "/metrics", timeout=10).text)), what="tweets counted")
            self.assertEqual(value(metrics, "birdgate_stream_connected", stream="live-stream"), 1)
            self.assertEqual(value(metrics, "birdgate_stream_reconnects_total", stream="live-stream"), 0)
        finally:
            self.assertEqual(bg.stop(), 0, bg.stderr_text())


class AdminConfigTest(unittest.TestCase):
    def test_admin_needs_a_port_and_a_known_format(self):
        code, out, _ = harness.run_check("app:\n  admin: {host: 127.0.0.1}\nurl: {}\n")
        self.assertEqual(code, 78, out)
        self.assertIn("app.admin.port", out)
        code, out, _ = harness.run_check("app:\n  access_log_format: xml\nurl: {}\n")
        self.assertEqual(code, 78, out)
        self.assertIn("app.access_log_format", out)
        code, out, _ = harness.run_check("app:\n  listen: {port: 9400}\n  admin: {port: 9400}\nurl: {}\n")
        self.assertEqual(code, 78, out)
        self.assertIn("app.admin.port", out)
        # Valid, but said out loud: the admin paths have no authentication.
        code, out, _ = harness.run_check("app:\n  admin: {host: 0.0.0.0, port: 0}\nurl: {}\n")
        self.assertEqual(code, 0, out)
        self.assertIn("app.admin.host: 0.0.0.0 is not a loopback address", out)
        code, out, _ = harness.run_check("app:\n  admin: {host: 127.0.0.1, port: 0}\nurl: {}\n")
        self.assertEqual(code, 0, out)
        self.assertNotIn("app.admin.host", out)


if __name__ == "__main__":
    unittest.main()
