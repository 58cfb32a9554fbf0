"""End-to-end interoperability: an OAuth 2.0 client nobody here wrote (Debian's
python3-requests-oauthlib 1.3 OAuth2Session, with the S256 PKCE challenge of
python3-oauthlib 3.2's WebApplicationClient passed as extra parameters, since
that version has no PKCE switch) logs in to the real birdgate binary running
the TwitterSandbox, calls X API v2, refreshes, sees the rotated refresh token
refused, and revokes; plus the app-only bearer on v2 and the example configs'
OAuth 2.0 apps. The sandbox's log must never show a token, code or secret."""
import html.parser
import os
import sys
import unittest
import urllib.parse

import requests
from oauthlib.oauth2 import WebApplicationClient
from oauthlib.oauth2.rfc6749.errors import AccessDeniedError, InvalidGrantError, OAuth2Error
from requests_oauthlib import OAuth2Session

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

# The sandbox serves plain http on loopback: oauthlib must be told that is fine.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"

CLIENT_ID, CLIENT_SECRET = "e2e-client-id", "e2e-client-secret"
PUBLIC_ID = "e2e-public-id"
CALLBACK = "http://127.0.0.1:9988/x-user/"
PUBLIC_CALLBACK = "http://localhost:8765/cb"
SCOPES = ["tweet.read", "tweet.write", "users.read", "offline.access"]


def sandbox_yaml(extra=""):
    return f"""
app:
  listen: {{host: 127.0.0.1, port: $BIRDGATE_PORT}}
url:
  sandbox:
    pattern: /sandbox/(.*)
    handler: TwitterSandbox
    kwargs:
      seed: 42
      apps:
        - key: e2e-key
          secret: e2e-secret
          name: e2e app
          client_id: {CLIENT_ID}
          client_secret: {CLIENT_SECRET}
          callbacks: [{CALLBACK}]
          scopes: tweet.read tweet.write users.read follows.read offline.access
        - key: e2e-key2
          secret: e2e-secret2
          client_id: {PUBLIC_ID}
          callbacks: {PUBLIC_CALLBACK}
          scopes: [tweet.read, users.read, offline.access]
      users:
        - {{screen_name: gramener, access_key: t1, access_secret: s1}}
        - {{screen_name: birdgate_dev, access_key: t2, access_secret: s2}}
{extra}"""


class FormParser(html.parser.HTMLParser):
    """The authorize page's form: hidden inputs and the first checked radio."""

    def __init__(self):
        super().__init__()
        self.fields = {}
        self.buttons = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio" and "checked" in a:
            self.fields.setdefault(a["name"], a.get("value", ""))
        elif tag == "button":
            self.buttons.append((a.get("name"), a.get("value")))


def pkce():
    client = WebApplicationClient(CLIENT_ID)
    verifier = client.create_code_verifier(64)
    return verifier, client.create_code_challenge(verifier, "S256")


