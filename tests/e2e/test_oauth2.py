"""End-to-end: X API v2 auth kinds (DESIGN.md 3.8) with the real birdgate
binary against a fake X written here (an HTTP server on a free port that
plays api.x.com and x.com): the app-only bearer (`bearer: app`, one fetch for
parallel requests, one renewal after a 401), the OAuth 2.0 user login with
PKCE (the challenge checked against the verifier the fake receives, state and
code single-use, the cancel page), OAuth 2.0 refresh (before expiry, after a
401, once for parallel requests, the rotated refresh token used next, a
failing refresh becoming `access token missing`), and `auth: true`. No token,
code, verifier or secret may appear in birdgate's log output."""
import base64
import concurrent.futures
import hashlib
import http.server
import json
import os
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

import requests

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

APP_KEY, APP_SECRET = "app key/1", "app+secret:2"  # RFC 3986-encoded in Basic
CLIENT_ID, CLIENT_SECRET = "oauth2-client-id", "oauth2-client-secret"
PUBLIC_ID = "oauth2-public-client"
LITERAL_BEARER = "literal-bearer-AAAA"
USER = {"id": "1001", "username": "alice", "name": "Alice"}


def s256(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class FakeX:
    """api.x.com and x.com in one: client credentials at /oauth2/token, the
    authorize page at /i/oauth2/authorize (it answers at once: approve, or
    deny with ?deny), the OAuth 2.0 token endpoint at /2/oauth2/token (codes
    single-use, S256 checked, refresh tokens rotating), and two v2 reads that
    want a valid bearer."""

    def __init__(self):
        self.lock = threading.Lock()
        self.app_tokens = {}        # token -> valid
        self.literal_valid = True   # LITERAL_BEARER, a token made in X's developer portal
        self.app_fetches = 0
        self.codes = {}             # code -> {challenge, method, redirect_uri, client_id, used}
        self.authorize_params = []  # every authorize request's query
        self.user_tokens = {}       # access token -> {"expires": t, "valid": bool}
        self.refresh_tokens = {}    # refresh token -> valid
        self.refresh_requests = []  # the refresh_token of each refresh grant
        self.exchanges = []         # the form of each authorization_code grant
        self.secrets_seen = set()   # every token, code and verifier handed out or received
        self.unauthorized = 0       # 401s answered to v2 reads
        self.user_expires_in = 7200
        self.fail_refresh = False
        self.token_delay = 0.4      # the token endpoints are slow: parallel callers pile up
        self.reads = []             # Authorization header of each v2 read
        self.counter = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status, body=None, location=None):
                out = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def form(self):
                length = int(self.headers.get("Content-Length") or 0)
                return dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))

            def basic(self):
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Basic "):
                    return None
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
                return urllib.parse.unquote(user), urllib.parse.unquote(password)

            def bearer(self):
                auth = self.headers.get("Authorization", "")
                return auth[7:] if auth.startswith("Bearer ") else None

            def do_POST(self):
                path = urllib.parse.urlsplit(self.path).path
                form = self.form()
                if path == "/oauth2/token":
                    return outer.client_credentials(self, form)
                if path == "/2/oauth2/token":
                    return outer.oauth2_token(self, form)
                self.answer(404, {"title": "Not Found"})

            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                if parts.path == "/i/oauth2/authorize":
                    return outer.authorize(self, query)
                if parts.path in ("/2/users/me", "/2/tweets/search/recent"):
                    return outer.read(self, parts.path)
                self.answer(404, {"title": "Not Found"})

        self.server = harness._ThreadingServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path=""):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def new(self, prefix):
        with self.lock:
            self.counter += 1
            value = "%s-%d-%s" % (prefix, self.counter, os.urandom(6).hex())
            self.secrets_seen.add(value)
            return value

    # -- endpoints ------------------------------------------------------
    def client_credentials(self, h, form):
        time.sleep(self.token_delay)
        if h.basic() != (APP_KEY, APP_SECRET) or form.get("grant_type") != "client_credentials":
            return h.answer(403, {"errors": [{"code": 99, "message": "Unable to verify your credentials"}]})
        token = self.new("app")
        with self.lock:
            self.app_fetches += 1
            self.app_tokens[token] = True
        h.answer(200, {"token_type": "bearer", "access_token": token})

    def authorize(self, h, query):
        with self.lock:
            self.authorize_params.append(query)
            self.secrets_seen.add(query.get("state", ""))
        redirect = query["redirect_uri"]
        if "deny" in query:
            return h.answer(302, location=redirect + "?" + urllib.parse.urlencode(
                {"error": "access_denied", "state": query["state"]}))
        code = self.new("code")
        with self.lock:
            self.codes[code] = {"challenge": query.get("code_challenge"), "method": query.get("code_challenge_method"),
                                "redirect_uri": redirect, "client_id": query.get("client_id"), "used": False}
        h.answer(302, location=redirect + "?" + urllib.parse.urlencode({"state": query["state"], "code": code}))

    def client_of(self, h, form):
        basic = h.basic()
        if basic:
            return basic[0] if basic == (CLIENT_ID, CLIENT_SECRET) else None
        return form.get("client_id") if form.get("client_id") == PUBLIC_ID else None

    def issue(self, h):
        access, refresh = self.new("user-at"), self.new("user-rt")
        with self.lock:
            self.user_tokens[access] = {"expires": time.time() + self.user_expires_in, "valid": True}
            self.refresh_tokens[refresh] = True
        h.answer(200, {"token_type": "bearer", "expires_in": self.user_expires_in, "access_token": access,
                       "scope": "tweet.read users.read offline.access", "refresh_token": refresh})

    def oauth2_token(self, h, form):
        client = self.client_of(h, form)
        if client is None:
            return h.answer(401, {"error": "invalid_client"})
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with self.lock:
                self.exchanges.append(form)
                self.secrets_seen.add(form.get("code_verifier", ""))
                code = self.codes.get(form.get("code"))
                ok = (code is not None and not code["used"] and code["client_id"] == client and
                      code["redirect_uri"] == form.get("redirect_uri") and code["method"] == "S256" and
                      s256(form.get("code_verifier", "")) == code["challenge"])
                if code is not None:
                    code["used"] = True  # one use, even when this one fails
            if not ok:
                return h.answer(400, {"error": "invalid_grant",
                                      "error_description": "Value passed for the authorization code was invalid."})
            return self.issue(h)
        if grant == "refresh_token":
            time.sleep(self.token_delay)
            with self.lock:
                self.refresh_requests.append(form.get("refresh_token"))
                ok = self.refresh_tokens.get(form.get("refresh_token")) and not self.fail_refresh
                if form.get("refresh_token") in self.refresh_tokens:
                    self.refresh_tokens[form.get("refresh_token")] = False  # rotated: spent
            if not ok:
                return h.answer(400, {"error": "invalid_request",
                                      "error_description": "Value passed for the token was invalid."})
            return self.issue(h)
        h.answer(400, {"error": "unsupported_grant_type"})

    def read(self, h, path):
        token = h.bearer()
        with self.lock:
            self.reads.append(h.headers.get("Authorization", ""))
            user = self.user_tokens.get(token)
            good_user = user and user["valid"] and user["expires"] > time.time()
            good_app = self.app_tokens.get(token) or (token == LITERAL_BEARER and self.literal_valid)
            if not (good_user or good_app):
                self.unauthorized += 1
        if not (good_user or good_app):
            return h.answer(401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                  "detail": "Unauthorized"})
        if path == "/2/users/me":
            if not good_user:
                return h.answer(403, {"title": "Unsupported Authentication"})
            return h.answer(200, {"data": USER})
        h.answer(200, {"data": [{"id": "1", "text": "beer"}], "meta": {"result_count": 1},
                       "auth": "user" if good_user else "app"})

    # -- test controls ------------------------------------------------------
    def revoke_app_tokens(self):
        with self.lock:
            for t in self.app_tokens:
                self.app_tokens[t] = False

    def revoke_user_tokens(self):
        with self.lock:
            for t in self.user_tokens.values():
                t["valid"] = False

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def gateway_yaml(x, folder):
    v2 = x.url("/2/")
    return f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
  threads: 4
  store: $BIRDGATE_STORE
  secret: e2e-oauth2-secret
  access_log: "-"
  twitter:
    api_root: {x.url()}
    web_root: {x.url()}
