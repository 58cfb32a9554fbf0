"""End-to-end: a bad configuration names file, line, key and what was
expected, exits non-zero, and nothing starts listening."""
import os
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

GOOD_URL = """
  t:
    pattern: /t/(.*)
    handler: TwitterRESTHandler
    kwargs: {key: k, secret: s, access_key: a, access_secret: b}
"""

# (config text, text that must appear in the message, line number expected)
CASES = [
    ("app:\n  listen: {port: nope}\n", "app.listen.port", 2),
    ("app:\n  threads: -4\n", "app.threads", 2),
    ("app:\n  log: {level: loud}\n", "app.log.level", 2),
    ("app:\n  drain: -1\n", "app.drain", 2),
    ("app:\n  log: {path: $YAMLPATH/b.log, rotation: sometimes}\n", "app.log.rotation", 0),
    ("app:\n  twitter: {api_root: ftp://x}\n", "api_root", 2),
    ("url:\n  t:\n    handler: TwitterRESTHandler\n", "pattern", 2),
    ("url:\n  t:\n    pattern: /t/(.*\n    handler: TwitterRESTHandler\n", "url.t.pattern", 3),
    ("url:\n  t:\n    pattern: /t/(.*)\n    handler: NoSuchHandler\n", "url.t.handler", 4),
    ("url:\n  t:\n    pattern: /t/(.*)\n    handler: TwitterRESTHandler\n    kwargs: {secret: s}\n", "key", 5),
    ("url:\n  t:\n    pattern: /t/(.*)\n    handler: TwitterRESTHandler\n"
     "    kwargs: {key: k, secret: s, methods: [FETCH]}\n", "methods", 5),
    ("url:\n  t:\n    pattern: /t/(.*)\n    handler: TwitterRESTHandler\n"
     "    kwargs: {key: k, secret: s, upstream_method: sometimes}\n", "upstream_method", 5),
    ("url:\n  t:\n    pattern: /t/(.*)\n    handler: TwitterRESTHandler\n"
     "    kwargs: {key: k, secret: s, path: ../etc/passwd}\n", "path", 5),
    ("url:\n  t:\n    pattern: /t/(.*)\n    handler: TwitterRESTHandler\n"
     "    kwargs: {key: k, secret: s, timeout: soon}\n", "timeout", 5),
    ("url:\n  t:\n    pattern: /t/(.*)\n    handler: TwitterRESTHandler\n"
     "    kwargs: {key: k, secret: s, access_key: a}\n", "access_", 5),
    ("url:\n  t:\n    pattern: /t/(.*)\n    handler: TwitterRESTHandler\n"
     "    kwargs: {key: k, secret: s, endpoint: 'not a url'}\n", "endpoint", 5),
    ("url: [1, 2\n", "", 0),
    ("import: missing-file.yaml\n", "missing-file.yaml", 1),
    ("schedule:\n  s:\n    function: TwitterStream\n    kwargs: {track: beer}\n", "thread: true", 2),
]


class ConfigErrorTest(unittest.TestCase):
    def test_every_error_names_file_line_key_and_exits_nonzero(self):
        for text, needle, line in CASES:
            with self.subTest(config=text):
                code, out, path = harness.run_check(text)
                self.assertNotEqual(code, 0, out)
                self.assertIn("configuration error", out)
                self.assertIn(path, out)
                if line:
                    self.assertIn("%s:%d:" % (path, line), out)
                self.assertIn(needle, out)

    def test_good_config_checks_ok(self):
        code, out, _ = harness.run_check("url:" + GOOD_URL)
        self.assertEqual(code, 0, out)

    def test_old_threads_value_is_capped_with_a_warning_saying_why(self):
        # app.threads counted connections before the event-driven server;
        # now it counts I/O threads, and a large old value is capped.
        code, out, _ = harness.run_check("app:\n  threads: 10000\n")
        self.assertEqual(code, 0, out)
        self.assertIn("app.threads: 10000 capped to", out)
        self.assertIn("number of I/O threads", out)
        self.assertIn("app.max_connections", out)

    def test_example_configs_check_ok_without_warnings(self):
        for name in ("birdgate.yaml", "demo.yaml", "sandbox.yaml"):
            with self.subTest(config=name):
                p = subprocess.run([harness.BIN, "--check", os.path.join(harness.SOURCE, "etc", name)],
                                   capture_output=True, timeout=30,
                                   env=dict(os.environ, BIRDGATE_STORE="sqlite:%s/x.db" % tempfile.mkdtemp(),
                                            BIRDGATE_PLUGINS=harness.PLUGINS))
                out = (p.stdout + p.stderr).decode()
                self.assertEqual(p.returncode, 0, out)
                self.assertIn("configuration OK", out)
                self.assertNotIn("unknown key", out)

    def test_missing_file(self):
        p = subprocess.run([harness.BIN, "/nonexistent/birdgate.yaml"], capture_output=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"/nonexistent/birdgate.yaml", p.stderr)

    def test_nothing_listens_after_an_error(self):
        port = harness.free_port()
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "bad.yaml")
        with open(path, "w") as f:
            f.write("app:\n  listen: {host: 127.0.0.1, port: %d}\nurl:\n  t:\n    pattern: /t/(.*)\n"
                    "    handler: TwitterRESTHandler\n    kwargs: {secret: s}\n" % port)
        p = subprocess.run([harness.BIN, path], capture_output=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        with socket.socket() as s:
            self.assertNotEqual(s.connect_ex(("127.0.0.1", port)), 0)

    def test_garbage_files(self):
        for text in ["\x00\x01\x02binary", "\t\tkey: value", "'unterminated", "- a\n- b\n", "a: b: c: d\n",
                     "url:\n  t: 5\n", "app: [1]\n", "url:\n  t:\n    pattern: [x]\n    handler: FileHandler\n"]:
            with self.subTest(config=text):
                code, out, path = harness.run_check(text)
                self.assertNotEqual(code, 0, out)
                self.assertIn(path, out)

    def test_unknown_keys_warn(self):
        code, out, _ = harness.run_check("url:" + GOOD_URL + "    colour: blue\n")
        self.assertEqual(code, 0, out)
        self.assertIn("colour", out)


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