class OAuth2InteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sandbox = harness.Birdgate(sandbox_yaml()).start()
        cls.api = cls.sandbox.url("/sandbox")
        cls.secrets_seen = [CLIENT_SECRET]

    @classmethod
    def tearDownClass(cls):
        code = cls.sandbox.stop()
        log = cls.sandbox.stderr_text()
        for secret in cls.secrets_seen:
            assert secret not in log, "a token, code or secret reached the log"
        assert code == 0, code

    def press(self, authorize_url, button):
        """GETs the authorize page and presses one of its buttons: the 302 answer."""
        page = requests.get(authorize_url, timeout=30)
        self.assertEqual(page.status_code, 200, page.text)
        form = FormParser()
        form.feed(page.text)
        self.assertIn(("action", "authorize"), form.buttons)
        self.assertIn(("action", "cancel"), form.buttons)
        fields = dict(form.fields, action=button)
        # The form posts to the page's own address (action="").
        r = requests.post(authorize_url, data=fields, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 302, r.text)
        return r.headers["Location"]

    def test_confidential_client_login_refresh_revoke(self):
        verifier, challenge = pkce()
        session = OAuth2Session(CLIENT_ID, redirect_uri=CALLBACK, scope=SCOPES)
        url, state = session.authorization_url(self.api + "/i/oauth2/authorize", code_challenge=challenge,
                                               code_challenge_method="S256")
        callback = self.press(url, "authorize")
        self.assertTrue(callback.startswith(CALLBACK + "?"), callback)
        query = urllib.parse.parse_qs(urllib.parse.urlparse(callback).query)
        self.assertEqual(query["state"], [state])
        self.secrets_seen.append(query["code"][0])
        token = session.fetch_token(self.api + "/2/oauth2/token", authorization_response=callback,
                                    client_secret=CLIENT_SECRET, code_verifier=verifier)
        self.secrets_seen += [token["access_token"], token["refresh_token"], verifier]
        self.assertEqual(token["token_type"].lower(), "bearer")
        self.assertEqual(token["expires_in"], 7200)
        self.assertEqual(sorted(token["scope"]), sorted(SCOPES))

        me = session.get(self.api + "/2/users/me", timeout=30)
        self.assertEqual(me.status_code, 200, me.text)
        self.assertEqual(me.json()["data"]["username"], "gramener")
        r = session.post(self.api + "/2/tweets", json={"text": "from requests-oauthlib ü"}, timeout=30)
        self.assertEqual(r.status_code, 201, r.text)
        r = session.get(self.api + "/2/tweets/" + r.json()["data"]["id"], timeout=30)
        self.assertEqual(r.json()["data"]["text"], "from requests-oauthlib ü")

        # Refresh (confidential: HTTP Basic); the refresh token rotates.
        old_refresh = token["refresh_token"]
        basic = requests.auth.HTTPBasicAuth(CLIENT_ID, CLIENT_SECRET)
        new = session.refresh_token(self.api + "/2/oauth2/token", auth=basic)
        self.secrets_seen += [new["access_token"], new["refresh_token"]]
        self.assertNotEqual(new["refresh_token"], old_refresh)
        self.assertNotEqual(new["access_token"], token["access_token"])
        self.assertEqual(session.get(self.api + "/2/users/me", timeout=30).status_code, 200)
        with self.assertRaises(InvalidGrantError):
            OAuth2Session(CLIENT_ID, token=dict(token)).refresh_token(self.api + "/2/oauth2/token",
                                                                      refresh_token=old_refresh, auth=basic)

        # Revoke: that access token is dead (401 problem JSON).
        r = requests.post(self.api + "/2/oauth2/revoke", data={"token": new["access_token"]}, auth=basic, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json(), {"revoked": True})
        r = session.get(self.api + "/2/users/me", timeout=30)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["status"], 401)

    def test_wrong_verifier_and_replayed_code(self):
        verifier, challenge = pkce()
        session = OAuth2Session(CLIENT_ID, redirect_uri=CALLBACK, scope=SCOPES)
        url, _ = session.authorization_url(self.api + "/i/oauth2/authorize", code_challenge=challenge,
                                           code_challenge_method="S256")
        callback = self.press(url, "authorize")
        with self.assertRaises(InvalidGrantError):
            session.fetch_token(self.api + "/2/oauth2/token", authorization_response=callback,
                                client_secret=CLIENT_SECRET, code_verifier=verifier[:-1] + "x")
        with self.assertRaises(InvalidGrantError):  # the code is spent
            session.fetch_token(self.api + "/2/oauth2/token", authorization_response=callback,
                                client_secret=CLIENT_SECRET, code_verifier=verifier)

    def test_cancel_is_access_denied(self):
        verifier, challenge = pkce()
        session = OAuth2Session(CLIENT_ID, redirect_uri=CALLBACK, scope=SCOPES)
        url, state = session.authorization_url(self.api + "/i/oauth2/authorize", code_challenge=challenge,
                                               code_challenge_method="S256")
        callback = self.press(url, "cancel")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(callback).query)
        self.assertEqual(query["error"], ["access_denied"])
        self.assertEqual(query["state"], [state])
        with self.assertRaises(AccessDeniedError):
            session.fetch_token(self.api + "/2/oauth2/token", authorization_response=callback,
                                client_secret=CLIENT_SECRET, code_verifier=verifier)

    def test_unregistered_redirect_gets_a_page_not_a_redirect(self):
        _, challenge = pkce()
        session = OAuth2Session(CLIENT_ID, redirect_uri="http://evil.example/cb", scope=SCOPES)
        url, _ = session.authorization_url(self.api + "/i/oauth2/authorize", code_challenge=challenge,
                                           code_challenge_method="S256")
        r = requests.get(url, allow_redirects=False, timeout=30)
        self.assertEqual(r.status_code, 400)
        self.assertNotIn("Location", r.headers)

    def test_app_only_bearer_on_v2(self):
        r = requests.post(self.api + "/oauth2/token", data={"grant_type": "client_credentials"},
                          auth=("e2e-key", "e2e-secret"), timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        bearer = r.json()["access_token"]
        self.secrets_seen.append(bearer)
        h = {"Authorization": "Bearer " + bearer}
        r = requests.get(self.api + "/2/tweets/search/recent", params={"query": "beer", "max_results": 10},
                         headers=h, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        body = r.json()
        self.assertEqual(body["meta"]["result_count"], 10)
        self.assertTrue(all("beer" in t["text"].lower() for t in body["data"]))
        self.assertIn("x-rate-limit-remaining", r.headers)
        r = requests.get(self.api + "/2/users/me", headers=h, timeout=30)
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.headers["Content-Type"], "application/problem+json")


class PublicClientAutoApproveTest(unittest.TestCase):
    def test_public_client_with_auto_approve(self):
        with harness.Birdgate(sandbox_yaml("      auto_approve: birdgate_dev\n      token_lifetime: 60\n")) as sb:
            api = sb.url("/sandbox")
            verifier, challenge = pkce()
            session = OAuth2Session(PUBLIC_ID, redirect_uri=PUBLIC_CALLBACK, scope=["tweet.read", "users.read",
                                                                                   "offline.access"])
            url, state = session.authorization_url(api + "/i/oauth2/authorize", code_challenge=challenge,
                                                   code_challenge_method="S256")
            r = requests.get(url, allow_redirects=False, timeout=30)
            self.assertEqual(r.status_code, 302, r.text)
            # A public client sends client_id in the body, no secret.
            token = session.fetch_token(api + "/2/oauth2/token", authorization_response=r.headers["Location"],
                                        include_client_id=True, code_verifier=verifier)
            self.assertEqual(token["expires_in"], 60)
            me = session.get(api + "/2/users/me", timeout=30)
            self.assertEqual(me.json()["data"]["username"], "birdgate_dev")
            new = session.refresh_token(api + "/2/oauth2/token", client_id=PUBLIC_ID, include_client_id=True)
            self.assertNotEqual(new["refresh_token"], token["refresh_token"])
            with self.assertRaises(OAuth2Error):  # a scope the public app may not ask for
                s2 = OAuth2Session(PUBLIC_ID, redirect_uri=PUBLIC_CALLBACK, scope=["tweet.write"])
                url, _ = s2.authorization_url(api + "/i/oauth2/authorize", code_challenge=challenge,
                                              code_challenge_method="S256")
                r = requests.get(url, allow_redirects=False, timeout=30)
                s2.fetch_token(api + "/2/oauth2/token", authorization_response=r.headers["Location"],
                               include_client_id=True, code_verifier=verifier)
            log = sb.stderr_text()
            for secret in (token["access_token"], token["refresh_token"], new["access_token"], verifier):
                self.assertNotIn(secret, log)


class ExampleConfigsTest(unittest.TestCase):
    """etc/sandbox.yaml and etc/demo.yaml register an OAuth 2.0 client whose
    callbacks are the demo's /x-user/ url."""

    def test_example_configs_register_the_demo_callback(self):
        for name in ("sandbox.yaml", "demo.yaml"):
            config = os.path.join(harness.SOURCE, "etc", name)
            with harness.Birdgate(config) as sb:
                _, challenge = pkce()
                for cb in ("http://127.0.0.1:9988/x-user/", "http://localhost:9988/x-user/"):
                    q = urllib.parse.urlencode({"response_type": "code", "client_id": "demo-client-id",
                                                "redirect_uri": cb, "scope": "tweet.read users.read offline.access",
                                                "state": "s", "code_challenge": challenge,
                                                "code_challenge_method": "S256"})
                    r = requests.get(sb.url("/sandbox/i/oauth2/authorize?" + q), allow_redirects=False, timeout=30)
                    self.assertEqual(r.status_code, 200, name + ": " + r.text)
                    self.assertIn("Authorize", r.text)


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
