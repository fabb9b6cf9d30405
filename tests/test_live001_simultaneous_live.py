"""LIVE001 simultaneous-live: a LIVE of an account Official for store S and a LIVE of an account
Marketing for S that overlap by at least min_overlap_s (60 s). Roles are the bindings in force
at started_at ([bind, unbind)); a session still live lasts until --as-of; one finding per
store; subjects [official live_id, marketing live_id]; window: the overlap; evidence:
overlap_s and the mirroring signals the data has."""
from conftest import bind, findings, lint, make_export, run_cli

AS_OF = "2026-01-01T00:00:00+07:00"

# A1 Official and A2 Marketing of S1 from March on.
ROLES = [
    bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
    bind("E2", "S1", "A2", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
]


def live(live_id, account, started_at, ended_at, **extra):
    return {"live_id": live_id, "account_id": account, "started_at": started_at, "ended_at": ended_at, **extra}


def lives_of(export_dir, sessions, bindings=ROLES, as_of=AS_OF, **kw):
    make_export(export_dir, {"bindings": bindings, "live_sessions": sessions})
    return findings(lint(export_dir, as_of=as_of, **kw), "LIVE001")


def test_overlap_of_more_than_60_s_is_a_finding(export_dir):
    found = lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
        live("L2", "A2", "2025-03-10T19:30:00+07:00", "2025-03-10T22:00:00+07:00"),
    ])
    assert len(found) == 1
    f = found[0]
    assert f["subjects"] == ["L1", "L2"]
    assert f["store_id"] == "S1"
    assert f["accounts"] == ["A1", "A2"]
    assert f["window"] == {"start": "2025-03-10T19:30:00+07:00", "end": "2025-03-10T21:00:00+07:00"}
    assert f["evidence"]["overlap_s"] == 5400
    assert "1 h 30 min" in f["message"]


def test_exactly_60_s_is_a_finding(export_dir):
    found = lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T20:01:00+07:00"),
        live("L2", "A2", "2025-03-10T20:00:00+07:00", "2025-03-10T21:00:00+07:00"),
    ])
    assert [f["subjects"] for f in found] == [["L1", "L2"]]
    assert found[0]["evidence"]["overlap_s"] == 60
    assert found[0]["window"] == {"start": "2025-03-10T20:00:00+07:00", "end": "2025-03-10T20:01:00+07:00"}


def test_59_999_s_is_not_a_finding(export_dir):
    assert lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T20:00:59.999+07:00"),
        live("L2", "A2", "2025-03-10T20:00:00+07:00", "2025-03-10T21:00:00+07:00"),
    ]) == []


def test_touching_sessions_do_not_overlap(export_dir):
    assert lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T20:00:00+07:00"),
        live("L2", "A2", "2025-03-10T20:00:00+07:00", "2025-03-10T21:00:00+07:00"),
    ]) == []


def test_subjects_are_official_then_marketing_whatever_the_order(export_dir):
    # The Marketing LIVE is listed first and starts first.
    found = lives_of(export_dir, [
        live("M9", "A2", "2025-03-10T18:00:00+07:00", "2025-03-10T20:00:00+07:00"),
        live("O9", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
    ])
    assert [f["subjects"] for f in found] == [["O9", "M9"]]
    assert found[0]["accounts"] == ["A1", "A2"]
    assert found[0]["window"] == {"start": "2025-03-10T19:00:00+07:00", "end": "2025-03-10T20:00:00+07:00"}


def test_marketing_binding_starting_after_the_live_started_does_not_count(export_dir):
    # A2 becomes Marketing of S1 at 19:30, after its LIVE started at 19:00: that LIVE was not a
    # Marketing LIVE of S1, even though the binding is in force for most of it.
    bindings = [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "marketing", "bind", "2025-03-10T19:30:00+07:00"),
    ]
    assert lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T22:00:00+07:00"),
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T22:00:00+07:00"),
    ], bindings=bindings) == []


def test_official_binding_starting_after_the_live_started_does_not_count(export_dir):
    bindings = [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-10T19:30:00+07:00"),
        bind("E2", "S1", "A2", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
    ]
    assert lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T22:00:00+07:00"),
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T22:00:00+07:00"),
    ], bindings=bindings) == []


def test_binding_starting_exactly_at_started_at_counts(export_dir):
    bindings = [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "marketing", "bind", "2025-03-10T19:00:00+07:00"),
    ]
    found = lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T18:00:00+07:00", "2025-03-10T22:00:00+07:00"),
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T20:00:00+07:00"),
    ], bindings=bindings)
    assert [f["subjects"] for f in found] == [["L1", "L2"]]


