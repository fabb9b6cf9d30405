"""The portal's pages, as Python strings. No script anywhere: the progress page refreshes
itself with <meta http-equiv="refresh">. Every value that comes from a request or an upload
goes through `esc`."""
from __future__ import annotations

import html
import time

from lint.ingest.reader import FORMATS, TABLE_MAX_CELLS, TABLE_MAX_ROWS
from lint.ingest.source import ZIP_MAX_MEMBERS, ZIP_MAX_TOTAL_BYTES
from lint.serve.settings import Settings

# our own pages: inline styles and data: pictures only, nothing from outside, no script
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
STYLE = """
body{margin:0;padding:16px;background:#f5f6f8;color:#1f2328;font:15px/1.5 -apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif}
main{max-width:760px;margin:0 auto}
h1{font-size:22px;margin:4px 0 8px}h2{font-size:17px;margin:18px 0 6px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:14px 16px;margin:12px 0}
.error{border-color:#b42318;background:#fef3f2}.error h1{color:#b42318}
label{display:block;margin:8px 0 2px;font-weight:600}
input[type=text],select{font-size:15px;padding:5px 7px;border:1px solid #aab;border-radius:5px;width:100%;max-width:340px;box-sizing:border-box}
input[type=file]{font-size:15px;margin:4px 0}
button{font-size:16px;padding:8px 18px;border:0;border-radius:6px;background:#1d4ed8;color:#fff;cursor:pointer;margin-top:12px}
.muted{color:#57606a;font-size:13px}table{border-collapse:collapse;font-size:14px}
td,th{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
code{background:#eef;padding:0 3px;border-radius:3px;font-size:13px}
pre{white-space:pre-wrap;background:#fff;border:1px solid #f0c4bf;padding:8px;border-radius:6px;font-size:13px}
a{color:#0969da}
""".strip()