url:
  x-app:
    pattern: /x-app/(.*)
    handler: TwitterRESTHandler
    kwargs:
      key: "{APP_KEY}"
      secret: "{APP_SECRET}"
      bearer: app
      endpoint: {v2}
  x-literal:
    pattern: /x-literal/(.*)
    handler: TwitterRESTHandler
    kwargs:
      bearer: {LITERAL_BEARER}
      endpoint: {v2}
  x-user:
    pattern: /x-user/(.*)
    handler: TwitterRESTHandler
    auth: true
    kwargs:
      client_id: {CLIENT_ID}
      client_secret: {CLIENT_SECRET}
      scope: [tweet.read, users.read, offline.access]
      endpoint: {v2}
  x-public:
    pattern: /x-public/(.*)
    handler: TwitterRESTHandler
    kwargs:
      client_id: {PUBLIC_ID}
      scope: tweet.read users.read offline.access
      access_key: persist
      endpoint: {v2}
      redirect: {{url: /after-login}}
  x-inferred:
    pattern: /x-inferred/(.*)
    handler: TwitterRESTHandler
    kwargs:
      key: "{APP_KEY}"
      secret: "{APP_SECRET}"
      bearer: app
  files:
    pattern: /files/(.*)
    handler: FileHandler
    auth: true
    kwargs:
      path: {folder}
  members:
    pattern: /members/(.*)
    handler: TwitterRESTHandler
    auth: {{login_url: /x-user/}}
    kwargs:
      bearer: {LITERAL_BEARER}
      endpoint: {v2}