def test_binding_ending_exactly_at_started_at_does_not_count(export_dir):
    # A2 is unbound at 19:00 (bound for more than 48 h) and goes LIVE at 19:00.
    bindings = ROLES + [bind("E3", "S1", "A2", "marketing", "unbind", "2025-03-10T19:00:00+07:00")]
    assert lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T18:00:00+07:00", "2025-03-10T22:00:00+07:00"),
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T20:00:00+07:00"),
    ], bindings=bindings) == []


def test_role_is_taken_at_started_at_even_if_unbound_during_the_live(export_dir):
    # A2 is Marketing when its LIVE starts and is unbound half-way: the LIVE still counts.
    bindings = ROLES + [bind("E3", "S1", "A2", "marketing", "unbind", "2025-03-10T19:30:00+07:00")]
    found = lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
        live("L2", "A2", "2025-03-10T19:10:00+07:00", "2025-03-10T20:00:00+07:00"),
    ], bindings=bindings)
    assert [f["subjects"] for f in found] == [["L1", "L2"]]
    assert found[0]["window"] == {"start": "2025-03-10T19:10:00+07:00", "end": "2025-03-10T20:00:00+07:00"}


def test_session_still_live_lasts_until_as_of(export_dir):
    sessions = [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", ""),  # still live
        live("L2", "A2", "2025-03-10T20:00:00+07:00", "2025-03-10T22:00:00+07:00"),
    ]
    # --as-of 20:00:59: L1 overlaps L2 by only 59 s so far
    assert lives_of(export_dir, sessions, as_of="2025-03-10T20:00:59+07:00") == []
    found = lives_of(export_dir, sessions, as_of="2025-03-10T20:05:00+07:00")
    assert [f["subjects"] for f in found] == [["L1", "L2"]]
    assert found[0]["window"] == {"start": "2025-03-10T20:00:00+07:00", "end": "2025-03-10T20:05:00+07:00"}
    assert found[0]["evidence"]["overlap_s"] == 300


def test_both_still_live_overlap_until_as_of(export_dir):
    found = lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", ""),
        live("L2", "A2", "2025-03-10T19:30:00+07:00", ""),
    ], as_of="2025-03-10T21:00:00+07:00")
    assert [f["subjects"] for f in found] == [["L1", "L2"]]
    assert found[0]["window"] == {"start": "2025-03-10T19:30:00+07:00", "end": "2025-03-10T21:00:00+07:00"}


def test_account_bound_to_two_stores_gives_one_finding_per_store(export_dir):
    # A2 is Marketing of S1 and of S2; A1 is Official of S1, A3 Official of S2.
    bindings = [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E3", "S2", "A3", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E4", "S2", "A2", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
    ]
    found = lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
        live("L3", "A3", "2025-03-10T20:00:00+07:00", "2025-03-10T22:00:00+07:00"),
    ], bindings=bindings)
    assert sorted((f["store_id"], tuple(f["subjects"])) for f in found) == [
        ("S1", ("L1", "L2")), ("S2", ("L3", "L2"))]


def test_same_pair_in_two_stores_gives_two_findings(export_dir):
    bindings = [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A2", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E3", "S2", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E4", "S2", "A2", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
    ]
    found = lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
    ], bindings=bindings)
    assert sorted((f["store_id"], tuple(f["subjects"])) for f in found) == [
        ("S1", ("L1", "L2")), ("S2", ("L1", "L2"))]
    assert len({f["fingerprint"] for f in found}) == 2


def test_official_and_marketing_of_different_stores_do_not_pair(export_dir):
    bindings = [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S2", "A2", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
    ]
    assert lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
    ], bindings=bindings) == []


def test_two_marketing_lives_at_once_are_not_a_finding(export_dir):
    bindings = ROLES + [bind("E3", "S1", "A3", "marketing", "bind", "2025-03-01T10:00:00+07:00")]
    assert lives_of(export_dir, [
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
        live("L3", "A3", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
    ], bindings=bindings) == []


def test_a_session_never_pairs_with_itself(export_dir):
    # A1 is both Official and Marketing of S1 (a BIND001 problem): its one LIVE is not simultaneous.
    bindings = [
        bind("E1", "S1", "A1", "official", "bind", "2025-03-01T10:00:00+07:00"),
        bind("E2", "S1", "A1", "marketing", "bind", "2025-03-01T10:00:00+07:00"),
    ]
    assert lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00"),
    ], bindings=bindings) == []


