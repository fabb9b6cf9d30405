"""Load test of `shoplint serve` on 127.0.0.1: N concurrent uploads of sample_data as a zip.

    python bench/bench_serve.py [--n 8,16,32] [--workers 2] [--max-seconds 600] [--hostile | --no-hostile]

Starts the portal in a subprocess on a free port of 127.0.0.1 (never another host), sends N
uploads at once to POST /api/lint for each N, and records throughput, latency percentiles
and the server's peak memory (RSS of the server process, and of the server with its
forkserver and lint processes). Every upload is told apart — its own zip name and its own
as_of, one of eight days — and its report is checked against `shoplint check` run on the
same data and as_of by the command line: the same findings, its own export name and as_of.
Needs the serve and bench extras (httpx, psutil).

Each honest upload comes from its own loopback address (127.0.1.x: every address of 127/8
is this machine), as sellers do from their own machines. With --hostile (the default) each N
is run twice: alone, then beside hostile clients doing the attacks of issue 12 at the same
time, from their own loopback addresses: three addresses uploading slow zips as fast as the
server lets them (each lints for ~10 s), half-sent headers (slowloris), stalled bodies,
cross-site form posts, a sparse XLSX and a 256 MiB CSV in a 1.7 MB zip. The server runs with
its default limits (rate, queue, per-client share, time, memory, timeouts).
"""
from __future__ import annotations

import argparse
import json
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from lint.serve.app import sample_zip  # noqa: E402

SAMPLE = REPO / "sample_data"
DAYS = [f"2025-12-{d:02d}T00:00:00+07:00" for d in (24, 25, 26, 27, 28, 29, 30, 31)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli_reports() -> dict[str, dict]:
    """The command line's report of sample_data for each as_of."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for as_of in DAYS:
            path = Path(tmp) / "r.json"
            res = subprocess.run([sys.executable, "-m", "lint", "check", str(SAMPLE), "--format", "json",
                                  "--output", str(path), "--as-of", as_of, "--no-cache", "-q"],
                                 cwd=REPO, capture_output=True, text=True)
            assert res.returncode in (0, 1), res.stderr
            out[as_of] = json.loads(path.read_text(encoding="utf-8"))
    return out


class Sampler(threading.Thread):
    """Peak RSS of the server process, and of it with all its descendants (RSS summed, which
    counts the pages forked processes share once per process, and PSS summed, which counts
    them once): RSS every 20 ms, PSS (reading smaps costs more) every 250 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.peak_server = self.peak_tree = self.peak_pss = 0
        self.stop = threading.Event()

    def run(self):
        tick = 0
        while not self.stop.is_set():
            full = tick % 12 == 0
            tick += 1
            try:
                procs = [self.proc] + self.proc.children(recursive=True)
                rss = pss = 0
                for i, p in enumerate(procs):
                    try:
                        m = p.memory_full_info() if full else p.memory_info()
                    except psutil.Error:
                        if i == 0:
                            return
                        continue
                    if i == 0:
                        self.peak_server = max(self.peak_server, m.rss)
                    rss += m.rss
                    pss += m.pss if full else 0
                self.peak_tree = max(self.peak_tree, rss)
                self.peak_pss = max(self.peak_pss, pss)
            except psutil.Error:
                return
            self.stop.wait(0.02)


def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def one_round(url: str, n: int, zipped: bytes, expected: dict[str, dict], deadline: float, tag: str) -> dict:
    def upload(i):
        as_of = DAYS[i % len(DAYS)]
        name = f"seller_{tag}_{i:03d}.zip"
        t0 = time.perf_counter()
        transport = httpx.HTTPTransport(local_address=f"127.0.1.{1 + i % 250}")  # a seller of its own
        with httpx.Client(timeout=max(5.0, deadline - time.time()), transport=transport) as c:
            r = c.post(url + "/api/lint", files={"files": (name, zipped, "application/zip")},
                       data={"as_of": as_of})
        latency = time.perf_counter() - t0
        ok = False
        why = f"HTTP {r.status_code}: {r.text[:200]}"
        if r.status_code == 200:
            report = r.json()
            want = expected[as_of]
            if report["export"] != name[:-4]:
                why = f"export {report['export']!r}, not {name[:-4]!r}"
            elif report["as_of"] != as_of:
                why = f"as_of {report['as_of']}, not {as_of}"
            elif report["findings"] != want["findings"] or report["summary"] != want["summary"]:
                why = "findings differ from the command line's"
            else:
                ok, why = True, ""
        return latency, ok, why

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(upload, range(n)))
    wall = time.perf_counter() - t0
    lat = [r[0] for r in results]
    bad = [r[2] for r in results if not r[1]]
    return {"n": n, "wall": wall, "throughput": n / wall, "p50": pct(lat, 50), "p95": pct(lat, 95),
            "p99": pct(lat, 99), "max": max(lat), "ok": n - len(bad), "bad": bad}