TABLE_HELP = [
    ("stores", "store_id, region (ISO country code); optional store_name, timezone (IANA), manager_email"),
    ("accounts", "account_id; optional handle, region"),
    ("bindings", "as events: event_id, store_id, account_id, account_type (official/marketing), action "
                 "(bind/unbind), at — or as intervals: binding_id, store_id, account_id, account_type, "
                 "bound_at, unbound_at (empty while bound)"),
    ("videos", "video_id, account_id, posted_at; optional caption, duration_s, thumbnail, frames, music_id, "
               "hashtags, product_ids (thumbnails and frames are paths inside the .zip)"),
    ("live_sessions", "live_id, account_id, started_at, ended_at (empty while live); optional title, "
                      "product_ids, stream_source"),
    ("products", "optional"),
]


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, refresh: float | None = None) -> str:
    meta = f'<meta http-equiv="refresh" content="{refresh:g}">' if refresh else ""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{meta}'
            f"<title>{esc(title)}</title><style>{STYLE}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def _mb(n: float) -> str:
    return f"{n:g} MB"


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        n = int(seconds // 3600)
        return f"{n} hour{'s' if n != 1 else ''}"
    if seconds >= 60 and seconds % 60 == 0:
        n = int(seconds // 60)
        return f"{n} minute{'s' if n != 1 else ''}"
    return f"{seconds:g} s"


def upload_page(s: Settings, has_sample: bool, message: str | None = None) -> str:
    formats = ", ".join(f"<code>{esc(f)}</code>" for f in FORMATS)
    tables = "".join(f"<tr><td><code>{esc(t)}</code></td><td>{esc(h)}</td></tr>" for t, h in TABLE_HELP)
    sample = ('<p>An example: <a href="/sample.zip" download>sample_data.zip</a>, an export in which every rule '
              "fires once. Download it and upload it here to see a report.</p>" if has_sample else
              '<p class="muted">(The example export is not included in this installation.)</p>')
    notice = f'<div class="card error"><p>{esc(message)}</p></div>' if message else ""
    rate = (f"{s.rate_limit} uploads per {_duration(s.rate_window_s)} from one address"
            if s.rate_limit > 0 and s.rate_window_s > 0 else "no upload rate limit")
    body = f"""
<h1>shoplint — check a TikTok Shop export</h1>
<p>Upload the export from your seller tools and get the report: every break of the TikTok Shop
account rules (binding limits, region, LIVE on two accounts at once, duplicate videos) with its fix.
It is the same report as <code>shoplint check</code>.</p>
{notice}
<form class="card" method="post" action="/upload" enctype="multipart/form-data">
<label for="files">Export: one <code>.zip</code>, or the table files</label>
<input id="files" type="file" name="files" multiple required accept=".zip,{','.join(FORMATS)}">
<div class="muted">Up to {s.max_files} files and {_mb(s.max_request_mb)} in all. Thumbnails and key frames
can only be checked in a <code>.zip</code> of the whole export folder.</div>
<details><summary>Options</summary>
<label for="as_of">As of (optional)</label>
<input id="as_of" type="text" name="as_of" placeholder="2025-12-31T00:00:00+07:00 (default: now)">
<div class="muted">A binding still bound or a LIVE still live lasts until this instant.</div>
<label for="timezone">Time zone of timestamps without an offset</label>
<input id="timezone" type="text" name="timezone" value="Asia/Jakarta">
<label for="lang">Report language</label>
<select id="lang" name="lang"><option value="en" selected>English</option>
<option value="id">Bahasa Indonesia</option></select>
</details>
<button type="submit" id="submit">Check my export</button>
</form>
<div class="card">
<h2>What to upload</h2>
<p>One file per table, named after the table (<code>stores.csv</code>, <code>bindings.xlsx</code>, …), as
{formats} (CSV with comma, semicolon or tab; JSON as an array or under <code>data</code>; XLSX: the first
sheet). Column names match whatever their case; extra columns are ignored. A missing table only stops
the rules that need it.</p>
<table><tr><th>table</th><th>columns</th></tr>{tables}</table>
{sample}
</div>
<div class="card">
<h2>Limits and privacy</h2>
<ul>
<li>Your files are deleted as soon as the check ends; the report is deleted {_duration(s.ttl_s)} after the
upload. Only this browser can open it.</li>
<li>A <code>.zip</code> may hold up to {ZIP_MAX_MEMBERS:,} entries and unpack to {ZIP_MAX_TOTAL_BYTES // 1024**3} GB;
entries that point outside it are refused. One table may have up to {TABLE_MAX_ROWS:,} rows and
{TABLE_MAX_CELLS:,} cells.</li>
<li>A check may take up to {_duration(s.time_limit_s)}; {s.max_concurrent} run at once and the rest wait in line,
at most {s.max_per_client} from one address; {rate}.</li>
</ul>
<p class="muted">For scripts: <code>POST /api/lint</code> (described in <a href="/openapi.json">/openapi.json</a>).</p>
</div>"""
    return page("shoplint — check an export", body)


def progress_page(job, place: tuple[int, int], s: Settings) -> str:
    now = time.time()
    if job.state == "queued":
        n, of = place
        what = (f"Your export is waiting in line: <b id='place'>place {n} of {of}</b>. "
                f"{s.max_concurrent} check{'s' if s.max_concurrent != 1 else ''} run at once.")
    else:
        elapsed = now - (job.started or now)
        what = (f"Checking your export… <b id='elapsed'>{elapsed:.0f} s</b> "
                f"(stopped after {_duration(s.time_limit_s)}).")
    body = f"""
<h1>shoplint — {esc(job.export_name)}</h1>
<div class="card" id="progress" data-state="{esc(job.state)}">
<p>{what}</p>
<p class="muted">This page refreshes itself every second. If it does not, <a href="/r/{esc(job.id)}">reload it</a>.</p>
</div>"""
    return page("Checking… — shoplint", body, refresh=1)


def failed_page(job) -> str:
    kind = {"input": "The export cannot be checked", "timeout": "The check took too long",
            "internal": "Something went wrong"}.get(job.error_kind or "", "The check failed")
    body = f"""
<div class="card error" id="error">
<h1>{esc(kind)}</h1>
<p>{esc(job.export_name)}:</p>
<pre>{esc(job.error)}</pre>
<p><a href="/">Upload another export</a></p>
</div>"""
    return page(f"{kind} — shoplint", body)


def error_page(status: int, message: str, retry_after: float | None = None) -> str:
    titles = {400: "The upload cannot be used", 401: "Sign-in needed", 404: "No such report",
              405: "Not allowed", 413: "The upload is too large", 415: "Not an upload", 422: "The upload cannot be used",
              429: "Too many uploads", 500: "Something went wrong"}
    title = titles.get(status, "The request cannot be served")
    later = f"<p>Please try again in {retry_after:.0f} s.</p>" if retry_after else ""
    body = f"""
<div class="card error" id="error">
<h1>{esc(title)}</h1>
<p>{esc(message)}</p>{later}
<p><a href="/">Back to the upload page</a></p>
</div>"""
    return page(f"{title} — shoplint", body)


def report_bar(job, expires_at: float) -> str:
    """The strip above a finished report: downloads, delete, a new upload. Links only."""
    left = max(0, int(expires_at - time.time()))
    base = f"/r/{esc(job.id)}"
    link = 'style="color:#fff;text-decoration:underline;margin-right:12px"'
    return (f'<div id="portal-bar" style="background:#1f2937;color:#fff;padding:8px 12px;margin:-12px -12px 12px;'
            f'font-size:14px">'
            f'<b style="margin-right:12px">shoplint</b>'
            f'Download: <a {link} id="dl-json" href="{base}/report.json">JSON</a>'
            f'<a {link} id="dl-csv" href="{base}/report.csv">CSV</a>'
            f'<a {link} id="dl-html" href="{base}/report.html">HTML</a>'
            f'<a {link} href="/">Check another export</a>'
            f'<form method="post" action="{base}/delete" style="display:inline;margin:0">'
            f'<button type="submit" style="font-size:13px;padding:2px 10px;margin:0;background:#b42318">'
            f'Delete now</button></form>'
            f'<span style="color:#cbd5e1;margin-left:12px">deleted in {left // 60} min</span></div>')


def with_bar(report_html: str, bar: str) -> str:
    """The report page exactly as `--format html` makes it, with the bar first in its body."""
    i = report_html.find("<body")
    j = report_html.find(">", i) if i >= 0 else -1
    if j < 0:
        return bar + report_html
    return report_html[:j + 1] + bar + report_html[j + 1:]
