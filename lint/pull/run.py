"""Fetch a shop's LIVE and video listings from the TikTok Shop Partner API into an export
folder that `shoplint check` reads (docs/pull.md):

    OUT/stores.csv                                          the authorized shops
    OUT/api/SHOP/shop_lives/OFFICIAL_ACCOUNTS/p1.json ...   each page, wrapped with its request
    OUT/api/SHOP/shop_lives/MARKETING_ACCOUNTS/p1.json ...
    OUT/api/SHOP/shop_videos/LINKED_ACCOUNTS/p1.json ...
    OUT/pull.json                                           what was asked, when, what came back

The folder is written beside OUT under a temporary name and renamed into place at the end:
OUT is either the whole pull or not there (an error leaves nothing)."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lint.pull.client import Client, PullError

SHOPS_PATH = "/authorization/202309/shops"
LIVES_VERSION, VIDEOS_VERSION = "202508", "202409"
# the documented account_type filters: LIVEs by role; videos (202409) only ALL, LINKED_ACCOUNTS
# (official and marketing together) or AFFILIATES, their role is each video's creator.author_type
LIVE_ACCOUNT_TYPES = ("OFFICIAL_ACCOUNTS", "MARKETING_ACCOUNTS")
VIDEO_ACCOUNT_TYPES = ("LINKED_ACCOUNTS",)
PAGE_SIZE = 100  # the documented maximum
MAX_PAGES = 1000  # of one listing: a server whose cursor never ends is not followed for ever
DATA_LAG_DAYS = 2  # analytics are complete up to the day before yesterday in the shop's zone
DEFAULT_DAYS = 7
# The zone a shop's dates are in ("shop registered timezone"), by region; guessed from each
# market's main zone (docs/pull.md); --timezone overrides it.
REGION_ZONES = {"ID": "Asia/Jakarta", "MY": "Asia/Kuala_Lumpur", "TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh",
                "PH": "Asia/Manila", "SG": "Asia/Singapore", "GB": "Europe/London", "IE": "Europe/Dublin",
                "DE": "Europe/Berlin", "FR": "Europe/Paris", "IT": "Europe/Rome", "ES": "Europe/Madrid",
                "US": "America/Los_Angeles", "MX": "America/Mexico_City", "BR": "America/Sao_Paulo",
                "JP": "Asia/Tokyo"}


@dataclass
class Window:
    """Days asked for, in the shop's zone: [start, end] inclusive (end_date_lt = end + 1)."""
    start: date
    end: date
    notes: list[str] = field(default_factory=list)


def window(today: date, start: date | None, end: date | None, days: int = DEFAULT_DAYS) -> Window:
    """The days to ask for: by default the `days` days ending at today - DATA_LAG_DAYS; an
    end later than that is brought back to it (the API has no complete data after it)."""
    ready = today - timedelta(days=DATA_LAG_DAYS)
    notes = []
    if end is None:
        end = ready if start is None else min(ready, start + timedelta(days=days - 1))
    elif end > ready:
        notes.append(f"--end-date {end} is after {ready}, the last day with complete data ({DATA_LAG_DAYS} days "
                     f"before today in the shop's zone): asked up to {ready}")
        end = ready
    if start is None:
        start = end - timedelta(days=days - 1)
    if start > end:
        raise PullError(f"no day to ask for: the window starts {start} and ends {end} "
                        f"(the last day with complete data is {ready})")
    return Window(start, end, notes)


@dataclass
class PullResult:
    folder: Path
    shops: list[dict]
    pages: int = 0
    rows: dict[str, int] = field(default_factory=lambda: {"shop_lives": 0, "shop_videos": 0})
    notes: list[str] = field(default_factory=list)


def _today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name).strip(".") or "shop"


def _text(v) -> str:
    return "" if v is None or isinstance(v, (dict, list)) else str(v).strip()


