"""Saved responses of the TikTok Shop Partner API (docs/inputs.md, "TikTok Shop Partner API
pages"), recognised by their content whatever the file's name:

- `GET /analytics/{version}/shop_lives/performance`: `data.live_stream_sessions[]` ->
  live_sessions (https://partner.tiktokshop.com/docv2/page/get-shop-liveperformance-list-202508);
- `GET /analytics/{version}/shop_videos/performance`: `data.videos[]` -> videos
  (https://partner.tiktokshop.com/docv2/page/get-shop-video-performance-list-202409);
- `GET /authorization/{version}/shops`: `data.shops[]` -> stores.

A page is the API's response as it came (`{"code": 0, "message": ..., "request_id": ...,
"data": {...}}`), or that response inside the small wrapper `shoplint pull` writes:
`{"request": {"path": ..., "query": {...}}, "shop": {"id", "name", "region"}, "response": {...}}`.
The request's `account_type` filter says the role of every row of a LIVE page
(OFFICIAL_ACCOUNTS -> official, MARKETING_ACCOUNTS -> marketing): from the wrapper's query,
else from a folder or file name holding the filter's value (`official_accounts/p1.json`,
`shop_lives_MARKETING_ACCOUNTS_p2.json`). A video's own `creator.author_type` says its role
(OFFICIAL -> official, CHANNEL -> marketing; AFFILIATE: not one of the shop's accounts, no role).
Unknown fields are ignored, so any version of the listings reads.
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa

from lint.core.problems import Problems
from lint.ingest.reader import RawTable, UnreadableFile, _scalar_text, json_objects, read_json_document
from lint.ingest.shapes import Page, Shaped, shape

SHAPE = "TikTok Shop Partner API page"

# the request's account_type filter -> role of the listing's rows (LINKED_ACCOUNTS mixes both:
# no role; AFFILIATE_ACCOUNTS / AFFILIATES are not the shop's own accounts: no role)
FILTER_ROLE = {"OFFICIAL_ACCOUNTS": "official", "MARKETING_ACCOUNTS": "marketing"}
# a video's creator.author_type -> role (CHANNEL: TikTok Shop's "channel account", the
# Marketing account; MARKETING is accepted too); AFFILIATE and others: no role
AUTHOR_ROLE = {"OFFICIAL": "official", "CHANNEL": "marketing", "MARKETING": "marketing"}
# a filter value written in a folder or file name: official_accounts/, shop_lives_MARKETING_ACCOUNTS_p2
_FILTER_IN_NAME = re.compile(r"(?<![a-z])(official|marketing|linked|affiliate)[_ -]?accounts(?![a-z])", re.I)

_LIVE_NAMES = {"live_id": "id", "account_id": "username", "started_at": "start_time", "ended_at": "end_time",
               "title": "title", "store_id": "store_id", "account_type": "account_type",
               "role_source": "role_source"}
_VIDEO_NAMES = {"video_id": "id", "account_id": "username", "posted_at": "video_post_time", "caption": "title",
                "duration_s": "duration", "hashtags": "hash_tags", "product_ids": "products",
                "store_id": "store_id", "account_type": "account_type", "role_source": "role_source"}
_STORE_NAMES = {"store_id": "id", "store_name": "name", "region": "region", "timezone": "timezone"}
_LISTS = {"hashtags", "product_ids"}
# "2025-01-01 00:00:00": video_post_time, shop-local, no offset
_LOCAL_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")


def _starts_with_object(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _is_response(doc) -> bool:
    """The Partner API's envelope: code, and message/request_id or one of our listings."""
    if not isinstance(doc, dict) or "code" not in doc or isinstance(doc.get("data"), list):
        return False
    data = doc.get("data")
    return ("message" in doc and "request_id" in doc) or (
        isinstance(data, dict) and any(k in data for k in ("live_stream_sessions", "videos", "shops")))


def _envelope(doc):
    """-> (response, request, shop) of a bare or wrapped page, or None."""
    if not isinstance(doc, dict):
        return None
    response = doc.get("response")
    if _is_response(response) and (isinstance(doc.get("request"), dict) or isinstance(doc.get("shop"), dict)):
        request = doc.get("request") if isinstance(doc.get("request"), dict) else None
        return response, request, doc.get("shop") if isinstance(doc.get("shop"), dict) else None
    if _is_response(doc) and "response" not in doc:
        return doc, None, None
    return None


