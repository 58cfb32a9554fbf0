"""End-to-end: logging users in with Twitter (the sandbox plays Twitter, in
its own process behind a real socket): the OAuth 1.0a flow, sessions,
persisted tokens across restarts, forgetting a token Twitter rejects (code
89), XSRF, open-redirect attempts, and bad callbacks. None of them may leak a
token or reach Twitter signed with someone else's token."""
import os
import re
import sys
import tempfile
import unittest
import urllib.parse

import requests

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

SANDBOX_YAML = os.path.join(harness.SOURCE, "etc", "sandbox.yaml")
KEY, SECRET = "demo-consumer-key", "demo-consumer-secret"
TOKEN_VALUES = ["demo-gramener-token", "demo-gramener-token-secret", "demo-dev-token-secret", SECRET]


def gateway_yaml(sandbox_port, secret=""):
    return f"""
app:
  listen:
    host: 127.0.0.1
    port: $BIRDGATE_PORT
  store: $BIRDGATE_STORE
  secret: "{secret}"
  access_log: "-"
  twitter:
    api_root: http://127.0.0.1:{sandbox_port}/sandbox
url:
  tw:
    pattern: /tw/(.*)
    handler: TwitterRESTHandler
    kwargs:
      key: {KEY}
      secret: {SECRET}
  auth:
    pattern: /auth/(.*)
    handler: TwitterRESTHandler
    kwargs:
      key: {KEY}
      secret: {SECRET}
      login: authenticate
      redirect:
        url: /after-login
  ext:
    pattern: /ext/(.*)
    handler: TwitterRESTHandler
    kwargs:
      key: {KEY}
      secret: {SECRET}
      redirect:
        query: next
        external: true
  persist:
    pattern: /persist/(.*)
    handler: TwitterRESTHandler
    kwargs:
      key: {KEY}
      secret: {SECRET}
      access_key: persist
      access_secret: persist
  noxsrf:
    pattern: /noxsrf/(.*)
    handler: TwitterRESTHandler
    kwargs:
      key: {KEY}
      secret: {SECRET}
      xsrf_cookies: false
"""


def login(http, gw, prefix, user="birdgate_dev", referer=None, query="", cancel=False):
    """Runs the browser's side of the login; returns the final response
    (birdgate's redirect after the callback, not followed)."""
    headers = {"Referer": referer} if referer else {}
    r = http.get(gw.url(prefix + query), headers=headers, allow_redirects=False, timeout=30)
    assert r.status_code == 302, (r.status_code, r.text)
    authorize = r.headers["Location"]
    page = http.get(authorize, timeout=30)
    assert page.status_code == 200, page.text
    token = re.search(r'name="oauth_token" value="([^"]+)"', page.text).group(1)
    action = "cancel" if cancel else "authorize"
    r = http.post(authorize, data={"oauth_token": token, "screen_name": user, "action": action},
                  allow_redirects=False, timeout=30)
    assert r.status_code == 302, (r.status_code, r.text)
    callback = r.headers["Location"]
    return http.get(callback, allow_redirects=False, timeout=30), callback, authorize


class LoginTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="birdgate-login-")
        cls.sandbox = harness.Birdgate(SANDBOX_YAML).start()
        cls.gw = harness.Birdgate(gateway_yaml(cls.sandbox.port), folder=cls.folder).start()

    @classmethod
    def tearDownClass(cls):
        codes = (cls.gw.stop(), cls.sandbox.stop())
        logs = cls.gw.stderr_text()
        assert '"GET /tw/statuses/home_timeline.json" 401' in logs, "no access log line:\n" + logs
        assert "oauth_verifier=[redacted]" in logs, "the callback was not logged (redacted):\n" + logs
        for secret in TOKEN_VALUES + ["oauth_signature", "sid=", "_xsrf="]:
            assert secret not in logs, "a log line shows %r:\n%s" % (secret, logs)
        leaked = re.findall(r"oauth_(?:token|verifier)=(?!\[redacted\])[^&\s\"]+", logs)
        assert not leaked, "a log line shows an OAuth value: %s" % leaked
        assert codes == (0, 0), codes

    def test_missing_token_then_login_then_timeline(self):
        http = requests.Session()
        r = http.get(self.gw.url("/tw/statuses/home_timeline.json"), timeout=30)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.reason, "access token missing")
        self.assertIn("WWW-Authenticate", r.headers)
        self.assertEqual(r.json(), {"errors": [{"code": 401, "message": "access token missing"}]})
        before = http.cookies.get("sid")
        r, _, authorize = login(http, self.gw, "/tw/", referer=self.gw.url("/page.html?x=1"))
        self.assertIn("/sandbox/oauth/authorize?", authorize)
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r.headers["Location"], "/page.html?x=1")
        cookie = r.headers["Set-Cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Lax", cookie)
        self.assertNotIn("Secure", cookie)
        after = http.cookies.get("sid")
        self.assertTrue(after and after != before, "the login must issue a fresh session id")
        self.assertEqual(len(after), 43)
        me = http.get(self.gw.url("/tw/account/verify_credentials.json"), timeout=30).json()
        self.assertEqual(me["screen_name"], "birdgate_dev")
        tl = http.get(self.gw.url("/tw/statuses/home_timeline.json?count=2"), timeout=30)
        self.assertEqual(tl.status_code, 200)
        self.assertEqual(len(tl.json()), 2)
        # Another visitor does not get this session.
        other = requests.get(self.gw.url("/tw/statuses/home_timeline.json"), timeout=30)
        self.assertEqual(other.status_code, 401)

    def test_only_get_starts_a_login_and_pending_sessions_are_short_lived(self):
        import sqlite3
        import time as _time
        r = requests.head(self.gw.url("/tw/"), allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400)
        http = requests.Session()
        r = http.get(self.gw.url("/tw/"), allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302)
        db = sqlite3.connect(os.path.join(self.folder, "birdgate.db"))
        try:
            (expires,) = db.execute("SELECT MAX(expires) FROM birdgate_store WHERE ns = 'session' AND expires < ?",
                                    (int((_time.time() + 3600) * 1000),)).fetchone()
        finally:
            db.close()
        self.assertIsNotNone(expires, "an anonymous login start must keep its session 10 minutes at most")
        self.assertLessEqual(expires / 1000 - _time.time(), 600 + 5)

    def test_a_planted_session_is_destroyed_by_the_login(self):
        attacker = requests.Session()
        login(attacker, self.gw, "/tw/", user="gramener")
        planted = attacker.cookies.get("sid")
        victim = requests.Session()
        # Fixation: the victim's browser carries the attacker's id.
        victim.cookies.set("sid", planted, domain="127.0.0.1", path="/")
        r, _, _ = login(victim, self.gw, "/tw/", user="birdgate_dev")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(len([c for c in victim.cookies if c.name == "sid"]), 1)
        self.assertNotEqual(victim.cookies.get("sid"), planted)
        me = victim.get(self.gw.url("/tw/account/verify_credentials.json"), timeout=30).json()
        self.assertEqual(me["screen_name"], "birdgate_dev")
        # The planted id is gone: the attacker cannot ride the victim's login.
        r = attacker.get(self.gw.url("/tw/account/verify_credentials.json"), timeout=30)
        self.assertEqual(r.status_code, 401)

    def test_secure_cookie_behind_https_proxy(self):
        http = requests.Session()
        r = http.get(self.gw.url("/tw/"), headers={"X-Forwarded-Proto": "https"}, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302)
        self.assertIn("Secure", r.headers["Set-Cookie"])

    def test_authenticate_page_and_configured_redirect(self):
        http = requests.Session()
        r = http.get(self.gw.url("/auth/"), allow_redirects=False, timeout=30)
        self.assertIn("/sandbox/oauth/authenticate?oauth_token=", r.headers["Location"])
        r, _, _ = login(http, self.gw, "/auth/", referer="https://evil.example/")
        self.assertEqual(r.headers["Location"], "/after-login")

    def test_open_redirects_fall_back_to_root(self):
        for next_url in ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)",
                         "http://127.0.0.1:%d.evil.example/" % self.gw.port]:
            with self.subTest(next=next_url):
                http = requests.Session()
                r, _, _ = login(http, self.gw, "/tw/", query="?next=" + urllib.parse.quote(next_url, safe=""))
                self.assertEqual(r.headers["Location"], "/")
        for referer in ["https://evil.example/x", "//evil.example/x"]:
            with self.subTest(referer=referer):
                r, _, _ = login(requests.Session(), self.gw, "/tw/", referer=referer)
                self.assertEqual(r.headers["Location"], "/")
        r, _, _ = login(requests.Session(), self.gw, "/tw/", query="?next=/ok%3Fa%3D1")
        self.assertEqual(r.headers["Location"], "/ok?a=1")
        r, _, _ = login(requests.Session(), self.gw, "/ext/", query="?next=https%3A%2F%2Fother.example%2Fx")
        self.assertEqual(r.headers["Location"], "https://other.example/x")

    def test_cancel_shows_a_clear_page_not_a_loop(self):
        http = requests.Session()
        r, callback, _ = login(http, self.gw, "/tw/", cancel=True)
        self.assertIn("denied=", callback)
        self.assertEqual(r.status_code, 403)
        self.assertIn("Login cancelled", r.text)
        self.assertNotIn("Location", r.headers)
        self.assertEqual(http.get(self.gw.url("/tw/statuses/home_timeline.json"), timeout=30).status_code, 401)

    def test_bad_callbacks(self):
        http = requests.Session()
        # No session at all, made-up token and verifier.
        r = http.get(self.gw.url("/tw/?oauth_token=forged&oauth_verifier=x"), allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400)
        # A real login; then replay its callback.
        r, callback, _ = login(http, self.gw, "/tw/")
        self.assertEqual(r.status_code, 302)
        r = http.get(callback, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400)
        self.assertIn("Login expired", r.text)
        # Start a login, then come back with the wrong token / no verifier.
        fresh = requests.Session()
        start = fresh.get(self.gw.url("/tw/"), allow_redirects=False, timeout=30)
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(start.headers["Location"]).query)["oauth_token"][0]
        for query in ["?oauth_token=%s" % token, "?oauth_token=wrong&oauth_verifier=v", "?oauth_verifier=v",
                      "?oauth_token=%s&oauth_verifier=wrong" % token]:
            r = fresh.get(self.gw.url("/tw/" + query), allow_redirects=False, timeout=30)
            self.assertIn(r.status_code, (400, 502), query)
            self.assertNotIn("Location", r.headers)
        self.assertEqual(fresh.get(self.gw.url("/tw/statuses/home_timeline.json"), timeout=30).status_code, 401)
        # Someone else's callback in my browser: my session never asked for that token.
        victim = requests.Session()
        _, victim_callback, _ = login(victim, self.gw, "/tw/")
        attacker = requests.Session()
        r = attacker.get(victim_callback, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400)

    def test_forged_and_garbage_session_cookies(self):
        for cookie in ["A" * 43, "x", "", "../../etc/passwd", "A" * 5000, "\u00e9" * 43, "sid", '"quoted"']:
            with self.subTest(cookie=cookie[:20]):
                r = requests.get(self.gw.url("/tw/statuses/home_timeline.json"),
                                 headers={"Cookie": ("sid=" + cookie).encode("utf-8")}, timeout=30)
                self.assertEqual(r.status_code, 401)
                self.assertEqual(r.reason, "access token missing")

    def test_xsrf(self):
        http = requests.Session()
        login(http, self.gw, "/tw/")
        r = http.post(self.gw.url("/tw/statuses/update.json"), data={"status": "no xsrf"}, timeout=30)
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json()["errors"][0]["code"], 403)
        r = http.get(self.gw.url("/tw/account/verify_credentials.json"), timeout=30)
        xsrf = http.cookies.get("_xsrf")
        self.assertTrue(xsrf, "GET answers set the _xsrf cookie")
        r = http.post(self.gw.url("/tw/statuses/update.json"), data={"status": "wrong", "_xsrf": "0" * 32}, timeout=30)
        self.assertEqual(r.status_code, 403)
        r = http.post(self.gw.url("/tw/statuses/update.json"), data={"status": "form token", "_xsrf": xsrf}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["text"], "form token")
        r = http.post(self.gw.url("/tw/statuses/update.json"), data={"status": "header token"},
                      headers={"X-Xsrftoken": xsrf}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        r = http.post(self.gw.url("/tw/statuses/update.json"), data={"status": "xhr"},
                      headers={"X-Requested-With": "XMLHttpRequest"}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        r = requests.post(self.gw.url("/noxsrf/statuses/update.json"), data={"status": "x"}, timeout=30)
        self.assertEqual(r.status_code, 401)  # past XSRF (off), stopped at the token

    def test_anonymous_persist_before_any_login_is_401(self):
        # A fresh gateway on an empty store.
        folder = tempfile.mkdtemp()
        with harness.Birdgate(gateway_yaml(self.sandbox.port), folder=folder) as gw:
            r = requests.get(gw.url("/persist/statuses/home_timeline.json"), timeout=30)
            self.assertEqual(r.status_code, 401)
            self.assertEqual(r.reason, "access token missing")


class PersistTest(unittest.TestCase):
    """Persisted tokens survive a restart of birdgate; a token Twitter no
    longer accepts (the sandbox restarted and forgot it: code 89) is dropped."""

    def test_persist_across_restart_and_forget_on_89(self):
        folder = tempfile.mkdtemp(prefix="birdgate-persist-")
        with harness.Birdgate(SANDBOX_YAML) as sandbox:
            for secret in ("", "a test secret"):
                with self.subTest(secret=bool(secret)):
                    sub = tempfile.mkdtemp(dir=folder)
                    yaml = gateway_yaml(sandbox.port, secret)
                    gw = harness.Birdgate(yaml, folder=sub).start()
                    r, _, _ = login(requests.Session(), gw, "/persist/", user="gramener")
                    self.assertEqual(r.status_code, 302)
                    anyone = requests.get(gw.url("/persist/account/verify_credentials.json"), timeout=30)
                    self.assertEqual(anyone.json()["screen_name"], "gramener")
                    self.assertEqual(gw.stop(), 0)
                    db = open(os.path.join(sub, "birdgate.db"), "rb").read()
                    self.assertEqual(os.stat(os.path.join(sub, "birdgate.db")).st_mode & 0o777, 0o600)
                    if secret:
                        self.assertNotIn(b"gramener", db, "persisted token stored in clear despite app.secret")
                    gw = harness.Birdgate(yaml, port=gw.port, folder=sub).start()
                    r = requests.get(gw.url("/persist/account/verify_credentials.json"), timeout=30)
                    self.assertEqual(r.status_code, 200, r.text)
                    self.assertEqual(r.json()["screen_name"], "gramener")
                    # A second login replaces the persisted token.
                    login(requests.Session(), gw, "/persist/", user="birdgate_dev")
                    r = requests.get(gw.url("/persist/account/verify_credentials.json"), timeout=30)
                    self.assertEqual(r.json()["screen_name"], "birdgate_dev")
                    self.assertEqual(gw.stop(), 0)
                    if not secret:
                        self.assertTrue(any("unencrypted" in line for line in gw.stderr_text().splitlines()))
            keep = (sub, yaml, gw.port)
        # Twitter revoked the token (the sandbox restarted with a new token
        # epoch): it answers code 89 and birdgate forgets the token.
        with harness.Birdgate(SANDBOX_YAML, port=sandbox.port, env={"SANDBOX_TOKEN_EPOCH": "2"}):
            sub, yaml, port = keep
            with harness.Birdgate(yaml, port=port, folder=sub) as gw:
                r = requests.get(gw.url("/persist/account/verify_credentials.json"), timeout=30)
                self.assertEqual(r.status_code, 401)
                self.assertEqual(r.reason, "access token missing")
                r = requests.get(gw.url("/persist/account/verify_credentials.json"), timeout=30)
                self.assertEqual(r.status_code, 401)
                self.assertEqual(r.json()["errors"][0]["message"], "access token missing")


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