class Hostile:
    """The attacks of issue 12, each from its own loopback address, until stop()."""

    def __init__(self, url: str, port: int):
        self.url, self.port = url, port
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        sys.path.insert(0, str(REPO / "tests"))
        from test_serve_hardening import big_csv_zip, slow_export_zip
        self.slow = slow_export_zip("h", 150_000)  # ~1.1 MB, ~10 s of lint
        self.big = big_csv_zip()  # 256 MiB of CSV in ~1.7 MB
        import io

        import xlsxwriter
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        wb.add_worksheet().write(999_999, 99, "x")
        wb.close()
        self.sparse = buf.getvalue()

    def count(self, what: str):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def start(self):
        for a in (1, 2, 3):  # three addresses flooding the queue with slow zips
            for k in range(3):
                self._spawn(self._flood, f"127.0.2.{a}", "export.zip", self.slow)
        self._spawn(self._flood, "127.0.3.4", "bindings.xlsx", self.sparse)
        self._spawn(self._flood, "127.0.3.5", "export.zip", self.big)
        for _ in range(20):
            self._spawn(self._slowloris, "127.0.3.1")
        for _ in range(4):
            self._spawn(self._stalled_body, "127.0.3.2")
        self._spawn(self._cross_site, "127.0.3.3")

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout=2)

    def _spawn(self, fn, *args):
        t = threading.Thread(target=fn, args=args, daemon=True)
        t.start()
        self.threads.append(t)

    def _flood(self, address: str, name: str, body: bytes):
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(timeout=300, transport=transport) as c:
            while not self.stopping.is_set():
                try:
                    r = c.post(self.url + "/api/lint", files={"files": (name, body, "application/octet-stream")})
                    self.count(f"upload {name} -> {r.status_code}")
                    if r.status_code == 429:
                        self.stopping.wait(1.0)
                except httpx.HTTPError as e:
                    self.count(f"upload {name} -> {type(e).__name__}")
                    self.stopping.wait(0.5)

    def _connect(self, address: str):
        sock = socket.socket()
        sock.bind((address, 0))
        sock.settimeout(2)
        sock.connect(("127.0.0.1", self.port))
        return sock

    def _hold(self, address: str, first: bytes, what: str):
        while not self.stopping.is_set():
            try:
                with self._connect(address) as sock:
                    sock.sendall(first)
                    sock.settimeout(0.5)
                    answer = b""
                    while not self.stopping.is_set():
                        try:
                            answer = sock.recv(4096)
                            break  # closed, or an answer (408, 429, 503)
                        except socket.timeout:
                            continue
                status = answer.split(b"\r\n", 1)[0].decode("latin-1", "replace")[9:12] if answer else ""
                self.count(f"{what}: {'answered ' + status if status else 'cut'}")
            except OSError:
                self.count(f"{what} refused")
                self.stopping.wait(0.2)

    def _slowloris(self, address: str):
        self._hold(address, b"POST /api/lint HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ", "half-sent headers")

    def _stalled_body(self, address: str):
        self._hold(address, b"POST /api/lint HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
                            b"boundary=b\r\nContent-Length: 900000\r\n\r\n--b\r\n", "stalled body")

    def _cross_site(self, address: str):
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(timeout=30, transport=transport) as c:
            while not self.stopping.is_set():
                try:
                    r = c.post(self.url + "/upload", headers={"Origin": "http://evil.example"},
                               files={"files": ("stores.csv", b"store_id,region\nS1,ID\n", "text/csv")})
                    self.count(f"cross-site post -> {r.status_code}")
                except httpx.HTTPError:
                    pass
                self.stopping.wait(0.2)