"""


class OAuth2Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.x = FakeX().__enter__()
        cls.files = tempfile.mkdtemp(prefix="birdgate-oauth2-files-")
        with open(os.path.join(cls.files, "secret.txt"), "w") as f:
            f.write("for members")
        cls.bg = harness.Birdgate(gateway_yaml(cls.x, cls.files)).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.bg.stop()
        cls.x.__exit__()
        log = cls.bg.stderr_text()
        # Nothing secret in the log: no token, code or verifier the fake
        # handed out or received, no client or app secret.
        for secret in list(cls.x.secrets_seen) + [APP_SECRET, CLIENT_SECRET, LITERAL_BEARER]:
            if secret:
                assert secret not in log, "%r in birdgate's log:\n%s" % (secret, log)
        assert code == 0, "birdgate exit code %s\n%s" % (code, log)

    def get(self, http, path, **kw):
        kw.setdefault("allow_redirects", False)
        return http.get(self.bg.url(path), timeout=30, **kw)

    def start_login(self, http, path="/x-user/", query=""):
        """GET the login start; returns the authorize URL's parameters."""
        r = self.get(http, path + query)
        self.assertEqual(r.status_code, 302, r.text)
        location = r.headers["Location"]
        self.assertTrue(location.startswith(self.x.url("/i/oauth2/authorize?")), location)
        return location, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))

    def authorize(self, location, deny=False):
        """The fake authorize page: its 302 back to birdgate's callback."""
        r = requests.get(location + ("&deny=1" if deny else ""), allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302)
        back = r.headers["Location"]
        return back, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))

    def login(self, http, path="/x-user/", query=""):
        location, params = self.start_login(http, path, query)
        back, _ = self.authorize(location)
        r = http.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302, r.text)
        return r, params

    # -- app-only bearer ------------------------------------------------
    def test_1_bearer_app_one_fetch_then_one_renewal(self):
        def call(_):
            return requests.get(self.bg.url("/x-app/tweets/search/recent?query=beer"), timeout=30)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(call, range(8)))
        self.assertEqual([r.status_code for r in answers], [200] * 8, [r.text for r in answers])
        self.assertEqual(self.x.app_fetches, 1)  # one fetch for eight waiting requests
        self.assertEqual(answers[0].json()["auth"], "app")
        # No session and no cookie for app-only requests.
        self.assertNotIn("sid=", answers[0].headers.get("Set-Cookie", ""))
        # X stops accepting the token: one renewal for all, each request retried once.
        self.x.revoke_app_tokens()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(call, range(8)))
        self.assertEqual([r.status_code for r in answers], [200] * 8, [r.text for r in answers])
        self.assertEqual(self.x.app_fetches, 2)
        retried = [a for a in self.x.reads[-16:] if self.x.app_tokens.get(a[len("Bearer "):])]
        self.assertEqual(len(retried), 8)
        self.assertEqual(len(set(retried)), 1)  # the retries all carry the one new token

    def test_1_bearer_with_an_inferred_v2_path(self):
        # No endpoint: a 2/ path goes to {api_root}/2/... (DESIGN 3.1), with the app bearer.
        r = requests.get(self.bg.url("/x-inferred/2/tweets/search/recent?query=beer"), timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["auth"], "app")

    def test_1_literal_bearer_is_sent_as_written_and_not_renewed(self):
        r = requests.get(self.bg.url("/x-literal/tweets/search/recent?query=beer"), timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(self.x.reads[-1], "Bearer " + LITERAL_BEARER)
        before = self.x.app_fetches
        self.x.literal_valid = False
        try:
            r = requests.get(self.bg.url("/x-literal/tweets/search/recent?query=beer"), timeout=30)
        finally:
            self.x.literal_valid = True
        self.assertEqual(r.status_code, 401)  # X's own 401 goes through: nothing to renew
        self.assertEqual(r.json()["title"], "Unauthorized")
        self.assertEqual(self.x.app_fetches, before)
        r = requests.get(self.bg.url("/x-literal/"), timeout=30, allow_redirects=False)
        self.assertEqual(r.status_code, 400)  # nothing to log in to
        self.assertEqual(self.x.app_fetches, before)

    # -- OAuth 2.0 login ------------------------------------------------
    def test_2_login_pkce_then_v2_call_with_the_user_token(self):
        http = requests.Session()
        http.cookies.set("sid", "A" * 43, domain="127.0.0.1", path="/")  # a planted session id
        location, params = self.start_login(http, query="?next=/after")
        self.assertEqual(params["response_type"], "code")
        self.assertEqual(params["client_id"], CLIENT_ID)
        self.assertEqual(params["redirect_uri"], self.bg.url("/x-user/"))
        self.assertEqual(params["scope"], "tweet.read users.read offline.access")
        self.assertEqual(params["code_challenge_method"], "S256")
        self.assertGreaterEqual(len(params["state"]), 32)
        back, _ = self.authorize(location)
        self.assertTrue(back.startswith(self.bg.url("/x-user/?")))
        r = http.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302, r.text)
        self.assertEqual(r.headers["Location"], "/after")
        # The challenge was S256 of the verifier X received at the exchange.
        exchange = self.x.exchanges[-1]
        self.assertGreaterEqual(len(exchange["code_verifier"]), 43)
        self.assertEqual(s256(exchange["code_verifier"]), params["code_challenge"])
        self.assertEqual(exchange["redirect_uri"], self.bg.url("/x-user/"))
        self.assertNotIn("client_id", exchange)  # confidential: Basic, not the body
        # A new session (no fixation): the planted id is not the logged-in one.
        sids = [c.value for c in http.cookies if c.name == "sid"]
        self.assertEqual(len(sids), 1)
        self.assertNotEqual(sids[0], "A" * 43)
        # A v2 call carries the user's access token.
        r = self.get(http, "/x-user/users/me")
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["data"]["username"], "alice")
        self.assertTrue(self.x.reads[-1].startswith("Bearer user-at-"))
        self.assertIn(self.x.reads[-1][7:], self.x.user_tokens)

    def test_2_public_client_sends_client_id_and_persists(self):
        http = requests.Session()
        r, params = self.login(http, path="/x-public/")
        self.assertEqual(r.headers["Location"], "/after-login")
        self.assertEqual(params["client_id"], PUBLIC_ID)
        self.assertEqual(self.x.exchanges[-1]["client_id"], PUBLIC_ID)
        # access_key: persist: everyone uses the last login's token.
        r = requests.get(self.bg.url("/x-public/users/me"), timeout=30)
        self.assertEqual(r.status_code, 200, r.text)

    def test_3_tampered_and_replayed_state(self):
        http = requests.Session()
        location, _ = self.start_login(http)
        back, q = self.authorize(location)
        tampered = back.replace("state=" + urllib.parse.quote(q["state"], safe=""), "state=" + "B" * 43)
        self.assertNotEqual(tampered, back)
        exchanges = len(self.x.exchanges)
        r = http.get(tampered, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400)
        self.assertIn("Login expired", r.text)
        self.assertEqual(len(self.x.exchanges), exchanges)  # never sent to X
        # The true callback still works once...
        r = http.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302, r.text)
        # ...and never again.
        r = http.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400)
        self.assertEqual(len(self.x.exchanges), exchanges + 1)
        # Another browser cannot use this browser's callback.
        r = requests.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400)

    def test_3_replayed_code(self):
        http = requests.Session()
        location, _ = self.start_login(http)
        back, q = self.authorize(location)
        r = http.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302)
        # A new login, and the old code sent back with its fresh state.
        location, params = self.start_login(http)
        replay = self.bg.url("/x-user/?") + urllib.parse.urlencode({"state": params["state"], "code": q["code"]})
        r = http.get(replay, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 502)
        self.assertIn("Login failed", r.text)

    def test_3_access_denied_gives_the_cancel_page(self):
        http = requests.Session()
        location, _ = self.start_login(http)
        back, q = self.authorize(location, deny=True)
        self.assertEqual(q["error"], "access_denied")
        r = http.get(back, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 403)
        self.assertIn("Login cancelled", r.text)
        self.assertIn("text/html", r.headers["Content-Type"])

    # -- refresh ------------------------------------------------------------
    def test_4_refresh_before_expiry(self):
        self.x.user_expires_in = 2  # min(60, 2/10) = 0 s early: refreshed once expired
        try:
            http = requests.Session()
            self.login(http)
        finally:
            self.x.user_expires_in = 7200
        refreshes, unauthorized = len(self.x.refresh_requests), self.x.unauthorized
        time.sleep(2.2)
        r = self.get(http, "/x-user/users/me")
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(len(self.x.refresh_requests), refreshes + 1)
        self.assertEqual(self.x.unauthorized, unauthorized)  # refreshed before X said no

    def test_4_refresh_after_401_once_for_parallel_requests_and_rotated(self):
        http = requests.Session()
        self.login(http)
        cookies = http.cookies.get_dict()
        before = len(self.x.refresh_requests)
        self.x.revoke_user_tokens()

        def call(_):
            return requests.get(self.bg.url("/x-user/tweets/search/recent?query=beer"), cookies=cookies, timeout=30)

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(call, range(8)))
        self.assertEqual([r.status_code for r in answers], [200] * 8, [r.text for r in answers])
        self.assertEqual(len(self.x.refresh_requests), before + 1)  # one refresh for eight
        first_refresh = self.x.refresh_requests[-1]
        # Again: the rotated refresh token is the one sent now.
        self.x.revoke_user_tokens()
        r = call(0)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(len(self.x.refresh_requests), before + 2)
        self.assertNotEqual(self.x.refresh_requests[-1], first_refresh)
        self.assertTrue(self.x.refresh_tokens.get(self.x.refresh_requests[-1]) is False)  # it was valid, now spent

    def test_5_failing_refresh_gives_access_token_missing(self):
        http = requests.Session()
        self.login(http)
        self.x.revoke_user_tokens()
        self.x.fail_refresh = True
        try:
            r = self.get(http, "/x-user/users/me")
        finally:
            self.x.fail_refresh = False
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.reason, "access token missing")
        self.assertEqual(r.json(), {"errors": [{"code": 401, "message": "access token missing"}]})
        # Forgotten: the next request does not reach X at all.
        reads, refreshes = len(self.x.reads), len(self.x.refresh_requests)
        r = self.get(http, "/x-user/users/me")
        self.assertEqual(r.status_code, 401)
        self.assertEqual((len(self.x.reads), len(self.x.refresh_requests)), (reads, refreshes))

    # -- auth: true ---------------------------------------------------------
    def test_6_auth_true(self):
        anonymous = requests.Session()
        r = self.get(anonymous, "/x-user/users/me")
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.reason, "login required")
        self.assertEqual(r.json()["errors"][0]["message"], "login required")
        # The login start of an `auth: true` url is never behind it.
        self.start_login(anonymous)
        # With login_url: a 302 there, the original URL in ?next=.
        r = self.get(anonymous, "/members/tweets/search/recent?query=a%20b")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r.headers["Location"],
                         "/x-user/?next=" + urllib.parse.quote("/members/tweets/search/recent?query=a%20b", safe=""))
        # Any handler: a FileHandler url too.
        r = self.get(anonymous, "/files/secret.txt")
        self.assertEqual(r.status_code, 401)
        self.assertNotIn("for members", r.text)
        # Logged in at any url of this app: let through.
        http = requests.Session()
        self.login(http)
        r = self.get(http, "/files/secret.txt")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.text, "for members")
        r = self.get(http, "/members/tweets/search/recent?query=beer")
        self.assertNotIn(r.status_code, (302, 401), r.text)
        self.assertEqual(self.x.reads[-1], "Bearer " + LITERAL_BEARER)


if __name__ == "__main__":
    unittest.main(verbosity=2)
