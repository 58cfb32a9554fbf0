#!/usr/bin/python3
"""Connection tools for scripts/bench, each run as its own process so its event
loop never shares a GIL with the bench or with another tool. Loopback only;
every phase has a time bound; every answer is one JSON line on stdout.

  conns.py slow-upstream --port P [--delay 0.2]
      An HTTP/1.1 upstream (keep-alive) that answers every request after
      `delay` seconds, many at once. Prints {"event": "ready"} once listening;
      runs until SIGTERM/SIGINT or --max-life seconds.

  conns.py hold --port P --path /x --count 10000 --mode idle|trickle
      Opens `count` connections and holds them until a line (or EOF) on stdin,
      or --max-hold seconds. idle: each sends one request, reads the answer and
      stays open (keep-alive). trickle: each sends a request line and then one
      header byte every --interval seconds, never finishing the header.
      Prints {"event": "ready", ...} when the opening phase is over and
      {"event": "done", ...} at the end: how many stayed open, how many the
      server closed, and (trickle) how many were answered once their header was
      finished (within --complete-timeout seconds).

  conns.py probe --port P --path /x [--count 1000 --concurrency 2 --time 8]
      Sequential requests (a few at once), each on a fresh connection: a new
      client's latency. Stops at `count` requests or `time` seconds. Failures
      (timeouts, errors, non-2xx) count as infinitely slow in the percentiles.

  conns.py burst --port P --path /x [--count 1000 --timeout 15]
      `count` requests at once, each on a new connection: how many were
      answered 200 and the wall time from the first connect to the last answer.
"""
import argparse
import asyncio
import json
import math
import os
import random
import resource
import signal
import socket
import sys
import time

HOST = "127.0.0.1"


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def request(path, close=False, extra=""):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\n%s%s\r\n"
            % (path, HOST, "Connection: close\r\n" if close else "", extra)).encode()


