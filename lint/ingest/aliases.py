"""Other spellings of the canonical column names, for every table, in one place.

A file's column matches a canonical column when the two names are equal after `squash`:
case, spaces, underscores and hyphens do not count, so `Account ID`, `account-id` and
`ACCOUNT_ID` are all `account_id` without being listed. The table below holds the spellings
that differ by more than that (`tiktok_user_id`, `Created Time`, `cover_image_url`...).

The canonical name always comes first; then the aliases in the order listed. docs/inputs.md
prints this table; tests/test_aliases.py checks that no spelling is claimed by two columns
of one table.
"""
from __future__ import annotations

import re

# "table.column" -> other spellings (any case; spaces, "_" and "-" are ignored when matching)
ALIASES: dict[str, tuple[str, ...]] = {
    "stores.store_id": ("shop_id", "shop_code", "seller_id"),
    "stores.region": ("store_region", "shop_region", "country", "country_code", "market"),
    "stores.store_name": ("shop_name", "name"),
    "stores.timezone": ("tz", "time zone"),
    "stores.manager_email": ("email", "manager_emails", "contact_email"),
    "stores.language": ("lang", "locale", "bahasa"),

    "accounts.account_id": ("tiktok_user_id", "tiktok_account_id", "user_id", "open_id", "creator_id", "uid"),
    "accounts.handle": ("username", "user_name", "unique_id", "tiktok_handle"),
    "accounts.region": ("account_region", "country", "country_code", "region_code"),

    # both forms of the bindings table (events and intervals)
    "bindings.store_id": ("shop_id",),
    "bindings.account_id": ("tiktok_user_id", "tiktok_account_id", "user_id", "open_id"),
    "bindings.account_type": ("type", "role", "account_role", "binding_type"),
    "bindings.action": ("event", "event_type", "operation"),
    "bindings.at": ("timestamp", "time", "event_time", "created_at", "created_time", "create_time", "occurred_at"),
    "bindings.bound_at": ("bind_at", "bind_time", "linked_at", "bound_time"),
    "bindings.unbound_at": ("unbind_at", "unbind_time", "unlinked_at", "unbound_time"),

    "videos.video_id": ("id", "item_id", "aweme_id"),
    "videos.account_id": ("tiktok_user_id", "tiktok_account_id", "user_id", "open_id", "author_id"),
    "videos.posted_at": ("create_time", "created_time", "created_at", "post_time", "posted_time",
                         "publish_time", "published_at"),
    "videos.caption": ("video_description", "description", "desc", "title", "text"),
    "videos.duration_s": ("duration", "duration_sec", "duration_seconds"),
    "videos.thumbnail": ("cover", "cover_image", "cover_image_url", "cover_url", "thumbnail_url"),
    "videos.music_id": ("sound_id", "music"),
    "videos.hashtags": ("hashtag_names", "tags"),
    "videos.product_ids": ("products", "product_id"),
    "videos.share_url": ("link", "video_link", "share_link", "video_url"),

    "live_sessions.live_id": ("room_id", "session_id"),
    "live_sessions.account_id": ("tiktok_user_id", "tiktok_account_id", "user_id", "open_id"),
    "live_sessions.started_at": ("start_time", "start", "live_start_time"),
    "live_sessions.ended_at": ("end_time", "end", "live_end_time"),
    "live_sessions.title": ("room_title", "live_title"),
    "live_sessions.stream_source": ("stream_key", "encoder", "device"),

    "products.store_id": ("shop_id",),
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def squash(name) -> str:
    """The form names are compared in: lower case, without spaces, underscores or hyphens."""
    return _SEPARATORS.sub("", str(name).strip().lower())


def spellings(table: str, column: str) -> tuple[str, ...]:
    """The canonical name, then its aliases."""
    return (column, *ALIASES.get(f"{table}.{column}", ()))


def match_columns(table: str, columns: list[str], file_columns: list[str]) -> dict[str, str]:
    """Canonical columns of `table` -> the file's column that holds each (those found).

    `file_columns` are the file's (normalised) names in file order. When several of them
    squash to the same spelling, the one written exactly as the spelling wins, else the
    first. A file column serves one canonical column at most (the earlier one in `columns`).
    """
    by_squashed: dict[str, list[str]] = {}
    for name in file_columns:
        by_squashed.setdefault(squash(name), []).append(name)
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for column in columns:
        for spelling in spellings(table, column):
            found = [n for n in by_squashed.get(squash(spelling), []) if n not in taken]
            if found:
                exact = [n for n in found if n == spelling]
                mapping[column] = (exact or found)[0]
                taken.add(mapping[column])
                break
    return mapping
