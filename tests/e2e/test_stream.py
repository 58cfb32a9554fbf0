"""End-to-end: a TwitterStream schedule with `api: 1.1` (statuses/filter.json;
test_stream_v2.py has the v2 filtered stream) in the real binary, streaming from the
sandbox on the same port into dated JSON Lines files, while the test injects
faults through the sandbox's control URL (a connection dropped mid-message,
tiny chunks, a 503, control messages and a line that is not JSON, a stall)
and finally sends SIGTERM.

Checked: every tweet id the sandbox reports as fully sent appears exactly
once across the JSONL files, every line is a JSON tweet matching track or
follow, nothing is lost at SIGTERM, the exit code is 0 within 5 s; and
Twitter's limits are configuration errors (exit 78)."""
import collections
import glob
import json
import os
import signal
import sys
import time
import unittest

import requests

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

KEY, SECRET = "demo-consumer-key", "demo-consumer-secret"
TOKEN, TOKEN_SECRET = "demo-gramener-token", "demo-gramener-token-secret"

CONFIG = f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
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
      stream_rate: 150
      keepalive: 0.5
schedule:
  e2e-stream:
    function: TwitterStream
    kwargs:
      api: 1.1
      track: [beer, wine]
      follow: Starbucks,12345
      path: $YAMLPATH/streams/tweets.{{:%Y-%m-%d}}.jsonl
      flush: true
      stall_timeout: 2
      key: {KEY}
      secret: {SECRET}
      access_key: {TOKEN}
      access_secret: {TOKEN_SECRET}
    startup: true
    thread: true
