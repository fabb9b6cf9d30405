"""Emails to each shop, against a real SMTP server (aiosmtpd on 127.0.0.1)."""
import csv
import email
import io
import json
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller

from conftest import REPO, bind, make_export, run_cli

SAMPLE = REPO / "sample_data"
AS_OF = "2025-12-31T00:00:00+07:00"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Keeps every message; can refuse recipients, or fail the first N attempts."""

    def __init__(self, refuse=(), fail_first=0):
        self.messages, self.refuse, self.fail_first, self.attempts = [], set(refuse), fail_first, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "554 5.7.1 recipient rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.attempts += 1
        if self.attempts <= self.fail_first:
            return "451 4.3.0 try again later"
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content,
                                                                                 policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    servers = []

    def start(**kw):
        handler = Recorder(**kw)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        return handler, controller.port
    yield start
    for c in servers:
        c.stop()


def mail_args(port, outbox, *extra):
    return ["--smtp-host", "127.0.0.1", "--smtp-port", port, "--smtp-security", "none", "--outbox", outbox,
            "--retry-delay", "0", *extra]


def test_check_email_sends_each_store_its_report(smtp, tmp_path):
    server, port = smtp()
    res = run_cli("check", SAMPLE, "--as-of", AS_OF, "--format", "json", "--output", tmp_path / "r.json",
                  "--email", *mail_args(port, tmp_path / "outbox"))
    assert res.returncode == 1, res.stderr  # findings
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    by_store = {m["X-Shoplint-Store"]: (rcpt, m) for rcpt, m in server.messages}
    assert sorted(by_store) == ["S01", "S02", "S03"]  # S04 is clean: no email
    rcpt, msg = by_store["S01"]
    assert rcpt == ["manajer@sekarjagad.example"] and msg["To"] == "manajer@sekarjagad.example"
    assert "Batik Sekar Jagad" in msg["Subject"] and "6 findings" in msg["Subject"]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "Wait at least" not in text and "A store may bind 1 Official" in text  # S01's own fixes only
    assert "<style" not in html and 'style="' in html  # inline styles for mail apps
    assert html.count('<img src="data:image/jpeg;base64,') == 2  # the DUP001 pair, embedded
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_filename() == "shoplint-S01.csv"
    rows = list(csv.DictReader(io.StringIO(attachment.get_content() if isinstance(attachment.get_content(), str)
                                           else attachment.get_content().decode("utf-8"))))
    expected = sorted(f["fingerprint"] for f in report["findings"] if f["store_id"] == "S01")
    assert sorted(r["fingerprint"] for r in rows if r["record"] == "finding") == expected
    assert {r["record"] for r in rows} == {"finding", "headroom"}  # the store's headroom follows its findings


def test_email_from_a_report_file_to_an_override_address_and_clean_stores(smtp, tmp_path):
    server, port = smtp()
    run_cli("check", SAMPLE, "--as-of", AS_OF, "--format", "json", "--output", tmp_path / "r.json")
    res = run_cli("email", tmp_path / "r.json", "--to", "audit@agency.example", "--send-clean",
                  *mail_args(port, tmp_path / "outbox"))
    assert res.returncode == 0, res.stderr
    assert len(server.messages) == 4
    assert {tuple(r) for r, _ in server.messages} == {("audit@agency.example",)}
    clean = [m for _, m in server.messages if m["X-Shoplint-Store"] == "S04"][0]
    assert "0 findings" in clean["Subject"]


def test_a_refused_store_is_kept_in_the_outbox_and_the_others_are_sent(smtp, tmp_path):
    server, port = smtp(refuse={"toko@kopinusantara.example"})
    outbox = tmp_path / "outbox"
    res = run_cli("check", SAMPLE, "--as-of", AS_OF, "--format", "json", "--output", tmp_path / "r.json",
                  "--email", *mail_args(port, outbox, "--retries", "1"))
    assert res.returncode == 1
    assert sorted(m["X-Shoplint-Store"] for _, m in server.messages) == ["S01", "S03"]
    assert "email S02: failed" in res.stderr
    kept = list(outbox.glob("S02-*.eml"))
    assert len(kept) == 1 and b"Kopi Nusantara" in kept[0].read_bytes()
    # once the server accepts again, --resume sends only what is missing
    server.refuse.clear()
    res = run_cli("email", tmp_path / "r.json", *mail_args(port, outbox, "--resume"))
    assert res.returncode == 0, res.stderr
    assert sorted(m["X-Shoplint-Store"] for _, m in server.messages) == ["S01", "S02", "S03"]
    assert not list(outbox.glob("S02-*.eml"))
    res = run_cli("email", tmp_path / "r.json", *mail_args(port, outbox, "--resume"))
    assert len(server.messages) == 3 and res.stderr.count("skipped-sent-before") == 3


def test_temporary_failures_are_retried(smtp, tmp_path):
    server, port = smtp(fail_first=2)
    run_cli("check", SAMPLE, "--as-of", AS_OF, "--format", "json", "--output", tmp_path / "r.json")
    res = run_cli("email", tmp_path / "r.json", *mail_args(port, tmp_path / "outbox", "--retries", "3"))
    assert res.returncode == 0, res.stderr
    assert len(server.messages) == 3 and server.attempts == 5


def test_a_server_that_drops_the_connection(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    accepted = []

    def drop():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(1)
            conn.close()
    threading.Thread(target=drop, daemon=True).start()
    try:
        run_cli("check", SAMPLE, "--as-of", AS_OF, "--format", "json", "--output", tmp_path / "r.json")
        res = run_cli("email", tmp_path / "r.json", *mail_args(port, tmp_path / "outbox", "--retries", "2"))
    finally:
        listener.close()
    assert res.returncode == 1
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 3
    assert len(accepted) == 9  # 3 stores x (1 try + 2 retries)


def test_no_input_value_can_add_a_header(smtp, tmp_path):
    server, port = smtp()
    folder = make_export(tmp_path / "export", {
        "stores": [{"store_id": "S1", "store_name": "Toko\r\nBcc: victim@evil.example\r\nX-Evil: 1",
                    "manager_email": "owner@toko.example", "region": "ID"},
                   {"store_id": "S2", "store_name": "Bad", "manager_email": "owner@toko.example\nBcc: x@evil.example",
                    "region": "ID"}],
        "bindings": [bind(f"E{k}", s, f"A{k}", "official", "bind", "2025-01-01T00:00:00+07:00")
                     for k, s in enumerate(["S1", "S1", "S2", "S2"])],
    })
    res = run_cli("check", folder, "--as-of", AS_OF, "--format", "json", "--output", tmp_path / "r.json", "--email",
                  *mail_args(port, tmp_path / "outbox"))
    assert res.returncode == 1
    [(rcpt, msg)] = server.messages
    assert rcpt == ["owner@toko.example"]
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert "\n" not in msg["Subject"] and "Bcc: victim" in msg["Subject"]  # kept as text, on one line
    assert "email S2: invalid-address" in res.stderr


def test_dry_run_writes_eml_files_and_sends_nothing(smtp, tmp_path):
    server, port = smtp()
    run_cli("check", SAMPLE, "--as-of", AS_OF, "--format", "json", "--output", tmp_path / "r.json")
    res = run_cli("email", tmp_path / "r.json", "--dry-run", "--outbox", tmp_path / "outbox")
    assert res.returncode == 0, res.stderr
    assert server.messages == []
    files = sorted(p.name for p in (tmp_path / "outbox").glob("*.eml"))
    assert [f.split("-")[0] for f in files] == ["S01", "S02", "S03"]


def test_missing_smtp_server_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.delenv("SHOPLINT_SMTP_HOST", raising=False)
    run_cli("check", SAMPLE, "--as-of", AS_OF, "--format", "json", "--output", tmp_path / "r.json")
    res = run_cli("email", tmp_path / "r.json", "--outbox", tmp_path / "outbox")
    assert res.returncode == 2 and "SMTP" in res.stderr


def _html_part(msg) -> str:
    return msg.get_body(preferencelist=("html",)).get_content()


def _nightly_report(tmp_path, export=SAMPLE):
    """The nightly path's first step: check -> JSON (to a file, so its mail companion is
    written beside it)."""
    out = tmp_path / "reports"
    out.mkdir()
    res = run_cli("check", export, "--as-of", AS_OF, "--format", "json", "--output-dir", out, "--no-cache")
    assert res.returncode == 1, res.stderr
    assert (out / "report.mail.json").is_file()
    return out / "report.json"


def test_email_from_a_json_report_has_the_thumbnails_and_time_lines_of_check_email(smtp, tmp_path):
    server, port = smtp()
    direct, _ = smtp()
    report = _nightly_report(tmp_path)
    res = run_cli("email", report, *mail_args(port, tmp_path / "outbox"))
    assert res.returncode == 0, res.stderr
    res = run_cli("check", SAMPLE, "--as-of", AS_OF, "--email", "--no-cache", *mail_args(_, tmp_path / "o2"))
    mailed = {m["X-Shoplint-Store"]: _html_part(m) for _, m in server.messages}
    sent_by_check = {m["X-Shoplint-Store"]: _html_part(m) for _, m in direct.messages}
    pictures: dict[str, int] = {}  # two covers per duplicate pair, and two frames when videos decided it
    for f in json.loads(report.read_text(encoding="utf-8"))["findings"]:
        if f["evidence"].get("thumbnails"):
            pictures[f["store_id"]] = pictures.get(f["store_id"], 0) + 2 + 2 * bool(
                f["evidence"].get("video_best_frames_s"))
    for store in ("S01", "S02", "S03"):
        html = mailed[store]
        assert html.count('<img src="data:image/jpeg;base64,') == pictures[store]  # the store's DUP001 pictures
        assert 'class="timeline"' in html
        assert html == sent_by_check[store]  # the same message body whichever way it is sent
    assert 'class="headroom"' in mailed["S01"] and "near a limit" in mailed["S01"]


def test_email_from_a_json_report_re_reads_the_pictures_from_the_export(smtp, tmp_path):
    server, port = smtp()
    report = _nightly_report(tmp_path)
    (report.parent / "report.mail.json").unlink()
    bare = run_cli("email", report, "--dry-run", *mail_args(port, tmp_path / "bare"))
    assert bare.returncode == 0 and "give --export EXPORT" in bare.stderr
    res = run_cli("email", report, "--export", SAMPLE, *mail_args(port, tmp_path / "outbox"))
    assert res.returncode == 0, res.stderr
    html = {m["X-Shoplint-Store"]: _html_part(m) for _, m in server.messages}["S01"]
    assert html.count('<img src="data:image/jpeg;base64,') == 2 and 'class="timeline"' in html
    other = tmp_path / "other"
    make_export(other, {"stores": [{"store_id": "S01", "region": "ID"}],
                        "bindings": [bind("E1", "S01", "A1", "official", "bind", "2025-01-01T00:00:00+07:00")]})
    wrong = run_cli("email", report, "--export", other, "--dry-run", *mail_args(port, tmp_path / "x"))
    assert wrong.returncode == 2 and "not the export" in wrong.stderr


def test_a_store_with_a_language_gets_its_email_in_it_and_counts_read_naturally(smtp, tmp_path):
    import shutil
    export = tmp_path / "export"
    shutil.copytree(SAMPLE, export)
    stores = (export / "stores.csv").read_text(encoding="utf-8").splitlines()
    stores = [stores[0] + ",language"] + [line + (",id" if line.startswith("S02") else ",") for line in stores[1:]]
    (export / "stores.csv").write_text("\n".join(stores) + "\n", encoding="utf-8")
    server, port = smtp()
    report = _nightly_report(tmp_path, export)
    assert json.loads(report.read_text(encoding="utf-8"))["stores"]["S02"]["language"] == "id"
    res = run_cli("email", report, *mail_args(port, tmp_path / "outbox"))
    assert res.returncode == 0, res.stderr
    by_store = {m["X-Shoplint-Store"]: m for _, m in server.messages}
    s02, s01 = by_store["S02"], by_store["S01"]
    assert "temuan" in s02["Subject"] and '<html lang="id">' in _html_part(s02)
    assert "Perbaikan" in _html_part(s02) and "Ruang tersisa" in _html_part(s02)
    assert "Akun Official kopinusantara.id terdaftar di wilayah MY" in s02.get_body(("plain",)).get_content()
    assert '<html lang="en">' in _html_part(s01)
    for m in (s01, s02):
        html = _html_part(m)
        assert "1 stores" not in html and "1 toko" in html or "1 store" in html