def _kind(data: dict, request: dict | None) -> str | None:
    for key, kind in (("live_stream_sessions", "shop_lives"), ("videos", "shop_videos"), ("shops", "shops")):
        if key in data:
            return kind
    path = str((request or {}).get("path") or "")
    for kind in ("shop_lives", "shop_videos", "shops"):
        if f"/{kind}" in path:
            return kind
    return None


def _text(v) -> str | None:
    return _scalar_text(v) if not isinstance(v, (dict, list)) else None


def _account(v) -> str | None:
    name = _text(v)
    return name.lstrip("@").strip() or None if name else None


def _posted_at(v, zone: ZoneInfo | None):
    """video_post_time as the file has it, 'YYYY-MM-DD HH:MM:SS' as ISO 8601: with the shop's
    offset when its zone is known (the wrapper's shop.timezone), else naive (--timezone)."""
    text = _scalar_text(v) if not isinstance(v, (dict, list)) else v
    if isinstance(text, str):
        m = _LOCAL_TIME.match(text)
        if m:
            naive = f"{m.group(1)}T{m.group(2)}"
            if zone is not None:
                try:
                    return datetime.fromisoformat(naive).replace(tzinfo=zone).isoformat()
                except ValueError:
                    pass  # not a real day or time: validation says so
            return naive
    return text


def _zone_of(shop: dict | None) -> ZoneInfo | None:
    name = _text((shop or {}).get("timezone"))
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _filter_from_request(request: dict | None) -> str | None:
    query = (request or {}).get("query")
    if not isinstance(query, dict):
        return None
    value = _text(query.get("account_type"))
    return value.upper() if value else None


def _filters_in_name(display: str) -> set[str]:
    stem = display.rsplit(".", 1)[0]
    return {m.group(1).upper() + "_ACCOUNTS" for m in _FILTER_IN_NAME.finditer(stem)}


def _store_of(request: dict | None, shop: dict | None) -> str | None:
    if shop is not None and _text(shop.get("id")):
        return _text(shop.get("id"))
    query = (request or {}).get("query")
    if isinstance(query, dict):
        for key in ("shop_id", "shop_cipher"):
            if _text(query.get(key)):
                return _text(query.get(key))
    return None


def _raw(records: list[dict], rows: list[int], names: dict[str, str], skipped: int) -> RawTable:
    columns = {}
    for column in names:
        if column in _LISTS:
            values = [r.get(column) for r in records]
            columns[column] = pa.array([None if v is None else [x for x in (_text(i) for i in v) if x is not None]
                                        for v in values], type=pa.list_(pa.string()))
        else:
            columns[column] = pa.array([_scalar_text(r.get(column)) for r in records], type=pa.string())
    return RawTable(columns, np.asarray(rows, dtype=np.int64), dict(names), list_native=True, skipped=skipped)


