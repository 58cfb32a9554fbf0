"""End-to-end: transforms (plugins) and the response cache through the real
binary: sentiment on tweets with 64-bit ids kept exact, the JSONL transform,
failing/throwing/late transforms answering 500 while birdgate keeps serving,
and the cache rules (HIT/MISS, expiry, per-user identity, errors and POST
never cached, one upstream request for a stampede)."""
import concurrent.futures
import json
import os
import re
import sys
import tempfile
import time
import unittest

import requests

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from harness import rest_url  # noqa: E402

XHR = {"X-Requested-With": "XMLHttpRequest"}
TWEETS = ('{"statuses":[{"id":1234567890123456789,"id_str":"1234567890123456789","text":"I love this great beer",'
          '"user":{"id":9007199254740993,"screen_name":"a"}},{"id":1,"id_str":"1","text":"terrible awful wine"}],'
          '"search_metadata":{"max_id":1234567890123456789}}')


def config(echo_port, folder):
    ep = "http://127.0.0.1:%d/1.1/" % echo_port
    return f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
  plugins: [{harness.PLUGINS}, {harness.FIXTURE_PLUGINS}]
  transform_threads: 2
url:""" + rest_url("sentiment", "/sentiment/(.*)", ep, """      transform:
        sentiment:
          function: sentiment.add_sentiment
          subjectivity: true
""") + rest_url("save", "/save/(.*)", ep, f"""      transform:
        save:
          function: jsonl_sink.append
          path: {folder}/saved.{{:%Y-%m-%d}}.jsonl
""") + rest_url("both", "/both/(.*)", ep, f"""      transform:
        sentiment: {{function: sentiment.add_sentiment}}
        context: {{function: good.context}}
""") + rest_url("throws", "/throws/(.*)", ep, """      transform:
        boom: {function: throwing.throws}
""") + rest_url("errors", "/errors/(.*)", ep, """      transform:
        bad: {function: throwing.returns_error}
""") + rest_url("late", "/late/(.*)", ep, """      transform:
        slow: {function: good.sleeps, ms: "3000", timeout: 0.3}
""") + rest_url("invalid", "/invalid/(.*)", ep, """      transform:
        shout: {function: good.upper}
""") + rest_url("cached", "/cached/(.*)", ep, """    cache: {duration: 300}
""") + rest_url("gramex", "/gramex/(.*)", ep, """    cache:
      expiry: {duration: 300}
""") + rest_url("short", "/short/(.*)", ep, """    cache: {duration: 1}
""") + rest_url("cachedsent", "/cachedsent/(.*)", ep, """      transform:
        sentiment: {function: sentiment.add_sentiment}
    cache: {duration: 300}
