"""End-to-end: the real birdgate binary proxying to a fake Twitter over real
sockets. The fake upstream verifies every OAuth signature with oauthlib (code
no one here wrote), so these tests check signing interoperability too."""
import concurrent.futures
import http.client
import json
import os
import sys
import threading
import time
import unittest

import requests

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from harness import APP_KEY, APP_SECRET, USER_KEY, USER_SECRET, rest_url  # noqa: E402

XHR = {"X-Requested-With": "XMLHttpRequest"}


def proxy_config(echo_port, silent_port, dead_port):
    echo = "http://127.0.0.1:%d/1.1/" % echo_port
    return """
app:
  listen: {host: 127.0.0.1, port: $BIRDGATE_PORT}
  threads: 96
  max_body: 4096
url:""" + rest_url("t", "/t/(.*)", echo, "      headers: {Cache-Control: private}\n") + rest_url(
        "search", "/twitter/search", echo, "      path: search/tweets.json\n      methods: [POST]\n") + rest_url(
        "getonly", "/getonly/(.*)", echo, "      methods: GET\n") + rest_url(
        "sha256", "/sha256/(.*)", echo, "      signature_method: HMAC-SHA256\n") + rest_url(
        "notoken", "/notoken/(.*)", echo, token=False) + rest_url(
        "silent", "/silent/(.*)", "http://127.0.0.1:%d/1.1/" % silent_port, "      timeout: 1\n") + rest_url(
        "dead", "/dead/(.*)", "http://127.0.0.1:%d/1.1/" % dead_port) + """
  inferred:
    pattern: /v/(.*)
    handler: TwitterRESTHandler
    kwargs:
      key: %s
      secret: %s
      access_key: %s
      access_secret: %s
      api_root: http://127.0.0.1:%d/prefix
""" % (APP_KEY, APP_SECRET, USER_KEY, USER_SECRET, echo_port)


class ProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.echo = harness.EchoUpstream().__enter__()
        cls.silent = harness.SilentUpstream().__enter__()
        dead = harness.free_port()  # nothing listens there
        cls.bg = harness.Birdgate(proxy_config(cls.echo.port, cls.silent.port, dead)).start()
        cls.http = requests.Session()

    @classmethod
    def tearDownClass(cls):
        code = cls.bg.stop()
        cls.echo.__exit__()
        cls.silent.__exit__()
        cls.http.close()
        assert code == 0, "birdgate exit code %s\n%s" % (code, cls.bg.stderr_text())

    def get(self, path, **kw):
        return self.http.get(self.bg.url(path), timeout=30, **kw)

    def post(self, path, **kw):
        headers = dict(XHR)
        headers.update(kw.pop("headers", {}))
        return self.http.post(self.bg.url(path), timeout=30, headers=headers, **kw)

    def echoed(self, r):
        self.assertEqual(r.status_code, 200, r.text)
        data = r.json()
        self.assertTrue(data["verified"], "oauthlib did not verify the signature: %s" % data)
        return data

    def test_get_with_query(self):
        r = self.get("/t/search/tweets.json?q=beer&count=1")
        d = self.echoed(r)
        self.assertEqual(d["method"], "GET")
        self.assertEqual(d["path"], "/1.1/search/tweets.json")
        self.assertEqual(d["query"], [["q", "beer"], ["count", "1"]])
        self.assertIn("birdgate/", d["user_agent"])
        self.assertEqual(r.headers["x-rate-limit-remaining"], "179")
        self.assertEqual(r.headers["Cache-Control"], "private")
        self.assertNotIn("upstream=secret", r.headers.get("Set-Cookie", ""))  # the upstream's cookie is not passed on
        self.assertNotIn("X-Accel-Redirect", r.headers)  # a front nginx would act on it
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"))

    def test_upstream_connections_are_kept_alive_and_reused(self):
        before = len(self.echo.requests)
        with requests.Session() as http:
            for i in range(12):
                self.assertEqual(http.get(self.bg.url("/t/search/tweets.json?q=reuse%d" % i), timeout=30).status_code, 200)
        ports = {r["client_port"] for r in self.echo.requests[before:]}
        self.assertLessEqual(len(ports), 2, "12 sequential requests used %d upstream connections" % len(ports))

    def test_https_upstream_is_verified_against_the_system_ca_store(self):
        with harness.TlsUpstream() as tls:
            yaml = f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