"""


def wait_until(condition, timeout=20, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class StreamTest(unittest.TestCase):
    def setUp(self):
        self.bg = harness.Birdgate(CONFIG).start()
        self.control = self.bg.url("/sandbox/_control/stream")

    def tearDown(self):
        if self.bg.proc.poll() is None:
            self.bg.stop()

    def state(self):
        return requests.get(self.control, timeout=10).json()

    def fault(self, **fields):
        r = requests.post(self.control, json=fields, timeout=10)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def lines(self):
        out = []
        for path in sorted(glob.glob(os.path.join(self.bg.folder, "streams", "tweets.*.jsonl"))):
            with open(path, encoding="utf-8") as f:
                out.extend(f.read().splitlines())
        return out

    def reload(self, text):
        tmp = self.bg.config + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.bg.config)
        before = self.bg.stderr_text().count("configuration reloaded")
        self.bg.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: self.bg.stderr_text().count("configuration reloaded") > before, what="the reload")

    def test_reload_keeps_an_unchanged_stream_and_restarts_a_changed_one(self):
        # DESIGN 7: a SIGHUP restarts a stream only when its config changed;
        # an unchanged one keeps its connection (one connection at the sandbox).
        wait_until(lambda: self.state()["active"] == 1, what="the stream to connect")
        self.reload(CONFIG + "\n")
        time.sleep(1.0)
        state = self.state()
        self.assertEqual((state["connections"], state["active"]), (1, 1), state)
        self.reload(CONFIG.replace("track: [beer, wine]", "track: [beer, cider]"))
        wait_until(lambda: self.state()["connections"] == 2 and self.state()["active"] == 1,
                   what="the changed stream to reconnect")
        self.assertIsNone(self.bg.proc.poll())

    def test_stream_survives_faults_and_sigterm(self):
        wait_until(lambda: len(self.lines()) >= 30, what="the first tweets in the file")

        # A connection dropped in the middle of a message: the half message
        # is not written, the stream reconnects after 250 ms.
        self.fault(mode="disconnect_mid_message", after=10)
        wait_until(lambda: self.state()["disconnects"] == 1 and self.state()["active"] == 1
                   and self.state()["connections"] >= 2, what="reconnect after the disconnect")

        # Messages split into 7-byte HTTP chunks, and control messages.
        sent = self.state()["sent"]
        self.fault(chunk=7, inject=["limit", "delete", "warning", "scrub_geo", "not_json"])
        wait_until(lambda: self.state()["sent"] >= sent + 40, what="tweets in tiny chunks")
        self.fault(mode="normal")

        # A 503 on the next attempt: HTTP backoff (5 s), then streaming again.
        connections = self.state()["connections"]
        self.fault(mode="status", status=503)
        self.fault(mode="disconnect_mid_message", after=0)
        wait_until(lambda: self.state()["rejected"] == 1, what="the 503")
        wait_until(lambda: self.state()["connections"] == connections + 1 and self.state()["active"] == 1,
                   timeout=15, what="reconnect after the 503")

        # A stall (half a message, then silence): stall_timeout is 2 s.
        self.fault(mode="stall", half=True)
        wait_until(lambda: self.state()["stalls"] == 1, what="the stall")
        wait_until(lambda: self.state()["connections"] == connections + 2, timeout=10,
                   what="reconnect after the stall")
        wait_until(lambda: self.state()["per_connection"][-1] >= 20, what="tweets after the stall")

        # Quiesce (stall again, so nothing is in flight), then SIGTERM: every
        # tweet fully sent must be in the files, once.
        self.fault(mode="stall", half=True)
        wait_until(lambda: self.state()["stalls"] == 2, what="the second stall")
        time.sleep(0.5)
        state = self.state()
        t0 = time.time()
        code = self.bg.stop()
        elapsed = time.time() - t0
        self.assertEqual(code, 0, self.bg.stderr_text())
        self.assertLess(elapsed, 5.0)

        self.assertFalse(state["sent_ids_truncated"])
        sent_ids = state["sent_ids"]
        lines = self.lines()
        tweets = [json.loads(line) for line in lines]  # every line is JSON
        ids = [t["id"] for t in tweets]
        duplicates = [i for i, n in collections.Counter(ids).items() if n > 1]
        self.assertEqual(duplicates, [])
        self.assertEqual(len(set(sent_ids)), len(sent_ids))
        missing = set(sent_ids) - set(ids)
        extra = set(ids) - set(sent_ids)
        self.assertEqual((len(missing), len(extra)), (0, 0), "missing %s, extra %s" % (list(missing)[:5],
                                                                                     list(extra)[:5]))
        self.assertGreater(len(ids), 100)
        for t in tweets:
            self.assertIn("id_str", t)
            matches = ("beer" in t["text"].lower() or "wine" in t["text"].lower()
                       or t["user"]["id_str"] == "12345" or t["user"]["screen_name"] == "Starbucks")
            self.assertTrue(matches, t["text"])

        log = self.bg.stderr_text()
        self.assertIn("stream e2e-stream: stopped;", log)
        self.assertIn("HTTP 503", log)
        self.assertIn("stalled", log)
        self.assertIn("not a JSON object", log)
        summary = [line for line in log.splitlines() if "stream e2e-stream: stopped;" in line][-1]
        self.assertIn("tweets=%d " % len(ids), summary)
        self.assertIn("deletes=1 limits=1", summary)
        self.assertIn("warnings=1", summary)
        self.assertIn("not_json=1", summary)
        for secret in (SECRET, TOKEN_SECRET, TOKEN):
            self.assertNotIn(secret, log)

    def test_control_url_refuses_nonsense(self):
        r = requests.post(self.control, json={"mode": "explode"}, timeout=10)
        self.assertEqual(r.status_code, 400)
        r = requests.post(self.control, data={"status": "200"}, timeout=10)
        self.assertEqual(r.status_code, 400)


class StreamConfigErrorTest(unittest.TestCase):
    def test_twitter_limits_are_config_errors(self):
        track = ",".join("w%d" % i for i in range(401))
        env = {"BIRDGATE_PORT": str(harness.free_port())}
        code, out, _ = harness.run_check(CONFIG.replace("track: [beer, wine]", "track: " + track), env)
        self.assertEqual(code, 78, out)
        self.assertIn("schedule.e2e-stream.kwargs.track", out)
        self.assertIn("at most 400", out)
        code, out, _ = harness.run_check(CONFIG.replace("follow: Starbucks,12345", "follow: bad name!"), env)
        self.assertEqual(code, 78, out)
        self.assertIn("kwargs.follow", out)


if __name__ == "__main__":
    unittest.main()