""")


class TransformCacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="birdgate-tc-")
        cls.echo = harness.EchoUpstream().__enter__()
        cls.bg = harness.Birdgate(config(cls.echo.port, cls.folder)).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.bg.stop()
        cls.echo.__exit__()
        assert code == 0, (code, cls.bg.stderr_text())

    def get(self, path, **params):
        return requests.get(self.bg.url(path), params=params, timeout=30)

    def upstream_count(self, needle):
        return sum(1 for r in self.echo.requests if any(needle in v for _, v in r["query"]))

    def test_sentiment_keeps_64bit_ids_exact(self):
        r = self.get("/sentiment/search/tweets.json", echo_body=TWEETS, q="beer")
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn('"id":1234567890123456789,"id_str":"1234567890123456789"', r.text)
        self.assertIn('"id":9007199254740993', r.text)
        self.assertIn('"max_id":1234567890123456789', r.text)
        body = r.json()
        first, second = body["statuses"]
        self.assertGreater(first["sentiment"], 0)
        self.assertLess(second["sentiment"], 0)
        self.assertIn("subjectivity", first)
        self.assertEqual(r.headers["x-rate-limit-remaining"], "179")

    def test_jsonl_transform_appends_each_tweet_and_passes_through(self):
        path = os.path.join(self.folder, "saved.%s.jsonl" % time.strftime("%Y-%m-%d", time.gmtime()))
        before = open(path).read().count("\n") if os.path.exists(path) else 0
        r = self.get("/save/search/tweets.json", echo_body=TWEETS, q="x")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.text, TWEETS)

        def one(i):
            return self.get("/save/search/tweets.json", echo_body=TWEETS, q="c%d" % i).status_code

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            self.assertEqual(list(pool.map(one, range(32))), [200] * 32)
        with open(path) as f:
            lines = f.read().split("\n")
        self.assertEqual(lines[-1], "")
        lines = lines[before:-1]
        self.assertEqual(len(lines), 2 * 33)
        for line in lines:
            tweet = json.loads(line)
            self.assertIn(tweet["id_str"], ("1234567890123456789", "1"))
            self.assertEqual(str(tweet["id"]), tweet["id_str"])

    def test_transforms_run_in_order_with_the_request_context(self):
        r = self.get("/both/search/tweets.json", echo_body=TWEETS, q="beer", count="2")
        self.assertEqual(r.status_code, 200, r.text)
        ctx = r.json()
        self.assertEqual(ctx["url"], "both")
        self.assertEqual(ctx["path"], "search/tweets.json")
        self.assertEqual(ctx["args"]["q"], ["beer"])
        self.assertEqual(ctx["args"]["count"], ["2"])

    def test_failing_transforms_give_500_naming_them_and_birdgate_keeps_serving(self):
        for path, name in [("/throws/x.json", "boom"), ("/errors/x.json", "bad"), ("/late/x.json", "slow"),
                           ("/invalid/x.json", "shout")]:
            with self.subTest(path=path):
                r = self.get(path, echo_body='{"statuses":[],"flag":true}')
                self.assertEqual(r.status_code, 500, r.text)
                message = r.json()["errors"][0]["message"]
                self.assertIn(name, message)
                # The plugin's own message (here it echoes the input) stays in the log.
                self.assertNotIn("boom while reading", r.text)
        self.assertEqual(self.get("/sentiment/search/tweets.json", echo_body=TWEETS).status_code, 200)
        # Transforms only run on 200 answers.
        r = self.get("/throws/x.json", status="404")
        self.assertEqual(r.status_code, 404)

    def test_cache_hit_miss_and_headers(self):
        r1 = self.get("/cached/search/tweets.json", q="hitmiss")
        r2 = self.get("/cached/search/tweets.json", q="hitmiss")
        self.assertEqual((r1.headers["X-Cache"], r2.headers["X-Cache"]), ("MISS", "HIT"))
        self.assertEqual(r1.content, r2.content)
        self.assertEqual(r1.status_code, r2.status_code)
        self.assertEqual(r1.headers["x-rate-limit-remaining"], r2.headers["x-rate-limit-remaining"])
        self.assertEqual(r1.headers["Content-Type"], r2.headers["Content-Type"])
        self.assertEqual(self.upstream_count("hitmiss"), 1)
        r3 = self.get("/cached/search/tweets.json", q="hitmiss", other="1")
        self.assertEqual(r3.headers["X-Cache"], "MISS")
        r = self.get("/gramex/search/tweets.json", q="gramexsyntax")
        r = self.get("/gramex/search/tweets.json", q="gramexsyntax")
        self.assertEqual(r.headers["X-Cache"], "HIT")

    def test_get_form_body_is_part_of_the_cache_key(self):
        def get(body):
            return requests.get(self.bg.url("/cached/search/tweets.json?q=getbody"), data=body, timeout=30)

        self.assertEqual(get({"count": "1"}).headers["X-Cache"], "MISS")
        self.assertEqual(get({"count": "2"}).headers["X-Cache"], "MISS")
        self.assertEqual(get({"count": "1"}).headers["X-Cache"], "HIT")
        self.assertEqual(get(None).headers["X-Cache"], "MISS")
        self.assertEqual(self.upstream_count("getbody"), 3)

    def test_cache_expiry(self):
        self.assertEqual(self.get("/short/x.json", q="expiry").headers["X-Cache"], "MISS")
        self.assertEqual(self.get("/short/x.json", q="expiry").headers["X-Cache"], "HIT")
        time.sleep(1.3)
        self.assertEqual(self.get("/short/x.json", q="expiry").headers["X-Cache"], "MISS")
        self.assertEqual(self.upstream_count("expiry"), 2)

    def test_errors_and_posts_never_cached(self):
        for _ in range(2):
            r = self.get("/cached/x.json", q="errcache", status="503")
            self.assertEqual(r.status_code, 503)
            self.assertEqual(r.headers["X-Cache"], "MISS")
        self.assertEqual(self.upstream_count("errcache"), 2)
        for _ in range(2):
            r = requests.post(self.bg.url("/cached/statuses/update.json"), data={"status": "postcache"},
                              headers=XHR, timeout=30)
            self.assertEqual(r.status_code, 200)
            self.assertNotIn("X-Cache", r.headers)
        self.assertEqual(sum(1 for r in self.echo.requests if ("status", "postcache") in r["form"]), 2)

    def test_cached_answer_is_after_transforms(self):
        r1 = self.get("/cachedsent/search/tweets.json", echo_body=TWEETS, q="aftertransform")
        r2 = self.get("/cachedsent/search/tweets.json", echo_body=TWEETS, q="aftertransform")
        self.assertEqual(r2.headers["X-Cache"], "HIT")
        self.assertEqual(r1.content, r2.content)
        self.assertIn("sentiment", r2.json()["statuses"][0])

    def test_stampede_makes_one_upstream_request(self):
        def one(_):
            return self.get("/cached/search/tweets.json", q="stampede", delay="0.5")

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(one, range(20)))
        self.assertEqual({a.status_code for a in answers}, {200})
        self.assertEqual(len({a.content for a in answers}), 1)
        self.assertEqual(self.upstream_count("stampede"), 1)


SANDBOX_YAML = os.path.join(harness.SOURCE, "etc", "sandbox.yaml")


class CachePerUserTest(unittest.TestCase):
    """Two logged-in users never see each other's cached answer."""

    def test_two_users_two_answers(self):
        from test_login import login  # noqa: E402
        with harness.Birdgate(SANDBOX_YAML) as sandbox:
            yaml = f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
  store: $BIRDGATE_STORE
  twitter: {{api_root: http://127.0.0.1:{sandbox.port}/sandbox}}
url:
  tw:
    pattern: /tw/(.*)
    handler: TwitterRESTHandler
    kwargs: {{key: demo-consumer-key, secret: demo-consumer-secret}}
    cache: {{duration: 300}}
"""
            with harness.Birdgate(yaml) as gw:
                alice, bob = requests.Session(), requests.Session()
                login(alice, gw, "/tw/", user="gramener")
                login(bob, gw, "/tw/", user="birdgate_dev")
                a1 = alice.get(gw.url("/tw/account/verify_credentials.json"), timeout=30)
                b1 = bob.get(gw.url("/tw/account/verify_credentials.json"), timeout=30)
                a2 = alice.get(gw.url("/tw/account/verify_credentials.json"), timeout=30)
                self.assertEqual(a1.json()["screen_name"], "gramener")
                self.assertEqual(b1.json()["screen_name"], "birdgate_dev")
                self.assertEqual((a1.headers["X-Cache"], b1.headers["X-Cache"], a2.headers["X-Cache"]),
                                 ("MISS", "MISS", "HIT"))
                self.assertEqual(a2.json()["screen_name"], "gramener")
                anon = requests.get(gw.url("/tw/account/verify_credentials.json"), timeout=30)
                self.assertEqual(anon.status_code, 401)


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
