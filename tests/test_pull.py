"""`shoplint pull` against a local fake of the TikTok Shop Partner API (127.0.0.1 only).

The fake follows the documented requests and responses:
- common parameters (https://partner.tiktokshop.com/docv2/page/common-parameters): `app_key`,
  `timestamp` (10 digits), `sign` in the query, the access token in the `x-tts-access-token`
  header; the fake computes the signature itself the documented way
  (https://partner.tiktokshop.com/docv2/page/sign-your-api-request: parameters but sign and
  access_token sorted as {key}{value}, the path before, app_secret around, HMAC-SHA256 keyed
  with app_secret, hex) and refuses a wrong one with code 106001;
- `GET /authorization/202309/shops` -> `data.shops[]{id, name, region, cipher, code, seller_type}`,
  and no `shop_cipher` allowed on it;
- `GET /analytics/{version}/shop_lives/performance` and `.../shop_videos/performance`:
  `start_date_ge`/`end_date_lt` (shop's zone), `page_size` (max 100), `page_token`,
  `account_type`, `shop_cipher` required -> `data.{live_stream_sessions|videos}`,
  `next_page_token`, `total_count`, `latest_available_date`; code 36009002 with HTTP 429
  when calls come too fast (here: the first call of each listing, once).
"""
import hashlib
import hmac
import json
import re
import threading
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from lint.cli import main
from lint.pull.client import Client, PullError, sign
from lint.pull.run import window

from conftest import findings, lint, make_export

KEY, SECRET, TOKEN = "6abc1defg2hij", "e59af819cc0123456789", "TTP_ROW_access_token_xyz"
SHOP_ID, CIPHER = "7494000000000000001", "ROW_Mfxq0QAAAADY9jhQTMr4JXq4U19IpM5-"
OFFICIAL, MARKETING, AFFILIATE = "tokotujuh", "tokotujuh.promo", "seorang.afiliasi"
WIB = ZoneInfo("Asia/Jakarta")
CREDENTIALS = {"SHOPLINT_TTS_APP_KEY": KEY, "SHOPLINT_TTS_APP_SECRET": SECRET, "SHOPLINT_TTS_ACCESS_TOKEN": TOKEN}


def epoch(text):
    return int(datetime.fromisoformat(text).replace(tzinfo=WIB).timestamp())


# (live id, host, start, end, account type the shop sees it under); times WIB
LIVES = [
    ("7450000000000000001", OFFICIAL, "2025-03-10T19:00", "2025-03-10T21:00", "OFFICIAL_ACCOUNTS"),
    ("7450000000000000002", MARKETING, "2025-03-10T19:30", "2025-03-10T22:00", "MARKETING_ACCOUNTS"),
    ("7450000000000000003", OFFICIAL, "2025-03-06T10:00", "2025-03-06T11:00", "OFFICIAL_ACCOUNTS"),
    ("7450000000000000004", AFFILIATE, "2025-03-10T19:00", "2025-03-10T23:00", "AFFILIATE_ACCOUNTS"),
    ("7450000000000000005", OFFICIAL, "2025-02-10T19:00", "2025-02-10T20:00", "OFFICIAL_ACCOUNTS"),  # before the window
]
VIDEOS = [
    ("7300000000000000001", OFFICIAL, "2025-03-08 10:00:00", "OFFICIAL"),
    ("7300000000000000002", MARKETING, "2025-03-08 11:00:00", "CHANNEL"),
    ("7300000000000000003", AFFILIATE, "2025-03-08 12:00:00", "AFFILIATE"),
]


def documented_sign(path, query, secret):
    """The signature as the API documents it, written here independently of lint.pull."""
    keys = sorted(k for k in query if k not in ("sign", "access_token"))
    base = path + "".join(k + query[k] for k in keys)
    return hmac.new(secret.encode(), (secret + base + secret).encode(), hashlib.sha256).hexdigest()