def wait_idle(url: str, deadline: float):
    """Until the server has nothing running or queued (the hostile lints left over)."""
    while time.time() < deadline:
        try:
            load = httpx.get(url + "/healthz", timeout=5).json()
            if not load["running"] and not load["queued"] and not load.get("paused"):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", default="8,16,32", help="concurrent uploads per round (comma-separated)")
    ap.add_argument("--workers", type=int, default=2, help="the server's --workers (concurrent lints)")
    ap.add_argument("--max-seconds", type=float, default=900, help="cap on the whole run")
    ap.add_argument("--hostile", action=argparse.BooleanOptionalAction, default=True,
                    help="also run each N beside the hostile clients of issue 12")
    args = ap.parse_args()
    sizes = [int(x) for x in args.n.split(",")]
    assert max(sizes) <= 256, "bounded: at most 256 concurrent uploads"
    deadline = time.time() + args.max_seconds

    print("reference reports from the command line ...", file=sys.stderr)
    expected = cli_reports()
    assert len({json.dumps(r["findings"]) for r in expected.values()}) > 1, "the as_of days should differ"
    zipped = sample_zip(SAMPLE)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen([sys.executable, "-m", "lint.serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--workers", str(args.workers), "--data-dir", data, "--log-level", "error"],
                                  cwd=REPO)  # the default limits
        try:
            while True:
                try:
                    if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    if server.poll() is not None or time.time() > deadline:
                        raise SystemExit("the server did not start")
                    time.sleep(0.2)
            idle = psutil.Process(server.pid).memory_info().rss
            # one upload first: the forkserver starts and imports the linter
            warm = one_round(url, 1, zipped, expected, deadline, "warm")
            assert warm["ok"] == 1, warm["bad"]
            sampler = Sampler(server.pid)
            sampler.start()
            rows = []
            hostile = Hostile(url, port) if args.hostile else None
            for n in sizes:
                if time.time() > deadline:
                    print(f"time cap reached before N={n}", file=sys.stderr)
                    break
                for beside in ([False, True] if hostile else [False]):
                    if beside:
                        hostile.stopping.clear()
                        hostile.threads = []
                        hostile.start()
                        time.sleep(5)  # the flooders' slow lints are running and queued
                    row = one_round(url, n, zipped, expected, deadline, f"n{n}{'h' if beside else ''}")
                    row["hostile"] = beside
                    if beside:
                        hostile.stop()
                        wait_idle(url, min(deadline, time.time() + 300))
                    rows.append(row)
                    print(f"N={n}{' beside hostile clients' if beside else ''}: {row['ok']}/{n} correct, "
                          f"{row['throughput']:.2f} uploads/s, p50 {row['p50']:.2f} s, p95 {row['p95']:.2f} s, "
                          f"p99 {row['p99']:.2f} s", file=sys.stderr)
                    for why in row["bad"][:5]:
                        print(f"  wrong: {why}", file=sys.stderr)
            sampler.stop.set()
            sampler.join()
            left = [p for p in Path(data).iterdir()]
        finally:
            server.terminate()
            server.wait(20)

    print(f"\nmachine: {platform.machine()}, {psutil.cpu_count()} cores, Python {platform.python_version()}; "
          f"server --workers {args.workers}; warm single upload {warm['wall']:.2f} s")
    print(f"server RSS idle {idle / 2**20:.0f} MB; peak {sampler.peak_server / 2**20:.0f} MB (server process), "
          f"{sampler.peak_tree / 2**20:.0f} MB RSS summed / {sampler.peak_pss / 2**20:.0f} MB PSS summed "
          "(with the forkserver and the lint processes)")
    print(f"job folders left after the rounds: {len(left)} (API uploads are deleted once answered)\n")
    print("| concurrent uploads | hostile clients | correct reports | wall time | throughput | p50 | p95 | p99 | max "
          "| p95 / alone |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    alone = {r["n"]: r["p95"] for r in rows if not r["hostile"]}
    for r in rows:
        ratio = f"{r['p95'] / alone[r['n']]:.2f}x" if r["hostile"] and r["n"] in alone else ""
        print(f"| {r['n']} | {'yes' if r['hostile'] else 'no'} | {r['ok']}/{r['n']} | {r['wall']:.1f} s | "
              f"{r['throughput']:.2f}/s | {r['p50']:.2f} s | {r['p95']:.2f} s | {r['p99']:.2f} s | {r['max']:.2f} s "
              f"| {ratio} |")
    if hostile:
        print("\nhostile requests and their outcomes (all rounds):")
        for what, k in sorted(hostile.counts.items()):
            print(f"- {what}: {k}")
    if any(r["bad"] for r in rows) or left:
        sys.exit(1)


if __name__ == "__main__":
    main()
