"""End-to-end: birdgate in front of the Twitter sandbox, with a real socket
between them (etc/sandbox.yaml runs the sandbox alone), the demo config as a
newcomer runs it, and requests-oauthlib (not ours) as a client of the sandbox."""
import json
import os
import re
import sys
import unittest

import requests
from requests_oauthlib import OAuth1Session

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

SANDBOX_YAML = os.path.join(harness.SOURCE, "etc", "sandbox.yaml")
DEMO_YAML = os.path.join(harness.SOURCE, "etc", "demo.yaml")
KEY, SECRET = "demo-consumer-key", "demo-consumer-secret"
TOKEN, TOKEN_SECRET = "demo-gramener-token", "demo-gramener-token-secret"


def proxy_yaml(sandbox_port):
    return f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
  twitter: {{api_root: http://127.0.0.1:{sandbox_port}/sandbox}}
url:
  open:
    pattern: /open/(.*)
    handler: TwitterRESTHandler
    kwargs: {{key: {KEY}, secret: {SECRET}, access_key: {TOKEN}, access_secret: {TOKEN_SECRET}}}
  badsecret:
    pattern: /bad/(.*)
    handler: TwitterRESTHandler
    kwargs: {{key: {KEY}, secret: wrong, access_key: {TOKEN}, access_secret: {TOKEN_SECRET}}}
"""


def tweets_of(body):
    return body["statuses"] if isinstance(body, dict) else body


class SandboxThroughProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sandbox = harness.Birdgate(SANDBOX_YAML, env={"SANDBOX_RATE_LIMIT": "1000"}).start()
        cls.proxy = harness.Birdgate(proxy_yaml(cls.sandbox.port)).start()

    @classmethod
    def tearDownClass(cls):
        codes = (cls.proxy.stop(), cls.sandbox.stop())
        assert codes == (0, 0), codes

    def test_search_through_proxy(self):
        r = requests.get(self.proxy.url("/open/search/tweets.json"), params={"q": "beer", "count": 3}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        body = r.json()
        self.assertEqual(len(body["statuses"]), 3)
        for t in body["statuses"]:
            self.assertIn("beer", t["text"].lower())
        self.assertIn("search_metadata", body)
        self.assertIn("x-rate-limit-remaining", r.headers)
        # 64-bit ids arrive as exact JSON integers equal to id_str.
        for m in re.finditer(r'"id":(\d+),"id_str":"(\d+)"', r.text):
            self.assertEqual(m.group(1), m.group(2))
        self.assertTrue(any(int(t["id_str"]) > 2 ** 53 for t in body["statuses"]))

    def test_update_then_timeline(self):
        text = "birdgate e2e ✓ café 😀 !*'()"
        r = requests.post(self.proxy.url("/open/statuses/update.json"), data={"status": text},
                          headers={"X-Requested-With": "XMLHttpRequest"}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        posted = r.json()
        self.assertEqual(posted["text"], text)
        r = requests.get(self.proxy.url("/open/statuses/user_timeline.json"), timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn(posted["id_str"], [t["id_str"] for t in tweets_of(r.json())])

    def test_wrong_secret_gets_twitter_error_32(self):
        r = requests.get(self.proxy.url("/bad/search/tweets.json?q=x"), timeout=30)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["errors"][0]["code"], 32)

    def test_requests_oauthlib_client_against_sandbox(self):
        s = OAuth1Session(KEY, client_secret=SECRET, resource_owner_key=TOKEN, resource_owner_secret=TOKEN_SECRET)
        r = s.get(self.sandbox.url("/sandbox/1.1/account/verify_credentials.json"), timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["screen_name"], "gramener")
        r = s.get(self.sandbox.url("/sandbox/1.1/users/show.json"), params={"screen_name": "Starbucks"}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["screen_name"].lower(), "starbucks")
        r = s.post(self.sandbox.url("/sandbox/1.1/statuses/update.json"), data={"status": "from oauthlib ü"}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        bad = OAuth1Session(KEY, client_secret="nope", resource_owner_key=TOKEN, resource_owner_secret=TOKEN_SECRET)
        r = bad.get(self.sandbox.url("/sandbox/1.1/account/verify_credentials.json"), timeout=30)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["errors"][0]["code"], 32)

    def test_twitter_errors_from_sandbox(self):
        r = requests.get(self.proxy.url("/open/search/tweets.json"), timeout=30)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["errors"][0]["code"], 25)
        r = requests.get(self.proxy.url("/open/users/show.json?screen_name=not-a-name!"), timeout=30)
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["errors"][0]["code"], 50)


class RateLimitTest(unittest.TestCase):
    def test_rate_limit_spent_is_429_code_88_passed_through(self):
        with harness.Birdgate(SANDBOX_YAML, env={"SANDBOX_RATE_LIMIT": "3"}) as sandbox:
            with harness.Birdgate(proxy_yaml(sandbox.port)) as proxy:
                remaining = []
                for _ in range(3):
                    r = requests.get(proxy.url("/open/search/tweets.json?q=x"), timeout=30)
                    self.assertEqual(r.status_code, 200)
                    remaining.append(int(r.headers["x-rate-limit-remaining"]))
                self.assertEqual(remaining, [2, 1, 0])
                r = requests.get(proxy.url("/open/search/tweets.json?q=x"), timeout=30)
                self.assertEqual(r.status_code, 429)
                self.assertEqual(r.json()["errors"][0]["code"], 88)
                self.assertEqual(r.headers["x-rate-limit-remaining"], "0")
                # Another endpoint has its own budget.
                r = requests.get(proxy.url("/open/users/show.json?screen_name=gramener"), timeout=30)
                self.assertEqual(r.status_code, 200)


class DemoTest(unittest.TestCase):
    """etc/demo.yaml as ./scripts/demo runs it (on a free port)."""

    def test_demo_answers_the_readme_curl(self):
        with harness.Birdgate(DEMO_YAML) as demo:
            r = requests.get(demo.url("/twitter-open/search/tweets.json?q=beer&count=1"), timeout=30)
            self.assertEqual(r.status_code, 200, r.text)
            statuses = r.json()["statuses"]
            self.assertEqual(len(statuses), 1)
            self.assertIn("beer", statuses[0]["text"].lower())
            r = requests.post(demo.url("/twitter/search"), data={"q": "wine", "count": "2"},
                              headers={"X-Requested-With": "XMLHttpRequest"}, timeout=30)
            self.assertEqual(r.status_code, 200, r.text)
            self.assertEqual(len(r.json()["statuses"]), 2)
            self.assertIn("wine", r.json()["statuses"][0]["text"].lower())
            r = requests.get(demo.url("/twitter/search?q=wine"), timeout=30)
            self.assertEqual(r.status_code, 405)
            r = requests.get(demo.url("/twitter-open/statuses/user_timeline.json?screen_name=gramener&count=2"),
                             timeout=30)
            self.assertEqual(r.status_code, 200, r.text)
            self.assertTrue(all(t["user"]["screen_name"].lower() == "gramener" for t in tweets_of(r.json())))
            # The seed's sentiment example.
            r = requests.get(demo.url("/sentiment?q=beer&count=3"), timeout=30)
            self.assertEqual(r.status_code, 200, r.text)
            statuses = r.json()["statuses"]
            self.assertEqual(len(statuses), 3)
            for t in statuses:
                self.assertTrue(-1 <= t["sentiment"] <= 1)
                self.assertTrue(0 <= t["subjectivity"] <= 1)
                self.assertIn('"id":%s,' % t["id_str"], r.text)


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
