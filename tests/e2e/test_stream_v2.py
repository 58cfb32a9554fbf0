"""End-to-end: an X API v2 filtered stream (`api: 2`, the default) in the real
binary, against the sandbox running in a second birdgate process (so the
sandbox's rules outlive a restart of the streaming one).

Checked: client credentials from oauth2/token; the rules synced at start
(the sandbox's rule list shows them tagged birdgate:<schedule>:<tag>, the
generated Gramex rule exactly as logged, a foreign rule left alone, a rule
removed from the config deleted on restart); every tweet the sandbox fully
sent is in the JSON Lines file exactly once with data, includes and
matching_rules, through a connection dropped mid-message, a stall, a 503
and tiny chunks; keep-alives, v2 error objects and other non-tweets are
counted, not written; a 429 backs off 60 s; a second connection of the
same app gets the 429 problem; rule changes reach an open connection; a
rule X rejects stops start-up with exit 78
and the sandbox's details verbatim; client-forbidden stops the stream with
X's title and detail; no secret or token in the logs."""
import base64
import collections
import glob
import json
import os
import subprocess
import sys
import time
import unittest

import requests

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

KEY, SECRET = "v2-consumer-key", "v2-consumer-secret"

SANDBOX = f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
url:
  sandbox:
    pattern: /sandbox/(.*)
    handler: TwitterSandbox
    kwargs:
      seed: 9
      apps: [{{key: {KEY}, secret: {SECRET}}}]
      rate_limit: 0
      stream_rate: 40
      keepalive: 0.01
