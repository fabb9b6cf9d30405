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
    ("stores", "store_id, region (ISO country code); optional store_name, timezone (IANA), manager_email, language"),
    ("accounts", "account_id; optional handle, region"),
    ("bindings", "as events: event_id, store_id, account_id, account_type (official/marketing), action "
                 "(bind/unbind), at — or as intervals: binding_id, store_id, account_id, account_type, "
                 "bound_at, unbound_at (empty while bound)"),
    ("linked_accounts", "instead of bindings, when you have none: store_id, account_id, account_type, seen_at — "
                        "snapshots of the Seller Center's linked accounts list (e.g. one each night)"),
    ("videos", "video_id, account_id, posted_at; optional caption, duration_s, thumbnail, frames, music_id, "
               "hashtags, product_ids (thumbnails and frames are paths inside the .zip)"),
    ("live_sessions", "live_id, account_id, started_at, ended_at (empty while live); optional title, "
                      "product_ids, stream_source"),
    ("products", "optional"),
]


def esc(value) -> str:
    """`value` as HTML text: everything escaped, quotes included."""
    return html.escape("" if value is None else str(value), quote=True)


def _t(lang: str):
    """-> pick(en, id): the text of the page's language (both texts stand side by side here)."""
    return (lambda en, id_: id_) if lang == "id" else (lambda en, id_: en)


def _switch(lang: str, here: str = "") -> str:
    """The language switch of every page: links, no script (?lang= is remembered in a cookie)."""
    style = 'style="color:#0969da;margin-left:8px"'
    links = [f'<a {style} href="{esc(here)}?lang={code}" hreflang="{code}" lang="{code}" id="lang-{code}"'
             + (' aria-current="true"' if code == lang else "") + f">{name}</a>"
             for code, name in (("en", "English"), ("id", "Bahasa Indonesia"))]
    return f'<div id="lang-switch" style="text-align:right;font-size:13px">{"".join(links)}</div>'


def page(title: str, body: str, refresh: float | None = None, lang: str = "en", here: str = "") -> str:
    """A whole page: the shared head (CSP, styles), the language switch, `body`."""
    meta = f'<meta http-equiv="refresh" content="{refresh:g}">' if refresh else ""
    return (f'<!DOCTYPE html><html lang="{esc(lang)}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{meta}'
            f"<title>{esc(title)}</title><style>{STYLE}</style></head>"
            f"<body><main>{_switch(lang, here)}{body}</main></body></html>\n")


def _mb(n: float) -> str:
    return f"{n:g} MB"