class FakeShopApi:
    def __init__(self, secret=SECRET, page_size=1, throttle_first=True, always_503=False, scope_error=False,
                 retry_after=None):
        self.secret, self.page_size, self.throttle_first = secret, page_size, throttle_first
        self.retry_after = retry_after
        self.always_503, self.scope_error = always_503, scope_error
        self.calls, self.refused, self.throttled = [], [], set()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                status, body = api.answer(self)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 429 and api.retry_after is not None:
                    self.send_header("Retry-After", api.retry_after)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def error(self, status, code, message):
        self.refused.append((code, message))
        return status, {"code": code, "message": message, "request_id": f"REQ{len(self.calls)}", "data": None}

    def answer(self, request):
        url = urlsplit(request.path)
        path, query = url.path, dict(parse_qsl(url.query, keep_blank_values=True))
        self.calls.append((path, query))
        if query.get("app_key") != KEY:
            return self.error(400, 36009004, "Invalid credentials. Invalid 'app_key' query parameter")
        if not re.fullmatch(r"\d{10}", query.get("timestamp", "")):
            return self.error(400, 36009004, "Invalid timestamp")
        if "access_token" in query:
            return self.error(400, 36009004, "The access token goes in the x-tts-access-token header")
        if query.get("sign") != documented_sign(path, query, self.secret):
            return self.error(401, 106001, "Invalid credentials. The sign is invalid.")
        if request.headers.get("x-tts-access-token") != TOKEN:
            return self.error(401, 105001, "Invalid credentials. The access token is invalid.")
        if path == "/authorization/202309/shops":
            if "shop_cipher" in query:
                return self.error(400, 36009004, "Unexpected identifier: shop_cipher")
            return 200, self.ok({"shops": [{"id": SHOP_ID, "name": "Toko Tujuh", "region": "ID", "cipher": CIPHER,
                                            "code": "IDLCJ2WLX3", "seller_type": "LOCAL"}]})
        m = re.fullmatch(r"/analytics/(\d{6})/(shop_lives|shop_videos)/performance", path)
        if m is None:
            return self.error(404, 36009009, "Invalid path")
        if query.get("shop_cipher") != CIPHER:
            return self.error(400, 106013, "Invalid shop_cipher")
        if self.scope_error:
            return self.error(403, 105005, "Access denied. The scope is not authorized.")
        try:
            start, end = date.fromisoformat(query["start_date_ge"]), date.fromisoformat(query["end_date_lt"])
            size = int(query.get("page_size", "10"))
            assert 1 <= size <= 100
        except (KeyError, ValueError, AssertionError):
            return self.error(400, 36009004, "Invalid parameter")
        if self.always_503:
            return 503, {"code": 36009003, "message": "Internal error. Please try again", "request_id": "R"}
        listing = (path, query.get("account_type"))
        if self.throttle_first and listing not in self.throttled:
            self.throttled.add(listing)
            return self.error(429, 36009002, "Too many requests. Please try again later.")
        if m.group(2) == "shop_lives":
            items = [self.live(row) for row in LIVES if row[4] == query.get("account_type")
                     and start <= datetime.fromisoformat(row[2]).date() < end]
            key = "live_stream_sessions"
        else:
            wanted = {"LINKED_ACCOUNTS": ("OFFICIAL", "CHANNEL"), "AFFILIATES": ("AFFILIATE",)}.get(
                query.get("account_type"), ("OFFICIAL", "CHANNEL", "AFFILIATE"))
            items = [self.video(row) for row in VIDEOS if row[3] in wanted]
            key = "videos"
        offset = int(query.get("page_token") or 0)
        n = min(size, self.page_size)
        more = offset + n < len(items)
        return 200, self.ok({key: items[offset:offset + n], "next_page_token": str(offset + n) if more else "",
                             "total_count": len(items), "latest_available_date": "2025-03-10"})

    def ok(self, data):
        return {"code": 0, "message": "Success", "request_id": f"2025031209301501024502{len(self.calls):06d}",
                "data": data}

    @staticmethod
    def live(row):
        live_id, host, start, end, _ = row
        as_int = live_id.endswith("2")  # some servers send integers
        s, e = epoch(start), epoch(end)
        return {"id": live_id, "title": f"LIVE {live_id[-1]}", "username": host,
                "start_time": s if as_int else str(s), "end_time": e if as_int else str(e),
                "sales_performance": {"gmv": {"amount": "1250000", "currency": "IDR"}, "unit_sold": 12,
                                      "customers": 9, "sku_orders": 10},
                "interaction_performance": {"views": 4100, "viewers": 2900, "pcu": 140, "acu": 60}}

    @staticmethod
    def video(row):
        vid, host, posted, author = row
        return {"id": vid, "title": f"Gamis premium #gamis {vid[-1]}", "username": host, "video_post_time": posted,
                "duration": 15, "hash_tags": ["gamis"], "products": [{"id": "1729000000000000001", "name": "Gamis"}],
                "creator": {"open_id": f"open-{host}", "user_name": host, "nick_name": host, "author_type": author},
                "gmv": {"amount": "0", "currency": "IDR"}, "views": 100, "units_sold": 0, "sku_orders": 0}