"""

STREAM = f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
  twitter:
    api_root: http://127.0.0.1:$SANDBOX_PORT/sandbox
    stream_root: http://127.0.0.1:$SANDBOX_PORT/sandbox
schedule:
  e2e-v2:
    function: TwitterStream
    kwargs:
      key: {KEY}
      secret: {SECRET}
      rules:
        - {{value: cats has:images, tag: cats}}
        - value: dogs
      track: beer,craft ale
      language: en
      tweet.fields: [created_at, author_id, lang]
      expansions: author_id
      user.fields: username,verified
      path: $YAMLPATH/streams/tweets.{{:%Y-%m-%d}}.jsonl
      flush: true
      stall_timeout: 2
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


class StreamV2Test(unittest.TestCase):
    def setUp(self):
        self.sandbox = harness.Birdgate(SANDBOX).start()
        self.control = self.sandbox.url("/sandbox/_control/stream")
        basic = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
        r = requests.post(self.sandbox.url("/sandbox/oauth2/token"), data={"grant_type": "client_credentials"},
                          headers={"Authorization": "Basic " + basic}, timeout=10)
        self.assertEqual(r.status_code, 200, r.text)
        self.bearer = r.json()["access_token"]
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            if s.proc and s.proc.poll() is None:
                s.stop()
        self.sandbox.stop()

    def stream(self, config=STREAM, folder=None):
        s = harness.Birdgate(config, env={"SANDBOX_PORT": str(self.sandbox.port)}, folder=folder)
        self.streams.append(s)
        return s.start()

    def rules_api(self, method="GET", body=None, query=""):
        r = requests.request(method, self.sandbox.url("/sandbox/2/tweets/search/stream/rules" + query),
                             json=body, headers={"Authorization": "Bearer " + self.bearer}, timeout=10)
        return r

    def rules(self):
        r = self.rules_api()
        self.assertEqual(r.status_code, 200, r.text)
        return {rule["tag"]: rule["value"] for rule in r.json().get("data", [])}

    def state(self):
        return requests.get(self.control, timeout=10).json()

    def fault(self, **fields):
        r = requests.post(self.control, json=fields, timeout=10)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def lines(self, stream):
        out = []
        for path in sorted(glob.glob(os.path.join(stream.folder, "streams", "tweets.*.jsonl"))):
            with open(path, encoding="utf-8") as f:
                out.extend(f.read().splitlines())
        return out

    def test_rules_sync_faults_exactly_once_and_restart(self):
        # A rule birdgate did not create, there before it starts.
        r = self.rules_api("POST", {"add": [{"value": "foreign thing", "tag": "someone else"}]})
        self.assertEqual(r.status_code, 200, r.text)

        s = self.stream()
        wait_until(lambda: len(self.lines(s)) >= 20, what="the first tweets in the file")
        rules = self.rules()
        self.assertEqual(rules, {"someone else": "foreign thing", "birdgate:e2e-v2:cats": "cats has:images",
                                 "birdgate:e2e-v2:2": "dogs", "birdgate:e2e-v2:3": "(beer OR (craft ale)) lang:en"})
        log = s.stderr_text()
        self.assertIn("rule 3 (from track/follow/locations): (beer OR (craft ale)) lang:en  [tag birdgate:e2e-v2:3]",
                      log)
        self.assertIn("X also holds rule", log)
        self.assertIn("'foreign thing' (tag 'someone else')", log)

        # One connection per app: a second one is refused with X's problem.
        second = requests.get(self.sandbox.url("/sandbox/2/tweets/search/stream"),
                              headers={"Authorization": "Bearer " + self.bearer}, timeout=10)
        self.assertEqual(second.status_code, 429)
        self.assertEqual(second.json()["type"], "https://api.twitter.com/2/problems/streaming-connection")

        # Faults: a connection dropped mid-message, tiny chunks with error
        # objects and non-tweets, a 503, a stall.
        self.fault(mode="disconnect_mid_message", after=5)
        wait_until(lambda: self.state()["disconnects"] == 1 and self.state()["active"] == 1
                   and self.state()["connections"] >= 2, what="reconnect after the disconnect")
        sent = self.state()["sent"]
        self.fault(chunk=7, inject=["error", "not_json", "limit", "error"])
        wait_until(lambda: self.state()["sent"] >= sent + 20, what="tweets in tiny chunks")
        self.fault(mode="normal")
        connections = self.state()["connections"]
        self.fault(mode="status", status=503)
        self.fault(mode="disconnect_mid_message", after=0)
        wait_until(lambda: self.state()["rejected"] == 1, what="the 503")
        wait_until(lambda: self.state()["connections"] == connections + 1 and self.state()["active"] == 1,
                   timeout=15, what="reconnect after the 503")
        self.fault(mode="stall", half=True)
        wait_until(lambda: self.state()["stalls"] == 1, what="the stall")
        wait_until(lambda: self.state()["connections"] == connections + 2, timeout=10, what="reconnect after the stall")
        wait_until(lambda: self.state()["per_connection"][-1] >= 10, what="tweets after the stall")

        # A 429 backs off 60 s (X's rule); SIGTERM ends the wait.
        self.fault(mode="status", status=429)
        self.fault(mode="disconnect_mid_message", after=0)
        wait_until(lambda: "rate limited (429)" in s.stderr_text(), what="the 429")
        self.assertIn("reconnecting in 60 s", s.stderr_text())
        state = self.state()
        self.assertEqual(s.stop(), 0, s.stderr_text())

        sent_ids = [str(i) for i in state["sent_ids"]]
        tweets = [json.loads(line) for line in self.lines(s)]  # every line is JSON
        ids = [t["data"]["id"] for t in tweets]
        self.assertEqual([i for i, n in collections.Counter(ids).items() if n > 1], [])
        self.assertEqual(set(ids), set(sent_ids))
        self.assertGreater(len(ids), 60)
        ours = {"birdgate:e2e-v2:cats", "birdgate:e2e-v2:2", "birdgate:e2e-v2:3", "someone else"}
        for t in tweets:
            self.assertEqual(set(t), {"data", "includes", "matching_rules"}, t)
            self.assertTrue({"created_at", "author_id", "lang", "text"} <= set(t["data"]), t)
            self.assertEqual(t["includes"]["users"][0]["id"], t["data"]["author_id"])
            self.assertIn("verified", t["includes"]["users"][0])
            tags = {m["tag"] for m in t["matching_rules"]}
            self.assertTrue(tags and tags <= ours, t)
        tags = collections.Counter(m["tag"] for t in tweets for m in t["matching_rules"])
        self.assertTrue(all(tags[t] > 0 for t in ours), tags)

        log = s.stderr_text()
        summary = [line for line in log.splitlines() if "stream e2e-v2: stopped;" in line][-1]
        self.assertIn("tweets=%d " % len(ids), summary)
        self.assertIn("not_json=1", summary)
        self.assertIn("errors=2", summary)
        self.assertIn("limits=1", summary)  # the v1.1-shaped limit notice: counted, not written
        self.assertRegex(summary, r"keep_alives=[1-9]")
        self.assertIn("X reports: ConnectionException: The sandbox reports a problem on this connection.", log)
        self.assertIn("HTTP 503", log)
        self.assertIn("stalled", log)
        for secret in (SECRET, self.bearer):
            self.assertNotIn(secret, log)

        # Restart without the `dogs` rule: it is deleted; the generated rule
        # moves to position 2 (re-tagged); the foreign rule survives.
        s2 = self.stream(STREAM.replace("        - value: dogs\n", ""))
        wait_until(lambda: len(self.lines(s2)) >= 5, what="tweets after the restart")
        self.assertEqual(self.rules(), {"someone else": "foreign thing", "birdgate:e2e-v2:cats": "cats has:images",
                                        "birdgate:e2e-v2:2": "(beer OR (craft ale)) lang:en"})
        log2 = s2.stderr_text()
        self.assertIn("'dogs' (tag 'birdgate:e2e-v2:2'): no longer configured", log2)
        self.assertIn("rules in sync: 1 kept, 1 added, 2 deleted, 1 not birdgate's", log2)
        self.assertEqual(s2.stop(), 0)

    def test_rejected_rule_stops_startup(self):
        config = STREAM.replace("value: dogs", "value: (dogs")
        folder = harness.tempfile.mkdtemp(prefix="birdgate-e2e-")
        path = os.path.join(folder, "birdgate.yaml")
        with open(path, "w") as f:
            f.write(config)
        env = dict(os.environ, BIRDGATE_PORT=str(harness.free_port()), SANDBOX_PORT=str(self.sandbox.port),
                   BIRDGATE_STORE="sqlite:%s/birdgate.db" % folder)
        p = subprocess.run([harness.BIN, path], env=env, capture_output=True, timeout=60)
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 78, err)
        self.assertIn("schedule.e2e-v2.kwargs.rules", err)
        self.assertIn("'(dogs': Unmatched parenthesis (at position 1)", err)
        self.assertEqual(self.rules(), {})  # the dry run changed nothing

    def test_client_forbidden_stops_the_stream(self):
        self.fault(mode="status", status=403)
        s = self.stream()
        wait_until(lambda: "stopped for good" in s.stderr_text(), what="the stop")
        log = s.stderr_text()
        self.assertIn("X answered 403 Client Forbidden: When authenticating requests to the Twitter API v2 "
                      "endpoints, you must use keys and tokens from a Twitter developer App that is attached to "
                      "a Project. (https://api.twitter.com/2/problems/client-forbidden)", log)
        self.assertEqual(s.stop(), 0)
        self.assertEqual(self.lines(s), [])

    def test_rule_changes_reach_the_open_connection(self):
        self.assertEqual(self.rules_api("POST", {"add": [{"value": "beer", "tag": "a"}]}).status_code, 200)
        with requests.get(self.sandbox.url("/sandbox/2/tweets/search/stream?expansions=author_id"), stream=True,
                          headers={"Authorization": "Bearer " + self.bearer}, timeout=10) as r:
            self.assertEqual(r.status_code, 200)
            lines = (json.loads(line) for line in r.iter_lines() if line.strip())
            first = next(lines)
            self.assertEqual([m["tag"] for m in first["matching_rules"]], ["a"])
            self.assertIn("beer", first["data"]["text"])
            self.assertEqual(first["includes"]["users"][0]["id"], first["data"]["author_id"])
            beer_id = self.rules_api().json()["data"][0]["id"]
            self.assertEqual(self.rules_api("POST", {"add": [{"value": "wine", "tag": "b"}]}).status_code, 200)
            self.rules_api("POST", {"delete": {"ids": [beer_id]}})
            for _ in range(200):  # the change shows within a few tweets; after it, only "b"
                tweet = next(lines)
                if [m["tag"] for m in tweet["matching_rules"]] == ["b"]:
                    break
            else:
                self.fail("the new rule never reached the open connection")
            for _ in range(5):
                self.assertEqual([m["tag"] for m in next(lines)["matching_rules"]], ["b"])

    def test_sandbox_refuses_what_x_refuses(self):
        r = requests.get(self.sandbox.url("/sandbox/2/tweets/search/stream"), timeout=10)
        self.assertEqual(r.status_code, 401)
        r = requests.get(self.sandbox.url("/sandbox/2/tweets/search/stream?tweet.fields=nope"),
                         headers={"Authorization": "Bearer " + self.bearer}, timeout=10)
        self.assertEqual(r.status_code, 400)
        self.assertIn("[nope]", r.json()["errors"][0]["message"])
        r = self.rules_api("POST", {"add": [{"value": "x" * 513}]}, "?dry_run=true")
        self.assertEqual(r.status_code, 400)
        self.assertIn("Rule length exceeds 512", r.json()["errors"][0]["details"][0])
        r = self.rules_api("POST", {"add": [{"value": "beer"}]}, "?dry_run=true")
        self.assertEqual(r.json()["meta"]["summary"]["created"], 1)
        self.assertEqual(self.rules(), {})


if __name__ == "__main__":
    unittest.main()
