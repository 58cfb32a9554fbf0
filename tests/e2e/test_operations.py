"""End-to-end: birdgate run as a service (DESIGN.md 7): exit codes, the daemon
(validated before detaching, relative paths, pidfile, logs), signals (SIGHUP
reload under load and with a broken config, SIGUSR1 log reopening after a
rename, SIGTERM drain that refuses new connections at once) and systemd's
notify protocol read from a socket this test binds."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import requests

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from harness import BIN, rest_url  # noqa: E402


def config(echo_port, extra_urls="", app_extra=""):
    echo = "http://127.0.0.1:%d/1.1/" % echo_port
    return """
app:
  listen: {host: 127.0.0.1, port: $BIRDGATE_PORT}
  threads: 2
%s
url:""" % app_extra + rest_url("t", "/t/(.*)", echo) + extra_urls


def wait_for(predicate, timeout=10, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


class CommandLineTest(unittest.TestCase):
    def run_bg(self, *args, cwd=None):
        return subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=30, cwd=cwd)

    def test_bad_options_exit_64(self):
        for args in (["--bogus"], ["-z"], ["--pidfile"], ["--check=yes"]):
            with self.subTest(args=args):
                r = self.run_bg(*args)
                self.assertEqual(r.returncode, 64, r.stderr)
                self.assertIn("birdgate:", r.stderr)

    def test_version_and_help_exit_0(self):
        r = self.run_bg("--version")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("birdgate "))
        r = self.run_bg("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("64", r.stdout)

    def test_daemon_with_a_bad_config_exits_78_before_detaching(self):
        folder = tempfile.mkdtemp(prefix="birdgate-daemon-")
        with open(os.path.join(folder, "bad.yaml"), "w") as f:
            f.write("app:\n  listen: {port: nope}\n")
        r = self.run_bg("--daemon", "--pidfile=%s/pid" % folder, "bad.yaml", cwd=folder)
        self.assertEqual(r.returncode, 78)
        self.assertIn("bad.yaml:2: app.listen.port", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(folder, "pid")))

    def test_daemon_resolves_relative_paths_against_the_starting_folder(self):
        folder = tempfile.mkdtemp(prefix="birdgate-daemon-")
        port = harness.free_port()
        with harness.EchoUpstream() as echo:
            with open(os.path.join(folder, "gw.yaml"), "w") as f:
                f.write(config(echo.port, app_extra="""  access_log: access.log
  log: {path: birdgate.log}
  store: sqlite:state.db