def run_pull(api, out, *extra, env=CREDENTIALS):
    args = ["pull", str(out), "--base-url", api.url, "--start-date", "2025-03-04", "--end-date", "2025-03-10",
            "--retry-delay", "0", *extra]
    return CliRunner().invoke(main, args, env=env, catch_exceptions=False)


def pages(out, kind, account_type):
    folder = out / "api" / SHOP_ID / kind / account_type
    return [json.loads(p.read_text()) for p in sorted(folder.glob("p*.json"), key=lambda p: int(p.stem[1:]))]


def test_pull_writes_a_signed_paged_export_that_check_reads(tmp_path):
    out = tmp_path / "pulled"
    with FakeShopApi() as api:
        result = run_pull(api, out)
    assert result.exit_code == 0, result.output
    # every request carried a good signature; the only refusals are the one 429 per listing
    assert {code for code, _ in api.refused} == {36009002}
    assert len(api.refused) == 3  # OFFICIAL and MARKETING LIVEs, linked videos: once each, then retried
    lives_official = [q for p, q in api.calls if p.endswith("shop_lives/performance")
                      and q["account_type"] == "OFFICIAL_ACCOUNTS"]
    assert [q.get("page_token") for q in lives_official] == [None, None, "1"]  # throttled, retried, page 2
    assert all(q["start_date_ge"] == "2025-03-04" and q["end_date_lt"] == "2025-03-11" for q in lives_official)
    # the folder: stores.csv from the shop, each page wrapped with its request
    assert (out / "stores.csv").read_text().splitlines() == ["store_id,region,store_name,timezone",
                                                             f"{SHOP_ID},ID,Toko Tujuh,Asia/Jakarta"]
    official = pages(out, "shop_lives", "OFFICIAL_ACCOUNTS")
    assert [[s["id"] for s in p["response"]["data"]["live_stream_sessions"]] for p in official] == [
        ["7450000000000000001"], ["7450000000000000003"]]
    assert official[0]["request"]["query"]["account_type"] == "OFFICIAL_ACCOUNTS"
    assert official[0]["shop"] == {"id": SHOP_ID, "name": "Toko Tujuh", "region": "ID", "timezone": "Asia/Jakarta"}
    assert len(pages(out, "shop_lives", "MARKETING_ACCOUNTS")) == 1
    assert len(pages(out, "shop_videos", "LINKED_ACCOUNTS")) == 2
    # no secret in the files
    text = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    assert SECRET not in text and TOKEN not in text and '"sign"' not in text
    assert json.loads((out / "pull.json").read_text())["tool"] == "shoplint"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left

    # check reads the pulled folder through the page readers
    make_export(out, {"bindings": [
        {"event_id": "B1", "store_id": SHOP_ID, "account_id": OFFICIAL, "account_type": "official", "action": "bind",
         "at": "2025-01-01T00:00:00+07:00"},
        {"event_id": "B2", "store_id": SHOP_ID, "account_id": MARKETING, "account_type": "marketing",
         "action": "bind", "at": "2025-01-01T00:00:00+07:00"}]})
    report = lint(out, as_of="2025-04-01T00:00:00+07:00")
    assert report["rows_read"]["live_sessions"] == 3 and report["rows_read"]["videos"] == 2
    [found] = findings(report, "LIVE001")
    assert found["subjects"] == ["7450000000000000001", "7450000000000000002"]
    assert found["store_id"] == SHOP_ID and found["evidence"]["overlap_s"] == 5400
    assert not [e for e in report["input_errors"] if e["level"] not in ("warning",)], report["input_errors"]


