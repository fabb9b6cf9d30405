"""Column names: the canonical name in any case/spacing, and the other spellings of the one
alias table (lint/ingest/aliases.py)."""
import pytest

from lint.ingest.aliases import ALIASES, match_columns, squash
from lint.ingest.schema import BINDING_EVENTS, BINDING_INTERVALS, LIVE_SESSIONS, SCHEMAS

from conftest import bind, findings, lint, make_export, write_table

ALL_SCHEMAS = [*SCHEMAS.values(), BINDING_EVENTS, BINDING_INTERVALS]


def test_every_alias_names_a_real_column():
    known = {f"{s.name}.{c.name}" for s in ALL_SCHEMAS for c in s.columns}
    assert set(ALIASES) <= known, set(ALIASES) - known


@pytest.mark.parametrize("schema", ALL_SCHEMAS, ids=lambda s: s.name + "/" + s.columns[0].name)
def test_no_spelling_belongs_to_two_columns_of_a_table(schema):
    owner = {}
    for column in schema.columns:
        for spelling in (column.name, *ALIASES.get(f"{schema.name}.{column.name}", ())):
            key = squash(spelling)
            assert owner.setdefault(key, column.name) == column.name, (spelling, owner[key], column.name)


@pytest.mark.parametrize("table, written, canonical", [
    # spellings the alias table has always accepted
    ("stores", "shop_id", "store_id"), ("stores", "store id", "store_id"), ("stores", "country", "region"),
    ("stores", "shop_name", "store_name"), ("stores", "tz", "timezone"), ("stores", "time_zone", "timezone"),
    ("stores", "email", "manager_email"), ("accounts", "tiktok_user_id", "account_id"),
    ("accounts", "open_id", "account_id"), ("accounts", "account id", "account_id"),
    ("accounts", "unique_id", "handle"), ("accounts", "account_region", "region"),
    ("videos", "item_id", "video_id"), ("videos", "create_time", "posted_at"),
    ("videos", "created_at", "posted_at"), ("videos", "video_description", "caption"),
    ("videos", "duration", "duration_s"), ("videos", "cover_image", "thumbnail"),
    ("live_sessions", "room_id", "live_id"), ("live_sessions", "start_time", "started_at"),
    ("live_sessions", "end", "ended_at"), ("live_sessions", "stream_key", "stream_source"),
    # spellings seen in exports and spreadsheets
    ("accounts", "Account ID", "account_id"), ("accounts", "ACCOUNT-ID", "account_id"),
    ("videos", "tiktok_user_id", "account_id"), ("videos", "Created Time", "posted_at"),
    ("videos", "Video ID", "video_id"), ("videos", "Cover Image URL", "thumbnail"),
    ("videos", "Share URL", "share_url"), ("live_sessions", "Live Start Time", "started_at"),
])
def test_spellings_map_to_the_canonical_column(table, written, canonical):
    schema = SCHEMAS[table]
    mapping = match_columns(table, [c.name for c in schema.columns], [written.strip().lower()])
    assert mapping == {canonical: written.strip().lower()}


def test_the_canonical_name_wins_over_an_alias_and_a_file_column_serves_one_column():
    columns = [c.name for c in LIVE_SESSIONS.columns]
    mapping = match_columns("live_sessions", columns, ["start", "started at", "end_time", "title"])
    assert mapping["started_at"] == "started at"
    assert mapping["ended_at"] == "end_time" and mapping["title"] == "title"
    # when two file columns squash alike, the one spelt exactly as the canonical name is used
    mapping = match_columns("live_sessions", columns, ["live id", "live_id"])
    assert mapping["live_id"] == "live_id"


def test_an_export_written_with_other_spellings_gives_the_same_findings(export_dir, tmp_path):
    rows = [bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
            bind("E2", "S1", "A1", "official", "unbind", "2025-03-02T10:00:00+07:00")]
    make_export(export_dir, {"bindings": rows})
    spelled = {"event_id": "Event ID", "store_id": "Shop ID", "account_id": "TikTok User ID",
               "account_type": "Account Type", "action": "Event Type", "at": "Created Time"}
    write_table(tmp_path / "other", "bindings", [{spelled[k]: v for k, v in r.items()} for r in rows])
    expected = [f["subjects"] for f in findings(lint(export_dir), "BIND004")]
    assert expected == [["E2"]]
    assert [f["subjects"] for f in findings(lint(tmp_path / "other"), "BIND004")] == expected
