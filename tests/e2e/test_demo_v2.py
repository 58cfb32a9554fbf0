"""End-to-end: the X API v2 side of etc/demo.yaml as ./scripts/demo runs it,
with birdgate talking to its own built-in sandbox over a real socket. A
`requests` client plays the browser: it follows the OAuth 2.0 (PKCE) login
through birdgate and submits the sandbox's authorize form as a browser would;
tampered and replayed callbacks are refused; app-only recent search; the v2
filtered stream writes JSON Lines; no secret reaches birdgate's stderr. (The
unit and fake-X tests of the same code are in test_oauth2.py; this one checks
the pieces fit together in the demo.)"""
import glob
import html.parser
import json
import os
import sys
import time
import unittest
import urllib.parse

import requests

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

DEMO_YAML = os.path.join(harness.SOURCE, "etc", "demo.yaml")
SECRETS = ["demo-client-secret", "demo-consumer-secret", "demo-gramener-token", "demo-dev-token"]


class FormParser(html.parser.HTMLParser):
    """The sandbox authorize page's form: its action and the fields a browser
    submits (hidden inputs, the checked radio), plus its buttons."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self.buttons, self.h1, self._in_h1 = None, {}, [], "", False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "hidden" or (kind == "radio" and "checked" in a) or kind == "text":
                self.fields.setdefault(a["name"], a.get("value", ""))
        elif tag == "button":
            self.buttons.append((a.get("name"), a.get("value")))
        elif tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data


class DemoV2Test(unittest.TestCase):
    """One birdgate on etc/demo.yaml for all the checks (its stream runs meanwhile)."""

    @classmethod
    def setUpClass(cls):
        cls.bg = harness.Birdgate(DEMO_YAML).start()
        cls.seen = []  # states and codes seen in urls: none may be logged

    @classmethod
    def tearDownClass(cls):
        if cls.bg.proc and cls.bg.proc.poll() is None:
            cls.bg.stop()

    # -- the browser's steps ---------------------------------------------
    def start_login(self, http):
        """GET /x-user/?next=/: birdgate's 302 to the sandbox's authorize page."""
        r = http.get(self.bg.url("/x-user/?next=/"), allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302, r.text)
        location = r.headers["Location"]
        self.assertTrue(location.startswith(self.bg.url("/sandbox/i/oauth2/authorize?")), location)
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
        self.assertEqual(params["code_challenge_method"], "S256")
        self.assertEqual(params["client_id"], "demo-client-id")
        self.assertEqual(params["redirect_uri"], self.bg.url("/x-user/"))
        self.seen.append(params["state"])
        return location

    def press(self, http, location, action="authorize"):
        """Loads the authorize page and submits its form with one button, as a
        browser does; returns the sandbox's callback url and its query."""
        page = http.get(location, timeout=30)
        self.assertEqual(page.status_code, 200, page.text)
        self.assertIn("text/html", page.headers["Content-Type"])
        form = FormParser()
        form.feed(page.text)
        self.assertIn("birdgate demo", form.h1)
        self.assertIn(("action", action), form.buttons)
        fields = dict(form.fields, action=action)
        self.assertEqual(fields.get("screen_name"), "gramener")  # the first user is checked
        r = http.post(urllib.parse.urljoin(location, form.action), data=fields, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302, r.text)
        back = r.headers["Location"]
        self.assertTrue(back.startswith(self.bg.url("/x-user/?")), back)
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))
        if "code" in q:
            self.seen.append(q["code"])
        return back, q

    def sid(self, http):
        return [c.value for c in http.cookies if c.name == "sid"]

    def assert_logged_out(self, http):
        r = http.get(self.bg.url("/x-user/2/users/me"), timeout=30)
        self.assertEqual(r.status_code, 401, r.text)
        self.assertEqual(r.reason, "access token missing")

    # -- the checks ------------------------------------------------------
    def test_1_login_then_users_me_and_tweets(self):
        http = requests.Session()
        self.assert_logged_out(http)
        back, q = self.press(http, self.start_login(http))
        before = self.sid(http)
        r = http.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302, r.text)
        self.assertEqual(r.headers["Location"], "/")
        after = self.sid(http)
        self.assertEqual(len(after), 1)
        self.assertNotEqual(after, before)  # a new session after the login
        r = http.get(self.bg.url("/x-user/2/users/me"), timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        me = r.json()["data"]
        self.assertEqual(me["username"], "gramener")
        r = http.get(self.bg.url("/x-user/2/users/%s/tweets" % me["id"]), timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIsInstance(r.json().get("data", []), list)
        # Another browser has no login.
        self.assert_logged_out(requests.Session())
        # The same callback a second time (same state, same code): refused.
        again = requests.Session()
        again.cookies.update(http.cookies)
        r = again.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("Login", r.text)
        self.assertNotIn("sid=", r.headers.get("Set-Cookie", ""))

    def test_2_tampered_state_is_refused(self):
        http = requests.Session()
        back, q = self.press(http, self.start_login(http))
        tampered = back.replace("state=" + urllib.parse.quote(q["state"], safe=""), "state=" + "B" * 43)
        self.assertNotEqual(tampered, back)
        r = http.get(tampered, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("Login expired", r.text)
        self.assertIn("text/html", r.headers["Content-Type"])
        self.assertNotIn("sid=", r.headers.get("Set-Cookie", ""))
        self.assert_logged_out(http)

    def test_3_replayed_code_is_refused_by_the_sandbox(self):
        http = requests.Session()
        back, q = self.press(http, self.start_login(http))
        r = http.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302, r.text)
        # A new browser, a fresh login, and the spent code with the fresh state:
        # birdgate sends it to the sandbox, which refuses a code used once.
        other = requests.Session()
        location = self.start_login(other)
        state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["state"]
        replay = self.bg.url("/x-user/?") + urllib.parse.urlencode({"state": state, "code": q["code"]})
        r = other.get(replay, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 502, r.text)
        self.assertIn("Login failed", r.text)
        self.assertNotIn("sid=", r.headers.get("Set-Cookie", ""))
        self.assert_logged_out(other)

    def test_4_cancel_gives_the_cancel_page(self):
        http = requests.Session()
        back, q = self.press(http, self.start_login(http), action="cancel")
        self.assertEqual(q["error"], "access_denied")
        self.assertNotIn("code", q)
        r = http.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 403, r.text)
        self.assertIn("Login cancelled", r.text)
        self.assert_logged_out(http)

    def test_5_recent_search_app_only(self):
        r = requests.get(self.bg.url("/x/2/tweets/search/recent?query=beer"), timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        tweets = r.json()["data"]
        self.assertTrue(tweets)
        for t in tweets:
            self.assertIn("beer", t["text"].lower())
        # The app-only url has no login.
        r = requests.get(self.bg.url("/x/2/users/me"), timeout=30)
        self.assertNotEqual(r.status_code, 200, r.text)

    def test_9_stream_v2_lines_and_a_clean_log(self):
        # The stream started with birdgate; give it a few tweets, then stop
        # (SIGTERM flushes the file) and read the JSON Lines.
        folder = os.path.join(self.bg.folder, "streams")
        deadline = time.time() + 8
        while time.time() < deadline and not glob.glob(os.path.join(folder, "tweets-v2.*.jsonl")):
            time.sleep(0.2)
        time.sleep(3)
        self.assertEqual(self.bg.stop(), 0, self.bg.stderr_text()[-2000:])
        lines = []
        for path in sorted(glob.glob(os.path.join(folder, "tweets-v2.*.jsonl"))):
            with open(path, encoding="utf-8") as f:
                lines.extend(f.read().splitlines())
        self.assertTrue(lines, "no v2 stream lines in %s:\n%s" % (folder, self.bg.stderr_text()[-2000:]))
        for line in lines:
            t = json.loads(line)
            self.assertIn("data", t)
            self.assertTrue(t["matching_rules"], t)
            for m in t["matching_rules"]:
                self.assertTrue(m["tag"].startswith("birdgate:twitter-stream-v2:"), m)
        # No state, code, session id, secret, token or verifier in the log.
        log = self.bg.stderr_text()
        for s in self.seen + SECRETS:
            self.assertNotIn(s, log)
        for word in ("code_verifier", "access_token", "refresh_token", "Bearer ", "code="):
            self.assertNotIn(word, log)


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