url:
  tls:
    pattern: /tls/(.*)
    handler: TwitterRESTHandler
    kwargs: {{key: {APP_KEY}, secret: {APP_SECRET}, access_key: {USER_KEY}, access_secret: {USER_SECRET},
              endpoint: "https://127.0.0.1:{tls.port}/1.1/"}}
"""
            with harness.Birdgate(yaml) as bg:
                r = requests.get(bg.url("/tls/search/tweets.json?q=x"), timeout=30)
                self.assertEqual(r.status_code, 502, r.text)
                self.assertEqual(tls.requests, [], "a request was sent to an unverified HTTPS upstream")

    def test_client_oauth_parameters_are_refused(self):
        before = len(self.echo.requests)
        for path, data in [("/t/search/tweets.json?oauth_token=someone-else", None),
                           ("/t/statuses/update.json", {"status": "x", "oauth_callback": "http://evil.example/"})]:
            r = self.post(path, data=data) if data else self.get(path)
            self.assertEqual(r.status_code, 400, r.text)
            self.assertIn("oauth_", r.json()["errors"][0]["message"])
        self.assertEqual(len(self.echo.requests), before)

    def test_get_form_body_joins_the_query(self):
        # DESIGN 3.1: Gramex signs a GET's form body, so its fields are merged
        # into the query, signed (oauthlib verifies) and sent as query parameters.
        r = self.http.request("GET", self.bg.url("/t/search/tweets.json?q=1"), data={"q": "2", "extra": "x"},
                              timeout=30)
        d = self.echoed(r)
        self.assertEqual(d["method"], "GET")
        self.assertEqual(d["query"], [["q", "1"], ["q", "2"], ["extra", "x"]])
        self.assertEqual(d["form"], [])

    def test_other_get_bodies_are_ignored(self):
        r = self.http.request("GET", self.bg.url("/t/search/tweets.json?q=1"), data='{"q": "2"}',
                              headers={"Content-Type": "application/json"}, timeout=30)
        d = self.echoed(r)
        self.assertEqual(d["query"], [["q", "1"]])
        self.assertEqual(d["body"], "")

    def test_bad_get_form_body_is_400(self):
        before = len(self.echo.requests)
        r = self.http.request("GET", self.bg.url("/t/search/tweets.json"), data="q=%zz",
                              headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
        self.assertEqual(r.status_code, 400, r.text)
        self.assertEqual(len(self.echo.requests), before)

    def test_version_is_inferred_without_endpoint(self):
        # DESIGN 3.1: 2/... and 1.1/... go under api_root as written, any
        # other path under {api_root}/1.1/ (Gramex's paths keep working).
        for path, upstream in [("/v/2/tweets/search/recent?query=beer", "/prefix/2/tweets/search/recent"),
                               ("/v/1.1/search/tweets.json?q=x", "/prefix/1.1/search/tweets.json"),
                               ("/v/search/tweets.json?q=x", "/prefix/1.1/search/tweets.json")]:
            d = self.echoed(self.get(path))
            self.assertEqual(d["path"], upstream)
        # An explicit endpoint is used as written (Gramex's behaviour).
        self.assertEqual(self.echoed(self.get("/t/2/tweets/search/recent"))["path"], "/1.1/2/tweets/search/recent")

    def test_hmac_sha256(self):
        d = self.echoed(self.get("/sha256/search/tweets.json?q=x"))
        self.assertIn("HMAC-SHA256", d["authorization"])

    def test_post_form_to_search_goes_upstream_as_get(self):
        r = self.post("/t/search/tweets.json", data={"q": "wine", "count": "2"})
        d = self.echoed(r)
        self.assertEqual(d["method"], "GET")
        self.assertEqual(sorted(d["query"]), [["count", "2"], ["q", "wine"]])
        self.assertEqual(d["form"], [])

    def test_fixed_path_with_methods_post(self):
        d = self.echoed(self.post("/twitter/search", data={"q": "beer"}))
        self.assertEqual(d["method"], "GET")
        self.assertEqual(d["path"], "/1.1/search/tweets.json")
        self.assertEqual(d["query"], [["q", "beer"]])
        r = self.get("/twitter/search?q=beer")
        self.assertEqual(r.status_code, 405)
        self.assertEqual(r.json()["errors"][0]["code"], 405)
        self.assertIn("POST", r.headers["Allow"])

    def test_post_update_goes_upstream_as_post(self):
        status = "Hello Ladies + Gentlemen, a signed OAuth request! café 😀"
        d = self.echoed(self.post("/t/statuses/update.json?include_entities=true", data={"status": status}))
        self.assertEqual(d["method"], "POST")
        self.assertEqual(d["form"], [["status", status]])
        self.assertEqual(d["query"], [["include_entities", "true"]])

    def test_repeated_keys_kept(self):
        d = self.echoed(self.get("/t/users/lookup.json?screen_name=b&screen_name=a&screen_name=c&x="))
        self.assertEqual(d["query"], [["screen_name", "b"], ["screen_name", "a"], ["screen_name", "c"], ["x", ""]])
        d = self.echoed(self.post("/t/search/tweets.json?q=1", data=[("q", "3"), ("q", "2")]))
        self.assertEqual(sorted(v for k, v in d["query"] if k == "q"), ["1", "2", "3"])

    def test_reserved_characters_and_unicode_intact(self):
        value = "!*'()~+&=% é ñ 日本 😀 “quotes”"
        d = self.echoed(self.get("/t/search/tweets.json", params={"q": value, "k&=": "v=&"}))
        self.assertEqual(d["query"], [["q", value], ["k&=", "v=&"]])
        d = self.echoed(self.post("/t/statuses/update.json", data={"status": value}))
        self.assertEqual(d["form"], [["status", value]])

    def test_plus_in_query_is_space(self):
        d = self.echoed(self.get("/t/search/tweets.json?q=beer+wine&r=%2B"))
        self.assertEqual(d["query"], [["q", "beer wine"], ["r", "+"]])

    def test_xsrf_parameter_not_forwarded(self):
        d = self.echoed(self.post("/t/statuses/update.json", data={"status": "x", "_xsrf": "tok"}))
        self.assertEqual(d["form"], [["status", "x"]])

    def test_json_body_forwarded_unsigned(self):
        body = json.dumps({"text": "hello", "id": 1234567890123456789})
        r = self.post("/t/2/tweets", data=body, headers={"Content-Type": "application/json"})
        d = self.echoed(r)
        self.assertEqual(d["method"], "POST")
        self.assertEqual(d["body"], body)
        self.assertEqual(d["content_type"], "application/json")

    def test_upstream_errors_pass_through(self):
        for status in (400, 401, 403, 404, 429, 500, 503):
            r = self.get("/t/search/tweets.json?status=%d" % status)
            self.assertEqual(r.status_code, status)
            self.assertEqual(r.reason, "Echo %d" % status)
            self.assertEqual(r.headers["x-rate-limit-limit"], "180")
            self.assertEqual(r.headers["x-rate-limit-reset"], "1700000000")
            self.assertTrue(r.json()["verified"])

    def test_upstream_down_is_502(self):
        r = self.get("/dead/search/tweets.json?q=x")
        self.assertEqual(r.status_code, 502)
        self.assertEqual(r.json(), {"errors": [{"code": 502, "message": "upstream unreachable"}]})

    def test_silent_upstream_is_504(self):
        t0 = time.time()
        r = self.get("/silent/search/tweets.json?q=x")
        self.assertEqual(r.status_code, 504)
        self.assertEqual(r.json()["errors"][0]["code"], 504)
        self.assertLess(time.time() - t0, 10)

    def test_method_outside_methods_is_405(self):
        r = self.post("/getonly/search/tweets.json", data={"q": "x"})
        self.assertEqual(r.status_code, 405)
        self.assertEqual(r.json()["errors"][0]["code"], 405)
        r = self.http.delete(self.bg.url("/t/search/tweets.json"), headers=XHR, timeout=10)
        self.assertEqual(r.status_code, 405)
        self.assertEqual(self.get("/getonly/search/tweets.json?q=1").status_code, 200)

    def test_body_too_large_is_413(self):
        before = len(self.echo.requests)
        r = self.post("/t/statuses/update.json", data={"status": "x" * 5000})
        self.assertEqual(r.status_code, 413)
        self.assertEqual(r.json()["errors"][0]["code"], 413)
        self.assertEqual(len(self.echo.requests), before)

    def test_missing_token_is_401_access_token_missing(self):
        r = self.get("/notoken/statuses/home_timeline.json")
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.reason, "access token missing")
        self.assertIn("WWW-Authenticate", r.headers)
        self.assertEqual(r.json(), {"errors": [{"code": 401, "message": "access token missing"}]})

    def test_no_route_is_404_json(self):
        r = self.get("/nowhere")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["errors"][0]["code"], 404)

    def test_hostile_paths_are_400_and_never_sent(self):
        hostile = ["/t/../secret", "/t/%2e%2e/x", "/t/a%2Fb", "/t/%252e%252e/x", "/t//evil.example/x",
                   "/t/user@evil.example/x", "/t/a%5Cb", "/t/a\\b", "/t/a%00b", "/t/a%0d%0aX:%20y",
                   "/t/http://evil.example/x", "/t/https:evil", "/t/a/./b", "/t/%zz"]
        before = len(self.echo.requests)
        for path in hostile:
            conn = http.client.HTTPConnection("127.0.0.1", self.bg.port, timeout=10)
            conn.putrequest("GET", path, skip_accept_encoding=True)
            conn.endheaders()
            r = conn.getresponse()
            body = r.read()
            conn.close()
            self.assertEqual(r.status, 400, "%s gave %d %s" % (path, r.status, body))
            self.assertEqual(json.loads(body)["errors"][0]["code"], 400)
        # Absolute-form request targets are refused too.
        conn = http.client.HTTPConnection("127.0.0.1", self.bg.port, timeout=10)
        conn.putrequest("GET", "http://evil.example/t/search/tweets.json", skip_host=True)
        conn.putheader("Host", "evil.example")
        conn.endheaders()
        r = conn.getresponse()
        r.read()
        conn.close()
        self.assertEqual(r.status, 400)
        self.assertEqual(len(self.echo.requests), before, "a hostile path reached the upstream")

    def test_64_concurrent_requests(self):
        def one(i):
            with requests.Session() as s:
                r = s.get(self.bg.url("/t/search/tweets.json"), params={"q": "c%d" % i}, timeout=30)
                return r.status_code, r.json()

        with concurrent.futures.ThreadPoolExecutor(64) as pool:
            results = list(pool.map(one, range(64)))
        self.assertEqual([s for s, _ in results], [200] * 64)
        self.assertTrue(all(d["verified"] for _, d in results))
        self.assertEqual(sorted(d["query"][0][1] for _, d in results), sorted("c%d" % i for i in range(64)))


class FileHandlerTest(unittest.TestCase):
    def test_folders_redirect_relatively_and_paths_stay_inside(self):
        import tempfile
        root = tempfile.mkdtemp()
        os.makedirs(os.path.join(root, "assets"))
        with open(os.path.join(root, "assets", "index.html"), "w") as f:
            f.write("<p>assets</p>")
        with open(os.path.join(root, "index.html"), "w") as f:
            f.write("<p>home</p>")
        with open(os.path.join(root, ".secret"), "w") as f:
            f.write("hidden")
        yaml = f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
url:
  files:
    pattern: /(.*)
    handler: FileHandler
    kwargs: {{path: {root}/}}
"""
        with harness.Birdgate(yaml) as bg:
            def raw(path):
                conn = http.client.HTTPConnection("127.0.0.1", bg.port, timeout=10)
                conn.putrequest("GET", path)
                conn.endheaders()
                r = conn.getresponse()
                body = r.read()
                conn.close()
                return r.status, r.getheader("Location"), body
            self.assertEqual(raw("/")[0], 200)
            self.assertEqual(raw("/assets")[:2], (302, "assets/"))
            self.assertEqual(raw("/assets/")[2], b"<p>assets</p>")
            for bad in ["//assets", "//evil.example", "/.secret", "/assets/../.secret", "/%2e%2e/etc/passwd",
                        "/a%2Fb", "/assets/%00"]:
                status, location, _ = raw(bad)
                self.assertIn(status, (400, 404), bad)
                self.assertIsNone(location, bad)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_finishes_in_flight_requests_and_exits_0(self):
        with harness.EchoUpstream() as echo:
            bg = harness.Birdgate(proxy_config(echo.port, 1, 1)).start()
            result = {}

            def slow():
                r = requests.get(bg.url("/t/search/tweets.json?q=slow&delay=1.5"), timeout=30)
                result["status"] = r.status_code
                result["body"] = r.json()

            t = threading.Thread(target=slow)
            t.start()
            deadline = time.time() + 10
            while not echo.requests and time.time() < deadline:
                time.sleep(0.02)
            code = bg.stop()
            t.join()
            self.assertEqual(code, 0, bg.stderr_text())
            self.assertEqual(result.get("status"), 200)
            self.assertTrue(result["body"]["verified"])


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