def _duration(seconds: float, lang: str = "en") -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        n = int(seconds // 3600)
        return f"{n} jam" if lang == "id" else f"{n} hour{'s' if n != 1 else ''}"
    if seconds >= 60 and seconds % 60 == 0:
        n = int(seconds // 60)
        return f"{n} menit" if lang == "id" else f"{n} minute{'s' if n != 1 else ''}"
    return f"{seconds:g} " + ("detik" if lang == "id" else "s")


TABLE_HELP_ID = {
    "stores": "store_id, region (kode negara ISO); opsional store_name, timezone (IANA), manager_email, language",
    "accounts": "account_id; opsional handle, region",
    "bindings": "sebagai peristiwa: event_id, store_id, account_id, account_type (official/marketing), action "
                "(bind/unbind), at — atau sebagai interval: binding_id, store_id, account_id, account_type, "
                "bound_at, unbound_at (kosong selama masih terhubung)",
    "linked_accounts": "pengganti bindings bila tidak ada: store_id, account_id, account_type, seen_at — snapshot "
                       "daftar akun tertaut di Seller Center (misalnya setiap malam)",
    "videos": "video_id, account_id, posted_at; opsional caption, duration_s, thumbnail, frames, music_id, "
              "hashtags, product_ids (thumbnail dan frame adalah path di dalam .zip)",
    "live_sessions": "live_id, account_id, started_at, ended_at (kosong selama masih LIVE); opsional title, "
                     "product_ids, stream_source",
    "products": "opsional",
}


def upload_page(s: Settings, has_sample: bool, message: str | None = None, lang: str = "en") -> str:
    """The upload form, with the limits that apply."""
    t = _t(lang)
    formats = ", ".join(f"<code>{esc(f)}</code>" for f in FORMATS)
    tables = "".join(f"<tr><td><code>{esc(name)}</code></td>"
                     f"<td>{esc(TABLE_HELP_ID.get(name, h) if lang == 'id' else h)}</td></tr>"
                     for name, h in TABLE_HELP)
    sample = (t('<p>An example: <a href="/sample.zip" download>sample_data.zip</a>, an export in which every rule '
                "fires once. Download it and upload it here to see a report.</p>",
                '<p>Contoh: <a href="/sample.zip" download>sample_data.zip</a>, ekspor yang melanggar setiap aturan '
                "sekali. Unduh lalu unggah di sini untuk melihat laporannya.</p>") if has_sample else
              t('<p class="muted">(The example export is not included in this installation.)</p>',
                '<p class="muted">(Contoh ekspor tidak disertakan dalam instalasi ini.)</p>'))
    notice = f'<div class="card error"><p>{esc(message)}</p></div>' if message else ""
    rate = (t(f"{s.rate_limit} uploads per {_duration(s.rate_window_s)} from one address",
              f"{s.rate_limit} unggahan per {_duration(s.rate_window_s, 'id')} dari satu alamat")
            if s.rate_limit > 0 and s.rate_window_s > 0 else t("no upload rate limit", "tanpa batas laju unggahan"))
    selected = {code: " selected" if code == lang else "" for code in ("en", "id")}
    zip_limits = t(f"A <code>.zip</code> may hold up to {ZIP_MAX_MEMBERS:,} entries and unpack to "
                   f"{ZIP_MAX_TOTAL_BYTES // 1024**3} GB; entries that point outside it are refused.",
                   f"Sebuah <code>.zip</code> boleh berisi hingga {ZIP_MAX_MEMBERS:,} entri dan berukuran hingga "
                   f"{ZIP_MAX_TOTAL_BYTES // 1024**3} GB setelah dibuka; entri yang menunjuk ke luar arsip "
                   f"ditolak.".replace(",", ".", 1))
    body = f"""
<h1>{t("shoplint — check a TikTok Shop export", "shoplint — periksa ekspor TikTok Shop")}</h1>
<p>{t("Upload the export from your seller tools and get the report: every break of the TikTok Shop "
      "account rules (binding limits, region, LIVE on two accounts at once, duplicate videos) with its fix. "
      "It is the same report as <code>shoplint check</code>.",
      "Unggah ekspor dari alat penjual Anda dan dapatkan laporannya: setiap pelanggaran aturan akun TikTok Shop "
      "(batas penghubungan, wilayah, LIVE di dua akun sekaligus, video duplikat) beserta perbaikannya. "
      "Laporannya sama dengan <code>shoplint check</code>.")}</p>
{notice}
<form class="card" method="post" action="/upload" enctype="multipart/form-data">
<label for="files">{t("Export: one <code>.zip</code>, or the table files",
                      "Ekspor: satu <code>.zip</code>, atau berkas-berkas tabel")}</label>
<input id="files" type="file" name="files" multiple required accept=".zip,{','.join(FORMATS)}">
<div class="muted">{t(f"Up to {s.max_files} files and {_mb(s.max_request_mb)} in all. Thumbnails and key frames "
                      "can only be checked in a <code>.zip</code> of the whole export folder.",
                      f"Maksimal {s.max_files} berkas dan total {_mb(s.max_request_mb)}. Thumbnail dan key frame "
                      "hanya dapat diperiksa dalam <code>.zip</code> dari seluruh folder ekspor.")}</div>
<details><summary>{t("Options", "Pilihan")}</summary>
<label for="as_of">{t("As of (optional)", "Per waktu (opsional)")}</label>
<input id="as_of" type="text" name="as_of" placeholder="2025-12-31T00:00:00+07:00 ({t("default: now", "bawaan: sekarang")})">
<div class="muted">{t("A binding still bound or a LIVE still live lasts until this instant.",
                      "Akun yang masih terhubung atau LIVE yang masih berjalan dihitung sampai waktu ini.")}</div>
<label for="timezone">{t("Time zone of timestamps without an offset", "Zona waktu untuk stempel waktu tanpa offset")}</label>
<input id="timezone" type="text" name="timezone" value="Asia/Jakarta">
<label for="lang">{t("Report language", "Bahasa laporan")}</label>
<select id="lang" name="lang"><option value="en"{selected["en"]}>English</option>
<option value="id"{selected["id"]}>Bahasa Indonesia</option></select>
</details>
<details id="plan"><summary>{t("May I bind or unbind an account? (optional)",
                               "Bolehkah saya menghubungkan atau melepas akun? (opsional)")}</summary>
<div class="muted">{t("Answered beside the report: whether the action would break a rule at that time, which, "
                      "and the earliest time it would not.",
                      "Dijawab di samping laporan: apakah tindakan itu akan melanggar aturan pada waktu itu, "
                      "aturan yang mana, dan waktu paling cepat tindakan itu boleh.")}</div>
<label for="plan_action">{t("Action", "Tindakan")}</label>
<select id="plan_action" name="plan_action"><option value="" selected>{t("(none)", "(tidak ada)")}</option>
<option value="unbind">{t("Unbind an account", "Lepas akun")}</option><option value="bind">{t("Bind an account", "Hubungkan akun")}</option></select>
<label for="plan_account">{t("Account (account_id)", "Akun (account_id)")}</label>
<input id="plan_account" type="text" name="plan_account" maxlength="200">
<label for="plan_store">{t("Store (store_id)", "Toko (store_id)")}</label>
<input id="plan_store" type="text" name="plan_store" maxlength="200">
<label for="plan_type">{t("Bind as", "Hubungkan sebagai")}</label>
<select id="plan_type" name="plan_type"><option value="marketing" selected>Marketing</option>
<option value="official">Official</option></select>
<label for="plan_at">{t("When (optional)", "Kapan (opsional)")}</label>
<input id="plan_at" type="text" name="plan_at" placeholder="{t("default: the As of above, else now", "bawaan: Per waktu di atas, atau sekarang")}">
</details>
<button type="submit" id="submit">{t("Check my export", "Periksa ekspor saya")}</button>
</form>
<div class="card">
<h2>{t("What to upload", "Apa yang diunggah")}</h2>
<p>{t("One file per table, named after the table (<code>stores.csv</code>, <code>bindings.xlsx</code>, …), as "
      f"{formats} (CSV with comma, semicolon or tab; JSON as an array or under <code>data</code>; XLSX: the first "
      "sheet). Column names match whatever their case; extra columns are ignored. A missing table only stops "
      "the rules that need it. Files TikTok gives you can be uploaded as they are, whatever their names: the "
      "Seller Center's Live Analysis export, TikTok Studio's Content.csv, saved Partner API pages.",
      "Satu berkas per tabel, dinamai sesuai tabelnya (<code>stores.csv</code>, <code>bindings.xlsx</code>, …), "
      f"sebagai {formats} (CSV dengan koma, titik koma atau tab; JSON sebagai array atau di bawah <code>data</code>; "
      "XLSX: lembar pertama). Nama kolom cocok tanpa memandang huruf besar/kecil; kolom tambahan diabaikan. Tabel "
      "yang tidak ada hanya menghentikan aturan yang memerlukannya. Berkas dari TikTok dapat diunggah apa adanya, "
      "apa pun namanya: ekspor Analisis LIVE dari Seller Center, Content.csv dari TikTok Studio, halaman Partner "
      "API yang disimpan.")}</p>
<table><tr><th>{t("table", "tabel")}</th><th>{t("columns", "kolom")}</th></tr>{tables}</table>
{sample}
</div>
<div class="card">
<h2>{t("Limits and privacy", "Batas dan privasi")}</h2>
<ul>
<li>{t(f"Your files are deleted as soon as the check ends; the report is deleted {_duration(s.ttl_s)} after the "
       "upload. Only this browser can open it.",
       f"Berkas Anda dihapus segera setelah pemeriksaan selesai; laporannya dihapus {_duration(s.ttl_s, 'id')} "
       "setelah diunggah. Hanya peramban ini yang dapat membukanya.")}</li>
<li>{zip_limits}</li>
<li>{t(f"One table may have up to {TABLE_MAX_ROWS:,} rows and {TABLE_MAX_CELLS:,} cells.",
       f"Satu tabel boleh berisi hingga {TABLE_MAX_ROWS:,} baris dan {TABLE_MAX_CELLS:,} sel.".replace(",", "."))}</li>
<li>{t(f"A check may take up to {_duration(s.time_limit_s)}; {s.max_concurrent} run at once and the rest wait in "
       f"line, at most {s.max_per_client} from one address; {rate}.",
       f"Satu pemeriksaan boleh berlangsung hingga {_duration(s.time_limit_s, 'id')}; {s.max_concurrent} berjalan "
       f"bersamaan dan sisanya mengantre, paling banyak {s.max_per_client} dari satu alamat; {rate}.")}</li>
</ul>
<p class="muted">{t("For scripts:", "Untuk skrip:")} <code>POST /api/lint</code> ({t("described in", "dijelaskan di")} <a href="/openapi.json">/openapi.json</a>).</p>
</div>"""
    return page(t("shoplint — check an export", "shoplint — periksa ekspor"), body, lang=lang, here="/")


def progress_page(job, place: tuple[int, int], s: Settings, lang: str = "en") -> str:
    """The page shown while a lint waits or runs (it refreshes itself)."""
    t = _t(lang)
    now = time.time()
    if job.state == "queued":
        n, of = place
        what = t(f"Your export is waiting in line: <b id='place'>place {n} of {of}</b>. "
                 f"{s.max_concurrent} check{'s' if s.max_concurrent != 1 else ''} run at once.",
                 f"Ekspor Anda sedang mengantre: <b id='place'>urutan {n} dari {of}</b>. "
                 f"{s.max_concurrent} pemeriksaan berjalan bersamaan.")
    else:
        elapsed = now - (job.started or now)
        what = t(f"Checking your export… <b id='elapsed'>{elapsed:.0f} s</b> "
                 f"(stopped after {_duration(s.time_limit_s)}).",
                 f"Memeriksa ekspor Anda… <b id='elapsed'>{elapsed:.0f} detik</b> "
                 f"(dihentikan setelah {_duration(s.time_limit_s, 'id')}).")
    body = f"""
<h1>shoplint — {esc(job.export_name)}</h1>
<div class="card" id="progress" data-state="{esc(job.state)}">
<p>{what}</p>
<p class="muted">{t("This page refreshes itself every second. If it does not,",
                    "Halaman ini memuat ulang sendiri setiap detik. Jika tidak,")} <a href="/r/{esc(job.id)}">{t("reload it", "muat ulang")}</a>.</p>
</div>"""
    return page(t("Checking… — shoplint", "Memeriksa… — shoplint"), body, refresh=1, lang=lang, here=f"/r/{job.id}")


def failed_page(job, lang: str = "en") -> str:
    """The page of an upload that could not be linted, saying why."""
    from lint.serve.i18n import translate
    t = _t(lang)
    kind = {"input": t("The export cannot be checked", "Ekspor tidak dapat diperiksa"),
            "timeout": t("The check took too long", "Pemeriksaan terlalu lama"),
            "internal": t("Something went wrong", "Terjadi kesalahan")}.get(job.error_kind or "",
                                                                           t("The check failed", "Pemeriksaan gagal"))
    body = f"""
<div class="card error" id="error">
<h1>{esc(kind)}</h1>
<p>{esc(job.export_name)}:</p>
<pre>{esc(translate(job.error, lang))}</pre>
<p><a href="/">{t("Upload another export", "Unggah ekspor lain")}</a></p>
</div>"""
    return page(f"{kind} — shoplint", body, lang=lang, here=f"/r/{job.id}")


def error_page(status: int, message: str, retry_after: float | None = None, lang: str = "en") -> str:
    """A refusal as a page (status, message, when to retry)."""
    from lint.serve.i18n import translate
    t = _t(lang)
    titles = {400: t("The upload cannot be used", "Unggahan tidak dapat digunakan"),
              401: t("Sign-in needed", "Perlu masuk"), 404: t("No such report", "Laporan tidak ada"),
              405: t("Not allowed", "Tidak diizinkan"), 413: t("The upload is too large", "Unggahan terlalu besar"),
              415: t("Not an upload", "Bukan unggahan"),
              422: t("The upload cannot be used", "Unggahan tidak dapat digunakan"),
              429: t("Too many uploads", "Terlalu banyak unggahan"), 500: t("Something went wrong", "Terjadi kesalahan")}
    title = titles.get(status, t("The request cannot be served", "Permintaan tidak dapat dilayani"))
    later = (t(f"<p>Please try again in {retry_after:.0f} s.</p>",
               f"<p>Silakan coba lagi dalam {retry_after:.0f} detik.</p>") if retry_after else "")
    body = f"""
<div class="card error" id="error">
<h1>{esc(title)}</h1>
<p>{esc(translate(message, lang))}</p>{later}
<p><a href="/">{t("Back to the upload page", "Kembali ke halaman unggah")}</a></p>
</div>"""
    return page(f"{title} — shoplint", body, lang=lang)


def report_bar(job, expires_at: float, lang: str = "en") -> str:
    """The strip above a finished report: downloads, delete, a new upload, the other language. Links only."""
    t = _t(lang)
    left = max(0, int(expires_at - time.time()))
    base = f"/r/{esc(job.id)}"
    link = 'style="color:#fff;text-decoration:underline;margin-right:12px"'
    switch = "".join(f'<a {link} href="{base}?lang={code}" hreflang="{code}" id="lang-{code}">{name}</a>'
                     for code, name in (("en", "English"), ("id", "Bahasa Indonesia")) if code != lang)
    return (f'<div id="portal-bar" lang="{esc(lang)}" style="background:#1f2937;color:#fff;padding:8px 12px;'
            f'margin:-12px -12px 12px;font-size:14px">'
            f'<b style="margin-right:12px">shoplint</b>'
            f'{t("Download", "Unduh")}: <a {link} id="dl-json" href="{base}/report.json">JSON</a>'
            f'<a {link} id="dl-csv" href="{base}/report.csv">CSV</a>'
            f'<a {link} id="dl-html" href="{base}/report.html">HTML</a>'
            f'<a {link} href="/">{t("Check another export", "Periksa ekspor lain")}</a>'
            f'<form method="post" action="{base}/delete" style="display:inline;margin:0">'
            f'<button type="submit" style="font-size:13px;padding:2px 10px;margin:0;background:#b42318">'
            f'{t("Delete now", "Hapus sekarang")}</button></form>'
            f'<span style="color:#cbd5e1;margin-left:12px">'
            f'{t(f"deleted in {left // 60} min", f"dihapus dalam {left // 60} menit")}</span>{switch}</div>')


def with_bar(report_html: str, bar: str) -> str:
    """The report page exactly as `--format html` makes it, with the bar first in its body."""
    i = report_html.find("<body")
    j = report_html.find(">", i) if i >= 0 else -1
    if j < 0:
        return bar + report_html
    return report_html[:j + 1] + bar + report_html[j + 1:]


def plan_card(plan: dict, answer: dict | None, lang: str = "en") -> str:
    """The answer to the upload form's "may I bind or unbind?" (lint.serve.runner.plan_folder),
    above the report."""
    from lint.serve.i18n import translate
    t = _t(lang)
    box = ('<div id="plan-answer" data-allowed="{allowed}" lang="' + esc(lang) + '" style="background:{bg};'
           'border:1px solid {edge};border-radius:8px;padding:10px 14px;margin:0 0 12px;font-size:15px">{inner}</div>')
    verb = t("Bind", "Hubungkan") if plan["action"] == "bind" else t("Unbind", "Lepas")
    what = (f"{verb} {esc(plan['account'])}" + (f" ({esc(plan['account_type'])})" if plan["action"] == "bind" else "")
            + f" — {t('store', 'toko')} {esc(plan['store'])}")
    if not answer or "error" in answer:
        why = esc(translate(answer["error"], lang)) if answer else t("no answer was made", "tidak ada jawaban")
        return box.format(allowed="unknown", bg="#fef3f2", edge="#b42318",
                          inner=f"<b>{what}</b><p style='margin:4px 0 0'>"
                                f"{t('Cannot be planned', 'Tidak dapat direncanakan')}: {why}</p>")
    if answer["allowed"]:
        ok = t("Allowed: this breaks no rule checked.", "Boleh: tindakan ini tidak melanggar aturan yang diperiksa.")
        inner = f"<b>{what}, {esc(answer['at'])}</b><p style='margin:4px 0 0'>{ok}</p>"
        return box.format(allowed="true", bg="#ecfdf3", edge="#12b76a", inner=inner)
    items = "".join(f"<li><b>{esc(b['rule'])}</b> {esc(b['name'])}: {esc(b['message'])}</li>"
                    for b in answer["breaks"])
    when = (f"{t('Earliest time it would not', 'Paling cepat boleh pada')}: "
            f"<b id='plan-earliest'>{esc(answer['earliest'])}</b>" if answer.get("earliest") else
            t("No later time makes it allowed on its own: another change is needed first.",
              "Tidak ada waktu yang membuatnya boleh dengan sendirinya: perlu perubahan lain dahulu."))
    breaks = t("Not allowed at this time: it would break", "Tidak boleh saat ini: tindakan ini akan melanggar")
    inner = (f"<b>{what}, {esc(answer['at'])}</b><p style='margin:4px 0 0'>{breaks}</p>"
             f"<ul style='margin:4px 0'>{items}</ul><p style='margin:4px 0 0'>{when}</p>")
    return box.format(allowed="false", bg="#fffaeb", edge="#b54708", inner=inner)