async def read_answer(reader):
    """One HTTP/1.1 answer: (status, keep_alive). Content-Length, chunked or
    close-delimited bodies; raises on EOF before the end."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip().lower()
    keep_alive = headers.get("connection") != "close"
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        for _ in range(100000):  # bounded: chunks of one answer
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif status not in (204, 304) and status >= 200:
        await reader.read()  # close-delimited
        keep_alive = False
    return status, keep_alive


def abort(writer):
    """Close without TIME_WAIT on our side (RST), so tens of thousands of
    connections per run never exhaust local ports."""
    try:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        writer.transport.abort()
    except Exception:
        pass


# ---------------------------------------------------------------- slow-upstream

async def slow_upstream(args):
    async def handle(reader, writer):
        try:
            for _ in range(1000000):  # bounded: requests on one connection
                head = await reader.readuntil(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        await reader.readexactly(int(line.split(b":", 1)[1]))
                await asyncio.sleep(args.delay)
                body = b'{"ok":true}'
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, HOST, args.port, backlog=4096, reuse_address=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    emit({"event": "ready", "port": args.port})
    try:
        await asyncio.wait_for(stop.wait(), args.max_life)
    except asyncio.TimeoutError:
        pass
    server.close()


# ------------------------------------------------------------------------- hold

class Held:
    __slots__ = ("reader", "writer", "state", "answered")

    def __init__(self):
        self.reader = self.writer = None
        self.state = "opening"  # opening | open | failed | closed
        self.answered = False


async def hold(args):
    raise_nofile()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_stdin():  # a line or EOF on stdin: stop holding
        loop.remove_reader(sys.stdin.fileno())
        stop.set()
    loop.add_reader(sys.stdin.fileno(), on_stdin)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    conns = [Held() for _ in range(args.count)]
    gate = asyncio.Semaphore(args.open_concurrency)
    errors = {}

    def failed(c, why):
        c.state = "failed"
        errors[why] = errors.get(why, 0) + 1
        if c.writer is not None:
            abort(c.writer)

    async def open_one(c):
        async with gate:
            try:
                c.reader, c.writer = await asyncio.wait_for(
                    asyncio.open_connection(HOST, args.port, limit=65536), args.open_timeout)
                if args.mode == "idle":
                    c.writer.write(request(args.path))
                    status, keep_alive = await asyncio.wait_for(read_answer(c.reader), args.open_timeout)
                    if not keep_alive:
                        return failed(c, "answer without keep-alive")
                    c.answered = status < 400
                else:
                    c.writer.write(request(args.path, extra="X-Trickle: ")[:-2])  # header left unfinished
                    await c.writer.drain()
                c.state = "open"
            except asyncio.TimeoutError:
                failed(c, "timeout")
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as e:
                failed(c, type(e).__name__)

    t0 = time.monotonic()
    tasks = [asyncio.ensure_future(open_one(c)) for c in conns]
    done, pending = await asyncio.wait(tasks, timeout=args.open_deadline)
    for t in pending:
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for c in conns:
        if c.state == "opening":
            failed(c, "open deadline")
    open_secs = time.monotonic() - t0
    emit({"event": "ready", "mode": args.mode, "count": args.count,
          "opened": sum(c.state == "open" for c in conns),
          "answered": sum(c.answered for c in conns), "failed": errors, "open_secs": round(open_secs, 2)})

    closed = {}

    def lost(c, why):
        if c.state == "open":
            c.state = "closed"
            closed[why] = closed.get(why, 0) + 1

    async def watch(c):
        """While held: notice the server closing (or answering); trickle one
        header byte every interval, each connection at its own phase."""
        if args.mode == "trickle":
            await asyncio.sleep(random.uniform(0, args.interval))
        while c.state == "open" and not stop.is_set():  # bounded by stop / max-hold
            try:
                data = await asyncio.wait_for(c.reader.read(1),
                                              args.interval if args.mode == "trickle" else args.max_hold)
                lost(c, "server closed" if not data else "server answered early")
                return
            except asyncio.TimeoutError:
                if args.mode == "trickle":
                    c.writer.write(b"a")
                    await c.writer.drain()
            except (OSError, asyncio.IncompleteReadError) as e:
                lost(c, type(e).__name__)
                return

    watchers = [asyncio.ensure_future(watch(c)) for c in conns if c.state == "open"]
    t_hold = time.monotonic()
    try:
        await asyncio.wait_for(stop.wait(), args.max_hold)
    except asyncio.TimeoutError:
        pass
    for w in watchers:
        w.cancel()
    await asyncio.gather(*watchers, return_exceptions=True)
    held = [c for c in conns if c.state == "open"]
    result = {"event": "done", "mode": args.mode, "held": len(held), "closed": closed,
              "hold_secs": round(time.monotonic() - t_hold, 2)}

    if args.mode == "trickle" and held:
        # Finish every held header: did the server read them, or only keep them queued?
        async def complete(c):
            try:
                c.writer.write(b"\r\n\r\n")
                status, _ = await read_answer(c.reader)
                return status
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
                return None
        tasks = [asyncio.ensure_future(complete(c)) for c in held]
        done, pending = await asyncio.wait(tasks, timeout=args.complete_timeout)
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        result["answered_on_completion"] = sum(1 for t in done if not t.cancelled() and t.result() is not None)
    for c in conns:
        if c.writer is not None:
            abort(c.writer)
    emit(result)


# ------------------------------------------------------------------ probe/burst

async def one_request(path, port, timeout):
    """(ok, seconds, why) for one request on a fresh connection."""
    t0 = time.perf_counter()
    writer = None
    try:
        async def go():
            nonlocal writer
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(request(path, close=True))
            return (await read_answer(reader))[0]
        status = await asyncio.wait_for(go(), timeout)
        return status == 200, time.perf_counter() - t0, "status %d" % status
    except asyncio.TimeoutError:
        return False, time.perf_counter() - t0, "timeout"
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as e:
        return False, time.perf_counter() - t0, type(e).__name__
    finally:
        if writer is not None:
            abort(writer)


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    v = sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]
    return None if v == math.inf else round(v * 1000, 3)


async def probe(args):
    lat, why = [], {}
    deadline = time.monotonic() + args.time

    async def worker():
        for _ in range(args.count):  # bounded by count and deadline
            if len(lat) >= args.count or time.monotonic() >= deadline:
                return
            ok, secs, reason = await one_request(args.path, args.port, args.timeout)
            lat.append(secs if ok else math.inf)
            if not ok:
                why[reason] = why.get(reason, 0) + 1

    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    lat.sort()
    emit({"n": len(lat), "ok": sum(v != math.inf for v in lat), "failed": why,
          "p50_ms": percentile(lat, 0.5), "p99_ms": percentile(lat, 0.99), "timeout_ms": args.timeout * 1000})


async def burst(args):
    raise_nofile()
    t0 = time.perf_counter()
    results = await asyncio.gather(*(one_request(args.path, args.port, args.timeout) for _ in range(args.count)))
    why = {}
    for ok, _, reason in results:
        if not ok:
            why[reason] = why.get(reason, 0) + 1
    ok_times = [secs for ok, secs, _ in results if ok]
    emit({"n": args.count, "ok": len(ok_times), "failed": why,
          "wall_s": round(time.perf_counter() - t0, 4),
          "last_ok_s": round(max(ok_times), 4) if ok_times else None, "timeout_s": args.timeout})


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("slow-upstream")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--delay", type=float, default=0.2)
    s.add_argument("--max-life", type=float, default=1800)
    h = sub.add_parser("hold")
    h.add_argument("--port", type=int, required=True)
    h.add_argument("--path", required=True)
    h.add_argument("--count", type=int, default=10000)
    h.add_argument("--mode", choices=["idle", "trickle"], required=True)
    h.add_argument("--interval", type=float, default=3.0)
    h.add_argument("--open-concurrency", type=int, default=2000)
    h.add_argument("--open-timeout", type=float, default=2.0)
    h.add_argument("--open-deadline", type=float, default=20.0)
    h.add_argument("--max-hold", type=float, default=120.0)
    h.add_argument("--complete-timeout", type=float, default=5.0)
    for name in ("probe", "burst"):
        q = sub.add_parser(name)
        q.add_argument("--port", type=int, required=True)
        q.add_argument("--path", required=True)
        q.add_argument("--count", type=int, default=1000)
        q.add_argument("--timeout", type=float, default=2.0 if name == "probe" else 15.0)
        if name == "probe":
            q.add_argument("--concurrency", type=int, default=2)
            q.add_argument("--time", type=float, default=8.0)
    args = p.parse_args()
    asyncio.run({"slow-upstream": slow_upstream, "hold": hold, "probe": probe, "burst": burst}[args.cmd](args))


if __name__ == "__main__":
    main()