def pull(client: Client, out: Path, *, start: date | None = None, end: date | None = None,
         days: int = DEFAULT_DAYS, shop_ids: tuple[str, ...] = (), zone: str | None = None, replace: bool = False,
         today: Callable[[str], date] = _today_in) -> PullResult:
    """Fetch and write the export folder `out` (module docstring); PullError on failure,
    with nothing written."""
    out = Path(out)
    if out.exists() and not replace:
        raise PullError(f"{out} exists already: give another folder, or --replace to replace it")
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise PullError(f"--timezone {zone!r}: not an IANA time zone") from None
    shops = _shops(client, shop_ids)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.pull-", dir=out.parent))
    try:
        result = PullResult(out, [])
        manifest = {"tool": "shoplint", "pull": {"base_url": client.base_url,
                                                  "fetched_at": datetime.now(timezone.utc).isoformat(
                                                      timespec="seconds"),
                                                  "shops": []}}
        for shop in shops:
            shop_zone = zone or REGION_ZONES.get(shop["region"].upper())
            if shop_zone is None:
                shop_zone = "UTC"
                result.notes.append(f"shop {shop['id']}: region {shop['region']!r} has no known zone: its days are "
                                    "taken in UTC (give --timezone)")
            w = window(today(shop_zone), start, end, days)
            result.notes += [f"shop {shop['id']}: {n}" for n in w.notes]
            shop["timezone"] = shop_zone
            listings = [("shop_lives", LIVES_VERSION, t) for t in LIVE_ACCOUNT_TYPES] + \
                       [("shop_videos", VIDEOS_VERSION, t) for t in VIDEO_ACCOUNT_TYPES]
            fetched = []
            for kind, version, account_type in listings:
                fetched.append(_listing(client, tmp, shop, kind, version, account_type, w, result))
            ready = sorted({f["latest_available_date"] for f in fetched if f["latest_available_date"]})
            if ready and ready[0] < w.end.isoformat():
                result.notes.append(f"shop {shop['id']}: the API has data up to {ready[0]} "
                                    f"(latest_available_date); the days after it are not in the export")
            manifest["pull"]["shops"].append({"id": shop["id"], "name": shop["name"], "region": shop["region"],
                                              "timezone": shop_zone, "start_date_ge": w.start.isoformat(),
                                              "end_date_lt": (w.end + timedelta(days=1)).isoformat(),
                                              "listings": fetched})
            result.shops.append(shop)
        _write_stores(tmp / "stores.csv", result.shops)
        (tmp / "pull.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        _move_into_place(tmp, out, replace)
        return result
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _shops(client: Client, wanted: tuple[str, ...]) -> list[dict]:
    doc = client.get(SHOPS_PATH, {})
    items = (doc.get("data") or {}).get("shops") if isinstance(doc.get("data"), dict) else None
    if not isinstance(items, list):
        raise PullError(f"{SHOPS_PATH}: the response has no data.shops list")
    shops = [{"id": _text(s.get("id")), "name": _text(s.get("name")), "region": _text(s.get("region")),
              "cipher": _text(s.get("cipher"))} for s in items if isinstance(s, dict) and _text(s.get("id"))]
    if wanted:
        chosen = [s for s in shops if s["id"] in wanted]
        unknown = sorted(set(wanted) - {s["id"] for s in chosen})
        if unknown:
            raise PullError(f"--shop {', '.join(unknown)}: not a shop this token is authorized for "
                            f"(authorized: {', '.join(s['id'] for s in shops) or 'none'})")
        shops = chosen
    if not shops:
        raise PullError("the access token is authorized for no shop")
    return shops


def _listing(client: Client, tmp: Path, shop: dict, kind: str, version: str, account_type: str, w: Window,
             result: PullResult) -> dict:
    """Every page of one listing, each written as it came, wrapped with its request."""
    path = f"/analytics/{version}/{kind}/performance"
    key = "live_stream_sessions" if kind == "shop_lives" else "videos"
    folder = tmp / "api" / _safe(shop["id"]) / kind / account_type
    if folder.exists():  # two shop ids written alike (_safe): never one shop's pages over another's
        raise PullError(f"shops {shop['id']!r} and another one share the folder {folder.relative_to(tmp)}; "
                        "pull them one at a time with --shop")
    folder.mkdir(parents=True)
    base = {"start_date_ge": w.start.isoformat(), "end_date_lt": (w.end + timedelta(days=1)).isoformat(),
            "page_size": str(PAGE_SIZE), "account_type": account_type, "shop_cipher": shop["cipher"]}
    token, asked, pages, rows, latest = "", set(), 0, 0, None
    while True:
        query = dict(base, page_token=token) if token else dict(base)
        doc = client.get(path, query)
        pages += 1
        data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
        items = data.get(key)
        rows += len(items) if isinstance(items, list) else 0
        latest = _text(data.get("latest_available_date")) or latest
        wrapped = {"request": {"method": "GET", "path": path, "query": query},
                   "shop": {"id": shop["id"], "name": shop["name"], "region": shop["region"],
                            "timezone": shop["timezone"]},
                   "response": doc}
        (folder / f"p{pages}.json").write_text(json.dumps(wrapped, ensure_ascii=False, indent=1) + "\n",
                                               encoding="utf-8")
        token = _text(data.get("next_page_token"))
        if not token:
            break
        if token in asked or pages >= MAX_PAGES:
            raise PullError(f"{path} ({account_type}): the pages do not end (next_page_token {token!r} again, "
                            f"or more than {MAX_PAGES} pages)")
        asked.add(token)
    result.pages += pages
    result.rows[kind] += rows
    return {"path": path, "account_type": account_type, "pages": pages, "rows": rows,
            "latest_available_date": latest}


def _write_stores(path: Path, shops: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["store_id", "region", "store_name", "timezone"])
    for s in shops:
        writer.writerow([s["id"], s["region"], s["name"], s["timezone"]])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _move_into_place(tmp: Path, out: Path, replace: bool) -> None:
    if not (replace and out.exists()):
        os.rename(tmp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
