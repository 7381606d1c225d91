"""Requests per second and p95 latency of a signed-in page with personal data against a bare
page of the same layout (no database), in one run against a running server.

    python benchmarks/http_bench.py --base http://127.0.0.1:8765 --email ... --password ...

Closed-loop load: N client threads, each with its own keep-alive connection. The two pages
take turns, three seconds at a time (the bare page first in one round, the signed-in page first in
the next), until each has had its time: a shared machine's speed drifts over a run (other work,
CPU frequency), and pages measured one after the other would each see a different machine.
Prints a table, the ratios and whether they are within --target, and the spread of the
throughput ratio from turn to turn; exits non-zero only if requests failed.
"""

from __future__ import annotations

import argparse
import http.client
import re
import statistics
import sys
import threading
import time
import urllib.parse


def sign_in(base: str, email: str, password: str) -> str:
    """Sign in through the real form; return the session cookie header value."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request("GET", "/sign-in")
    resp = conn.getresponse()
    html = resp.read().decode()
    cookie = resp.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    conn.request(
        "POST",
        "/sign-in",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    resp = conn.getresponse()
    resp.read()
    if resp.status != 302:
        sys.exit(f"Sign-in failed with status {resp.status}")
    return resp.getheader("Set-Cookie").split(";")[0]


def load(base: str, path: str, cookie: str | None, seconds: float, threads: int) -> dict:
    url = urllib.parse.urlsplit(base)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        mine = []
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - start)
            if resp.status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    begun = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - begun
    return {"path": path, "latencies": latencies, "errors": errors[0], "elapsed": elapsed}


def summary(runs: list[dict]) -> dict:
    """One page's rounds together: requests per second over all its time, and percentiles."""
    latencies = sorted(x for r in runs for x in r["latencies"])
    return {
        "path": runs[0]["path"],
        "requests": len(latencies),
        "errors": sum(r["errors"] for r in runs),
        "rps": len(latencies) / sum(r["elapsed"] for r in runs),
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


# Long enough that starting and draining the client threads (a request's time at each end) is
# a small part of a turn, short enough that the machine's speed barely drifts within one.
TURN_SECONDS = 3


def alternate(base: str, pages: list[tuple[str, str | None]], seconds: float, threads: int):
    """Each page for `seconds` in all, in turns of about TURN_SECONDS, the order swapped each turn."""
    turns = max(1, round(seconds / TURN_SECONDS))
    runs: dict[str, list[dict]] = {path: [] for path, _ in pages}
    for turn in range(turns):
        for path, cookie in pages if turn % 2 == 0 else pages[::-1]:
            runs[path].append(load(base, path, cookie, seconds / turns, threads))
    turn_ratios = [
        _rate(first) / _rate(second)
        for first, second in zip(*(runs[path] for path, _ in pages), strict=True)
    ]
    return [summary(runs[path]) for path, _ in pages], turn_ratios


def _rate(run: dict) -> float:
    return len(run["latencies"]) / run["elapsed"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--page", default="/casework/", help="signed-in page with personal data")
    p.add_argument(
        "--bare",
        default="/bench/bare-caseload",
        help="the same template, layout and rows, no database (bare_page.py)",
    )
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--target", type=float, default=1.5)
    args = p.parse_args()

    cookie = sign_in(args.base, args.email, args.password)
    load(args.base, args.page, cookie, 2, args.threads)  # warm up both
    load(args.base, args.bare, None, 2, args.threads)
    (bare, page), turn_ratios = alternate(
        args.base, [(args.bare, None), (args.page, cookie)], args.seconds, args.threads
    )
    print(f"{'page':<28}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}")
    for r in (bare, page):
        print(
            f"{r['path']:<28}{r['requests']:>10}{r['errors']:>8}{r['rps']:>10.1f}"
            f"{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
        )
    ratio_rps = bare["rps"] / page["rps"]
    ratio_p95 = page["p95_ms"] / bare["p95_ms"]
    print(
        f"throughput ratio (bare / signed-in): {ratio_rps:.2f}x   "
        f"p95 ratio (signed-in / bare): {ratio_p95:.2f}x   target: within {args.target}x"
    )
    within = ratio_rps <= args.target and ratio_p95 <= args.target
    print(f"target {'met' if within else 'not met'}")
    print(
        f"throughput ratio turn by turn ({len(turn_ratios)} turns of {TURN_SECONDS} s): median "
        f"{statistics.median(turn_ratios):.2f}x, {min(turn_ratios):.2f}x to {max(turn_ratios):.2f}x"
    )
    if page["errors"] or bare["errors"]:
        sys.exit("Some requests failed")


if __name__ == "__main__":
    main()