@shape(SHAPE, extensions=(".json",))
def partner_api_page(path: Path, display: str, problems: Problems) -> list[Shaped] | None:
    """A saved Partner API page -> its live_sessions or videos rows (with the roles its
    request or name gives) and its shop's stores row; None when the file is not one."""
    if not _starts_with_object(path):
        return None
    try:
        doc = read_json_document(path, display, problems)
    except UnreadableFile:
        return None  # not JSON: the table reader says why, as for any file
    found = _envelope(doc)
    if found is None:
        return None
    response, request, shop = found
    code = response.get("code")
    data = response.get("data") if isinstance(response.get("data"), dict) else {}
    kind = _kind(data, request)
    if str(code).strip() not in ("0", "0.0"):
        message = _text(response.get("message")) or ""
        request_id = _text(response.get("request_id")) or ""
        what = f"{kind} " if kind else ""
        raise UnreadableFile(f"is a TikTok Shop Partner API {what}response that reports an error (code {code}"
                             + (f": {message}" if message else "")
                             + (f"; request_id {request_id}" if request_id else "")
                             + "): it holds no rows; fetch this page again")
    if kind is None:
        return None  # a response of another endpoint (orders, products...): not a table of ours
    notes: list[str] = []
    out: list[Shaped] = []
    if kind == "shops":
        shops = data.get("shops") or []
        if not isinstance(shops, list):
            raise UnreadableFile(f"is a {SHAPE} whose data.shops is not a list")
        objects, rows, skipped = json_objects(shops, display, problems, "shop")
        out.append(Shaped("stores", _raw([{c: o.get(n) for c, n in _STORE_NAMES.items()} for o in objects], rows,
                                         {c: f"shops[].{n}" for c, n in _STORE_NAMES.items()}, skipped),
                          f"{SHAPE} (authorized shops)"))
        return out
    key = "live_stream_sessions" if kind == "shop_lives" else "videos"
    items = data.get(key)
    if items is None:
        items = []
    if not isinstance(items, list):
        raise UnreadableFile(f"is a {SHAPE} whose data.{key} is not a list")
    objects, rows, skipped = json_objects(items, display, problems, "LIVE session" if kind == "shop_lives" else "video")

    # the listing's role, from the request saved with it, else from a folder or file name
    asked = _filter_from_request(request)
    named = _filters_in_name(display)
    if asked is not None:
        account_filter, said = asked, "the request saved with it"
        if named and named != {asked}:
            notes.append(f"its folder or file name says {', '.join(sorted(named))} but the request saved with it "
                         f"says account_type={asked}: the request is used")
    elif len(named) == 1:
        account_filter, said = next(iter(named)), "its folder or file name"
    else:
        account_filter, said = None, None
        if len(named) > 1:
            notes.append(f"its folder or file name holds several account types ({', '.join(sorted(named))}): "
                         "no role is taken from it")
    role = FILTER_ROLE.get(account_filter or "")
    listing_source = (f"{kind} page {display}, account_type={account_filter}"
                      + ("" if said == "the request saved with it" else f" (from {said})")) if role else None
    store = _store_of(request, shop)
    zone = _zone_of(shop)

    records = []
    for o in objects:
        if kind == "shop_lives":
            records.append({"live_id": o.get("id"), "account_id": _account(o.get("username")),
                            "started_at": o.get("start_time"), "ended_at": o.get("end_time"), "title": o.get("title"),
                            "store_id": store, "account_type": role, "role_source": listing_source})
            continue
        creator = o.get("creator") if isinstance(o.get("creator"), dict) else {}
        author = (_text(creator.get("author_type")) or "").upper()
        if author:
            row_role = AUTHOR_ROLE.get(author)
            row_source = f"{kind} page {display}, creator.author_type={author}" if row_role else None
        else:
            row_role, row_source = role, listing_source
        products = o.get("products")
        product_ids = ([p.get("id") if isinstance(p, dict) else p for p in products]
                       if isinstance(products, list) else None)
        hashtags = o.get("hash_tags")
        if hashtags is not None and not isinstance(hashtags, list):
            hashtags = [hashtags]
        records.append({"video_id": o.get("id"),
                        "account_id": _account(o.get("username")) or _account(creator.get("user_name")),
                        "posted_at": _posted_at(o.get("video_post_time"), zone), "caption": o.get("title"),
                        "duration_s": o.get("duration"), "hashtags": hashtags, "product_ids": product_ids,
                        "store_id": store, "account_type": row_role, "role_source": row_source})
    names = _LIVE_NAMES if kind == "shop_lives" else _VIDEO_NAMES
    table = "live_sessions" if kind == "shop_lives" else "videos"
    query = (request or {}).get("query") if isinstance((request or {}).get("query"), dict) else {}
    window = (_text(query.get("start_date_ge")), _text(query.get("end_date_lt")))
    folder = display.rsplit("/", 1)[0] if "/" in display and request is None else ""
    label = f"the {kind} listing" + (f" (account_type={account_filter})" if account_filter else "")
    token = None if request is None else (_text(query.get("page_token")) or "")
    page = Page((kind, store, account_filter, window, folder), label, token, _text(data.get("next_page_token")))
    out.append(Shaped(table, _raw(records, rows, names, skipped), SHAPE + f" ({kind})", notes, page))
    if shop is not None:
        shop_row = {"store_id": shop.get("id"), "store_name": shop.get("name"), "region": shop.get("region"),
                    "timezone": shop.get("timezone")}
        if _text(shop_row["store_id"]):
            out.append(Shaped("stores", _raw([shop_row], [1], {c: f"shop.{n}" for c, n in _STORE_NAMES.items()}, 0),
                              SHAPE + " (its shop)"))
    return out