def test_pulled_roles_alone_give_live001_with_their_source(tmp_path):
    out = tmp_path / "pulled"
    with FakeShopApi() as api:
        assert run_pull(api, out).exit_code == 0
    [found] = findings(lint(out, as_of="2025-04-01T00:00:00+07:00"), "LIVE001")
    assert found["subjects"] == ["7450000000000000001", "7450000000000000002"]
    assert "account_type=OFFICIAL_ACCOUNTS" in json.dumps(found["evidence"])


def test_a_wrong_secret_is_one_clear_line_exit_2_and_no_folder(tmp_path):
    out = tmp_path / "pulled"
    with FakeShopApi(secret="not-the-app-secret") as api:
        result = run_pull(api, out)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "106001" in lines[0] and "SHOPLINT_TTS_APP_SECRET" in lines[0] and "nothing written" in lines[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert len(api.calls) == 1  # a refused signature is not tried again


def test_an_api_error_midway_leaves_nothing(tmp_path):
    out = tmp_path / "pulled"
    with FakeShopApi(scope_error=True) as api:
        result = run_pull(api, out)
    assert result.exit_code == 2 and "105005" in result.output and "data.shop_analytics.public.read" in result.output
    assert list(tmp_path.iterdir()) == []


def test_transient_failures_are_retried_a_bounded_number_of_times(tmp_path):
    out = tmp_path / "pulled"
    with FakeShopApi(always_503=True) as api:
        result = run_pull(api, out, "--retries", "2")
    assert result.exit_code == 2 and "gave up after 3 tries" in result.output
    assert len([p for p, _ in api.calls if "analytics" in p]) == 3
    assert list(tmp_path.iterdir()) == []


def test_missing_credentials_exit_2(tmp_path):
    with FakeShopApi() as api:
        result = run_pull(api, tmp_path / "o", env={**CREDENTIALS, "SHOPLINT_TTS_ACCESS_TOKEN": ""})
    assert result.exit_code == 2 and "SHOPLINT_TTS_ACCESS_TOKEN" in result.output and api.calls == []


def test_an_existing_folder_is_kept_unless_replace_and_then_only_on_success(tmp_path):
    out = tmp_path / "pulled"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with FakeShopApi() as api:
        assert run_pull(api, out).exit_code == 2
    assert (out / "old.txt").exists()
    with FakeShopApi(secret="wrong") as api:
        assert run_pull(api, out, "--replace").exit_code == 2
    assert (out / "old.txt").exists()
    with FakeShopApi() as api:
        assert run_pull(api, out, "--replace").exit_code == 0
    assert not (out / "old.txt").exists() and (out / "stores.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pulled"]


def test_the_window_respects_the_data_lag():
    w = window(date(2025, 3, 12), None, None, 7)
    assert (w.start, w.end, w.notes) == (date(2025, 3, 4), date(2025, 3, 10), [])
    w = window(date(2025, 3, 12), date(2025, 3, 1), date(2025, 3, 12))
    assert (w.start, w.end) == (date(2025, 3, 1), date(2025, 3, 10)) and "2025-03-10" in w.notes[0]
    w = window(date(2025, 3, 12), date(2025, 3, 9), None, 7)
    assert (w.start, w.end) == (date(2025, 3, 9), date(2025, 3, 10))
    with pytest.raises(PullError, match="no day to ask for"):
        window(date(2025, 3, 12), date(2025, 3, 11), None)


def test_the_window_is_the_shops_day(tmp_path):
    """Today is taken in the shop's zone: at 23:30 UTC it is already tomorrow in Jakarta."""
    from lint.pull.run import pull
    utc_evening = datetime(2025, 3, 11, 23, 30, tzinfo=timezone.utc)
    with FakeShopApi(throttle_first=False) as api:
        client = Client(KEY, SECRET, TOKEN, api.url, retry_delay_s=0)
        pull(client, tmp_path / "o", today=lambda zone: utc_evening.astimezone(ZoneInfo(zone)).date())
    asked = {(q["start_date_ge"], q["end_date_lt"]) for p, q in api.calls if "analytics" in p}
    assert asked == {("2025-03-04", "2025-03-11")}  # Jakarta's today is 03-12: the last complete day 03-10


def test_sign_follows_the_documented_steps():
    query = {"app_key": "29a39d", "timestamp": "1623812664", "shop_cipher": "ROW_x", "page_size": "10",
             "access_token": "never-signed", "sign": "old"}
    expected = hmac.new(b"secret", b"secret/analytics/202508/shop_lives/performanceapp_key29a39dpage_size10"
                                   b"shop_cipherROW_xtimestamp1623812664secret", hashlib.sha256).hexdigest()
    assert sign("/analytics/202508/shop_lives/performance", query, "secret") == expected


def test_back_off_doubles_with_an_injected_sleep():
    slept = []
    with FakeShopApi(always_503=True) as api:
        client = Client(KEY, SECRET, TOKEN, api.url, tries=4, retry_delay_s=0.5, sleep=slept.append)
        with pytest.raises(PullError, match="gave up after 4 tries"):
            client.get("/analytics/202508/shop_lives/performance",
                       {"shop_cipher": CIPHER, "start_date_ge": "2025-03-04", "end_date_lt": "2025-03-11"})
    assert slept == [0.5, 1.0, 2.0]


def test_retry_after_is_followed_up_to_a_bound():
    for asked, expected in (("3", 3.0), ("3600", 60.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.25)):
        slept = []
        with FakeShopApi(retry_after=asked) as api:
            client = Client(KEY, SECRET, TOKEN, api.url, retry_delay_s=0.25, sleep=slept.append)
            client.get("/analytics/202508/shop_lives/performance",
                       {"shop_cipher": CIPHER, "start_date_ge": "2025-03-04", "end_date_lt": "2025-03-11",
                        "account_type": "OFFICIAL_ACCOUNTS"})
        assert slept == [expected], asked


def test_a_redirect_is_not_followed_so_the_token_stays_with_the_api(tmp_path):
    seen = []

    class Elsewhere(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append(self.headers.get("x-tts-access-token"))
            self.send_response(200)
            self.end_headers()

    other = ThreadingHTTPServer(("127.0.0.1", 0), Elsewhere)
    threading.Thread(target=other.serve_forever, daemon=True).start()

    class Redirecting(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{other.server_address[1]}{self.path}")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        fake = type("Api", (), {"url": f"http://127.0.0.1:{server.server_address[1]}"})()
        result = run_pull(fake, tmp_path / "pulled")
    finally:
        server.shutdown(), other.shutdown()
        server.server_close(), other.server_close()
    assert result.exit_code == 2 and "redirect" in result.output and "not followed" in result.output
    assert seen == [] and not (tmp_path / "pulled").exists()