""").replace("$BIRDGATE_PORT", str(port)))
            env = dict(os.environ, BIRDGATE_PLUGINS=harness.PLUGINS)
            r = subprocess.run([BIN, "--daemon", "--pidfile=%s/birdgate.pid" % folder, "gw.yaml"], cwd=folder,
                               env=env, capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            pidfile = os.path.join(folder, "birdgate.pid")
            wait_for(lambda: read_text(pidfile).strip().isdigit(), what="the pidfile")
            pid = int(read_text(pidfile).strip())
            try:
                harness.wait_listening(port)
                got = requests.get("http://127.0.0.1:%d/t/search/tweets.json?q=daemon" % port, timeout=10)
                self.assertEqual(got.status_code, 200)
                wait_for(lambda: "/t/search/tweets.json" in read_text(os.path.join(folder, "access.log")),
                         what="the access log line")
                self.assertIn("listening on", read_text(os.path.join(folder, "birdgate.log")))
                self.assertTrue(os.path.exists(os.path.join(folder, "state.db")))
            finally:
                os.kill(pid, signal.SIGTERM)
            wait_for(lambda: not os.path.exists("/proc/%d" % pid) or
                     "zombie" in read_text("/proc/%d/status" % pid).lower(), what="the daemon to exit")
            self.assertIn("stopped", read_text(os.path.join(folder, "birdgate.log")))


class SignalsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.echo = harness.EchoUpstream().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.echo.__exit__()

    def start(self, text, env=None):
        bg = harness.Birdgate(text, env=env)
        bg.start()
        self.addCleanup(bg.stop)
        return bg

    def write_config(self, bg, text):
        # Written whole then renamed, as an editor or a deploy tool would.
        tmp = bg.config + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, bg.config)

    def test_reload_under_load_fails_no_request(self):
        base = config(self.echo.port)
        more = config(self.echo.port, rest_url("extra", "/extra/(.*)", "http://127.0.0.1:%d/1.1/" % self.echo.port))
        bg = self.start(base)
        failures, done = [], threading.Event()
        counts = [0]

        def client():
            with requests.Session() as http:  # keep-alive connections live across the reloads
                while not done.is_set():
                    try:
                        r = http.get(bg.url("/t/search/tweets.json?q=load"), timeout=10)
                        if r.status_code != 200:
                            failures.append(r.status_code)
                    except requests.RequestException as e:
                        failures.append(repr(e))
                    counts[0] += 1

        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            for i in range(10):
                self.write_config(bg, more if i % 2 == 0 else base)
                bg.proc.send_signal(signal.SIGHUP)
                time.sleep(0.3)
                expected = 200 if i % 2 == 0 else 404
                wait_for(lambda: requests.get(bg.url("/extra/x.json"), timeout=10).status_code == expected,
                         what="reload %d to apply" % i)
        finally:
            done.set()
            for t in threads:
                t.join()
        self.assertEqual(failures, [])
        self.assertGreater(counts[0], 100)
        self.assertEqual(bg.stderr_text().count("configuration reloaded"), 10)
        self.assertIsNone(bg.proc.poll())

    def test_a_broken_reload_keeps_the_old_config_and_names_the_key(self):
        bg = self.start(config(self.echo.port))
        self.write_config(bg, config(self.echo.port, "\n  bad:\n    pattern: /b/(.*)\n    handler: NoSuchHandler\n"))
        bg.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "reload failed" in bg.stderr_text(), what="the reload error")
        self.assertRegex(bg.stderr_text(), r"birdgate\.yaml:\d+: url\.bad\.handler")
        self.assertEqual(requests.get(bg.url("/t/search/tweets.json?q=still"), timeout=10).status_code, 200)
        self.assertIsNone(bg.proc.poll())

    def test_sigusr1_reopens_both_logs_after_a_rename(self):
        folder = tempfile.mkdtemp(prefix="birdgate-logs-")
        access, own = os.path.join(folder, "access.log"), os.path.join(folder, "birdgate.log")
        bg = self.start(config(self.echo.port, app_extra="  access_log: %s\n  log: {path: %s}\n" % (access, own)))
        requests.get(bg.url("/t/search/tweets.json?q=before"), timeout=10)
        wait_for(lambda: "q=before" in read_text(access), what="the first access line")
        os.rename(access, access + ".1")
        os.rename(own, own + ".1")
        bg.proc.send_signal(signal.SIGUSR1)
        wait_for(lambda: os.path.exists(access), what="a new access log")
        requests.get(bg.url("/t/search/tweets.json?q=after"), timeout=10)
        wait_for(lambda: "q=after" in read_text(access), what="the line in the new access log")
        self.assertNotIn("q=after", read_text(access + ".1"))
        wait_for(lambda: "logs reopened" in read_text(own), what="birdgate's own log reopened")
        self.assertIn("listening on", read_text(own + ".1"))
        self.assertIsNone(bg.proc.poll())

    def test_sigterm_refuses_new_connections_at_once_and_finishes_the_slow_one(self):
        bg = harness.Birdgate(config(self.echo.port, app_extra="  drain: 20\n")).start()
        result = {}

        def slow():
            r = requests.get(bg.url("/t/search/tweets.json?q=slowdrain&delay=2"), timeout=30)
            result["status"] = r.status_code

        t = threading.Thread(target=slow)
        t.start()
        wait_for(lambda: any(("q", "slowdrain") in r["query"] for r in self.echo.requests), what="the slow request")
        bg.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        started = time.time()
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", bg.port), timeout=2).close()
        self.assertLess(time.time() - started, 1.5, "a new connection waited instead of being refused")
        t.join()
        self.assertEqual(result.get("status"), 200)
        self.assertEqual(bg.proc.wait(timeout=30), 0, bg.stderr_text())


class NotifyTest(unittest.TestCase):
    def test_ready_reloading_stopping_reach_the_notify_socket(self):
        folder = tempfile.mkdtemp(prefix="birdgate-notify-")
        path = os.path.join(folder, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(15)
        self.addCleanup(sock.close)
        with harness.EchoUpstream() as echo:
            bg = harness.Birdgate(config(echo.port), env={"NOTIFY_SOCKET": path}).start()
            try:
                self.assertIn("READY=1", sock.recv(4096).decode())
                bg.proc.send_signal(signal.SIGHUP)
                reloading = sock.recv(4096).decode()
                self.assertIn("RELOADING=1", reloading)
                self.assertRegex(reloading, r"MONOTONIC_USEC=\d+")
                self.assertIn("READY=1", sock.recv(4096).decode())
            finally:
                code = bg.stop()
            self.assertIn("STOPPING=1", sock.recv(4096).decode())
            self.assertEqual(code, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