def test_evidence_has_the_mirroring_signals_when_the_data_has_them(export_dir):
    found = lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00",
             title="Flash sale 12.12 serum", stream_source="OBS-7", product_ids=["P1", "P2", "P3"]),
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00",
             title="FLASH SALE 12.12 serum!!", stream_source="OBS-7", product_ids=["P3", "P2", "P9"]),
    ])
    (f,) = found
    ev = f["evidence"]
    assert ev["overlap_s"] == 7200
    assert ev["same_stream_source"] is True
    assert ev["title_similarity"] == 100
    assert ev["shared_products"] == ["P2", "P3"]


def test_evidence_shows_when_the_signals_differ(export_dir):
    found = lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00",
             title="Skincare Q&A with our pharmacist", stream_source="OBS-7", product_ids=["P1"]),
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00",
             title="Unboxing new phone cases", stream_source="PHONE-2", product_ids=["P9"]),
    ])
    (f,) = found
    ev = f["evidence"]
    assert ev["same_stream_source"] is False
    assert ev["title_similarity"] < 50
    assert ev["shared_products"] == []


def test_evidence_leaves_out_signals_the_data_does_not_have(export_dir):
    found = lives_of(export_dir, [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00", stream_source="OBS-7"),
        live("L2", "A2", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00", stream_source=""),
    ])
    (f,) = found
    assert f["evidence"] == {"overlap_s": 7200}


def test_min_overlap_s_parameter_changes_the_threshold(export_dir):
    sessions = [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T20:05:00+07:00"),
        live("L2", "A2", "2025-03-10T20:00:00+07:00", "2025-03-10T21:00:00+07:00"),
    ]  # 5 min overlap
    assert lives_of(export_dir, sessions, params={"LIVE001": {"min_overlap_s": 301}}) == []
    assert len(lives_of(export_dir, sessions, params={"LIVE001": {"min_overlap_s": 300}})) == 1


def test_missing_live_sessions_table_reports_live001_as_not_run(export_dir):
    make_export(export_dir, {"bindings": ROLES})
    report = lint(export_dir, as_of=AS_OF)
    assert "LIVE001" not in report["rules"]["run"]
    assert "live_sessions" in report["rules"]["not_run"]["LIVE001"]
    assert findings(report, "LIVE001") == []
    assert "BIND001" in report["rules"]["run"]  # the binding rules still run


def test_missing_live_sessions_table_is_shown_as_not_run_in_the_text_report(export_dir):
    make_export(export_dir, {"bindings": ROLES})
    res = run_cli("check", export_dir, "--as-of", AS_OF)
    assert res.returncode == 0, res.stderr
    assert "not run: LIVE001" in res.stdout


def test_the_titles_compared_are_shown_escaped_in_html_and_neutralised_in_csv(export_dir):
    """Managers see the two titles a title similarity compares, as every other input value:
    escaped in HTML, a formula-looking cell neutralised in CSV."""
    import csv
    import io

    from lint import LintOptions
    from lint import lint as api_lint
    make_export(export_dir, {"bindings": ROLES, "live_sessions": [
        live("L1", "A1", "2025-03-10T19:00:00+07:00", "2025-03-10T21:00:00+07:00", title="<b>Flash</b> sale & \"promo\""),
        live("L2", "A2", "2025-03-10T19:30:00+07:00", "2025-03-10T22:00:00+07:00", title="=HYPERLINK(\"x\")"),
    ]})
    [f] = findings(lint(export_dir, as_of=AS_OF), "LIVE001")
    assert f["evidence"]["official_title"] == "<b>Flash</b> sale & \"promo\""
    assert f["evidence"]["marketing_title"] == "=HYPERLINK(\"x\")"
    result = api_lint(export_dir, LintOptions(as_of=AS_OF, no_cache=True))
    html = result.render("html").decode()
    assert "&lt;b&gt;Flash&lt;/b&gt; sale &amp; &quot;promo&quot;" in html and "<b>Flash" not in html
    assert "Official LIVE title" in html and "Marketing LIVE title" in html
    [row] = [r for r in csv.DictReader(io.StringIO(result.render("csv").decode())) if r["record"] == "finding"]
    assert row["evidence.marketing_title"] == "'=HYPERLINK(\"x\")"
