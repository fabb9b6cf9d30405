"""The portal's "may I bind or unbind this account?" form: answered beside the report, by the
same lint.pipeline.plan as `shoplint plan` (kept apart from test_serve.py, which another
change is hardening)."""
from __future__ import annotations

import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")

from fastapi.testclient import TestClient  # noqa: E402

from lint.serve.app import create_app, sample_zip  # noqa: E402
from lint.serve.settings import Settings  # noqa: E402

from conftest import REPO  # noqa: E402

AS_OF = "2025-12-31T00:00:00+07:00"


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path / "data", rate_limit=0))) as c:
        yield c


def report_page(c, **plan):
    r = c.post("/upload", files={"files": ("sample_data.zip", sample_zip(REPO / "sample_data"), "application/zip")},
               data={"as_of": AS_OF, **plan}, follow_redirects=False)
    assert r.status_code == 303, r.text
    deadline = time.time() + 90
    while time.time() < deadline:
        page = c.get(r.headers["location"])
        if page.status_code != 200 or "portal-bar" in page.text:
            return page
        time.sleep(0.2)
    raise AssertionError("no report in time")


def test_the_form_answers_an_unbind_with_the_rule_and_the_earliest_time(client):
    page = report_page(client, plan_action="unbind", plan_account="sekarjagad.promo4", plan_store="S01",
                       plan_at="2025-11-02T09:00:00+07:00")
    assert page.status_code == 200
    assert 'id="plan-answer" data-allowed="false"' in page.text
    assert "BIND004" in page.text and "BIND006" in page.text
    assert "id='plan-earliest'>2025-12-25T10:00:00+07:00" in page.text


def test_the_form_answers_an_allowed_bind_and_escapes_what_it_repeats(client):
    page = report_page(client, plan_action="bind", plan_account="new<b>x", plan_store="S02", plan_type="marketing")
    assert 'data-allowed="true"' in page.text and "new&lt;b&gt;x" in page.text and "new<b>x" not in page.text


def test_a_plan_that_cannot_be_made_says_why_and_the_report_still_shows(client):
    page = report_page(client, plan_action="unbind", plan_account="nobody", plan_store="S01")
    assert 'data-allowed="unknown"' in page.text and "is not bound to store" in page.text
    assert 'id="finding-count"' in page.text
    incomplete = client.post("/upload", files={"files": ("sample_data.zip", b"PK", "application/zip")},
                             data={"plan_action": "bind", "plan_account": "a", "plan_store": "S01", "plan_type": "x"})
    assert incomplete.status_code == 400 and "Official or Marketing" in incomplete.text
