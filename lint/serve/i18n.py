"""The portal in English and Indonesian.

The language of the portal's own pages is chosen, in this order, by `?lang=en|id` (the
switch on every page, remembered in a cookie), the cookie, then the browser's
Accept-Language; English otherwise. The pages carry both texts side by side
(lint.serve.pages); the messages of refusals and failed lints, which are made in English
where they arise (the web layer, the job runner, the reader of exports), are put in
Indonesian here, phrase by phrase, keeping every value they quote. A phrase without a
translation stays in English rather than being lost. The JSON API answers in English (a
contract for scripts), and a report is in the language chosen on the upload form.
"""
from __future__ import annotations

import re

LANGS = ("en", "id")
COOKIE = "shoplint_lang"
_ALIASES = {"en": "en", "id": "id", "in": "id"}  # "in": the old code of Indonesian, still sent by some browsers


def from_accept_language(header: str | None) -> str | None:
    """The supported language the browser prefers most (q-values, then order), or None."""
    best, best_q = None, 0.0
    for k, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        lang = _ALIASES.get(tag.strip().lower().split("-")[0])
        q = 1.0
        m = re.search(r"q\s*=\s*([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        if lang and q > best_q:
            best, best_q = lang, q
    return best


def choose(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The page's language: the query, else the cookie, else the browser's Accept-Language, else English."""
    for value in (query, cookie):
        if value in LANGS:
            return value
    return from_accept_language(accept_language) or "en"


def query_lang(query_string: str) -> str | None:
    """The language a ?lang= in the query string asks for, if a known one."""
    m = re.search(r"(?:^|&)lang=([a-z]{2})(?:&|$)", query_string or "")
    return m.group(1) if m and m.group(1) in LANGS else None


def cookie_lang(cookie_header: str | None) -> str | None:
    """The language the language cookie holds, if a known one."""
    m = re.search(rf"(?:^|;\s*){COOKIE}=([a-z]{{2}})(?:;|$)", cookie_header or "")
    return m.group(1) if m and m.group(1) in LANGS else None


# English phrase (a regular expression; groups keep the values it quotes) -> Indonesian.
# Ordered: longer phrases first where one contains another.
_PHRASES: list[tuple[str, str]] = [
    # the web layer's refusals
    (r"This form was sent from another site, so it was refused\. Open this server's own page and send it from "
     r"there\.",
     "Formulir ini dikirim dari situs lain, jadi ditolak. Buka halaman server ini sendiri dan kirim dari sana."),
    (r"You already have (\d+) exports being checked or waiting \(the most one address may have at once\)\. "
     r"Please wait for one to finish\.",
     r"Anda sudah memiliki \1 ekspor yang sedang diperiksa atau menunggu (batas untuk satu alamat pada satu "
     r"waktu). Tunggu hingga salah satunya selesai."),
    (r"the server stopped before the lint ended", "server berhenti sebelum pemeriksaan selesai"),
    (r"This server needs a user name and password \(or a token\)\.",
     "Server ini memerlukan nama pengguna dan kata sandi (atau token)."),
    (r"The upload is larger than this server accepts \((.+?) MB in all\)\.",
     r"Unggahan lebih besar dari yang diterima server ini (total \1 MB)."),
    (r"Too many uploads from your address: at most (\d+) in (.+?) s\.",
     r"Terlalu banyak unggahan dari alamat Anda: maksimal \1 dalam \2 detik."),
    (r"Choose a file to upload: a \.zip of the export, or its table files\.",
     "Pilih berkas untuk diunggah: satu .zip ekspor, atau berkas-berkas tabelnya."),
    (r"file names may hold only letters, digits, spaces and \. _ - \( \) \+ , and must start with a letter or "
     r"digit; rename the file and upload it again\.",
     "nama berkas hanya boleh berisi huruf, angka, spasi dan . _ - ( ) + , serta harus diawali huruf atau angka; "
     "ganti nama berkas lalu unggah lagi."),
    (r"(\d+) files: at most (\d+) in one upload \(zip the export folder to send more\)\.",
     r"\1 berkas: maksimal \2 dalam satu unggahan (kompres folder ekspor menjadi .zip untuk mengirim lebih banyak)."),
    (r"upload a \.zip alone, not with other files\.", "unggah .zip sendiri, jangan bersama berkas lain."),
    (r"not a table file\. Name each file after its table \((.+?)\) with one of the endings (.+?), or upload a "
     r"\.zip of the export folder\.",
     r"bukan berkas tabel. Beri nama setiap berkas sesuai tabelnya (\1) dengan salah satu akhiran \2, atau unggah "
     r".zip dari folder ekspor."),
    (r"two files for table '(.+?)'; keep one\.", r"dua berkas untuk tabel '\1'; simpan satu saja."),
    (r"the same file twice; keep one\.", "berkas yang sama dua kali; simpan satu saja."),
    (r"not a readable zip file", "bukan berkas zip yang dapat dibaca"),
    (r"The server is busy: (\d+) exports are already waiting\. Please try again in a minute\.",
     r"Server sedang sibuk: \1 ekspor sudah menunggu. Silakan coba lagi dalam satu menit."),
    (r"The example export is not included in this installation \(it comes with a source checkout of shoplint\)\.",
     "Contoh ekspor tidak disertakan dalam instalasi ini (tersedia pada salinan kode sumber shoplint)."),
    (r"There is no report at this address\. Reports are deleted (.+?) after the upload, and open only in the "
     r"browser that uploaded the export\.",
     r"Tidak ada laporan di alamat ini. Laporan dihapus \1 setelah diunggah, dan hanya dapat dibuka di peramban "
     r"yang mengunggah ekspor."),
    (r"This report has just been deleted\.", "Laporan ini baru saja dihapus."),
    (r"Reports are offered as report\.json, report\.csv and report\.html\.",
     "Laporan tersedia sebagai report.json, report.csv dan report.html."),
    (r"This report is not ready\.", "Laporan ini belum siap."),
    (r"This check failed\.", "Pemeriksaan ini gagal."),
    (r"the job was deleted before it finished", "pekerjaan dihapus sebelum selesai"),
    (r"plan_action (.+?): choose bind or unbind", r"plan_action \1: pilih hubungkan atau lepas"),
    (r"To ask whether you may bind or unbind an account, give the account and the store\.",
     "Untuk menanyakan apakah Anda boleh menghubungkan atau melepas akun, isi akun dan tokonya."),
    (r"To plan a bind, choose Official or Marketing\.",
     "Untuk merencanakan penghubungan, pilih Official atau Marketing."),
    (r"plan time (.+?) is not a timestamp", r"waktu rencana \1 bukan stempel waktu"),
    (r"no file uploaded: send the export as form field 'files' \(a \.zip, or the table files\)",
     "tidak ada berkas yang diunggah: kirim ekspor sebagai kolom formulir 'files' (satu .zip, atau berkas tabel)"),
    (r"internal error \((\w+)\); please report it to the server's operator",
     r"kesalahan internal (\1); mohon laporkan kepada pengelola server"),
    (r"^Your report was deleted\.$", "Laporan Anda telah dihapus."),
    (r"^Not Found$", "Tidak ditemukan"),
    (r"^Method Not Allowed$", "Metode tidak diizinkan"),
    (r"\b(\d+) hours?\b", r"\1 jam"),
    (r"\b(\d+) minutes?\b", r"\1 menit"),
    # the options of an upload
    (r"lang (.+?): choose from (.+)$", r"bahasa \1: pilih dari \2"),
    (r"timezone (.+?) is not an IANA time zone \(e\.g\. Asia/Jakarta\)",
     r"zona waktu \1 bukan zona waktu IANA (mis. Asia/Jakarta)"),
    (r"as_of (.+?) is not a timestamp", r"as_of \1 bukan stempel waktu"),
    (r"\(ISO 8601, e\.g\. (\S+), or Unix epoch seconds\)", r"(ISO 8601, mis. \1, atau detik epoch Unix)"),
    # the job runner
    (r"internal error \((\w+)\); no report was made\. Please report it to the server's operator\.",
     r"kesalahan internal (\1); tidak ada laporan yang dibuat. Mohon laporkan kepada pengelola server."),
    (r"internal error \((\w+)\); no report was made", r"kesalahan internal (\1); tidak ada laporan yang dibuat"),
    (r"the lint took longer than this server's time limit \((.+?) s\) and was stopped\. Split the export, or run "
     r"`shoplint check` on it locally\.",
     r"pemeriksaan melebihi batas waktu server ini (\1 detik) dan dihentikan. Pecah ekspornya, atau jalankan "
     r"`shoplint check` di komputer Anda."),
    (r"the lint stopped before making a report \(", "pemeriksaan berhenti sebelum membuat laporan ("),
    (r"it ran out of memory", "kehabisan memori"),
    (r"its process ended with status (-?\d+)", r"prosesnya berakhir dengan status \1"),
    (r"the export is too large to lint within this server's memory limit",
     "ekspor terlalu besar untuk diperiksa dalam batas memori server ini"),
    # an export that cannot be linted (the reader's words, as `shoplint check` prints them)
    (r"the input cannot be used; no report written:", "input tidak dapat digunakan; tidak ada laporan yang dibuat:"),
    (r"--strict: the input has errors; no report written:",
     "--strict: input memiliki kesalahan; tidak ada laporan yang dibuat:"),
    (r"\(and (\d+) more\)", r"(dan \1 lainnya)"),
    (r"\(and (\d+) row-level problems\)", r"(dan \1 masalah tingkat baris)"),
    (r"required column '(.+?)' of the (\w+) form is missing \(columns found: (.*?)\); the accepted forms are",
     r"kolom wajib '\1' dari bentuk \2 tidak ada (kolom yang ditemukan: \3); bentuk yang diterima adalah"),
    (r"required column '(.+?)' is missing", r"kolom wajib '\1' tidak ada"),
    (r"columns found", "kolom yang ditemukan"),
    (r", row (\d+), column '(.+?)'", r", baris \1, kolom '\2'"),
    (r"is not a timestamp \(ISO 8601, or Unix epoch seconds/milliseconds\)",
     "bukan stempel waktu (ISO 8601, atau detik/milidetik epoch Unix)"),
    (r"must be one of (.+)$", r"harus salah satu dari \1"),
    (r"points outside the archive: refused", "menunjuk ke luar arsip: ditolak"),
    (r"no such folder or \.zip", "tidak ada folder atau .zip seperti itu"),
    (r"an export is a folder or a \.zip of one", "ekspor adalah sebuah folder atau .zip dari folder"),
    (r"has (\d+) entries \(limit", r"berisi \1 entri (batas"),
    # plan
    (r"account (.+?) is not bound to store (.+?) at that time",
     r"akun \1 tidak terhubung ke toko \2 pada waktu itu"),
    (r"account (.+?) is already bound to store (.+?) as (\w+) at that time",
     r"akun \1 sudah terhubung ke toko \2 sebagai \3 pada waktu itu"),
    (r"store (.+?) is not in the export", r"toko \1 tidak ada dalam ekspor"),
    (r"the export has no usable bindings table", "ekspor tidak memiliki tabel bindings yang dapat digunakan"),
]
_COMPILED = [(re.compile(p), r) for p, r in _PHRASES]


def translate(message: str, lang: str) -> str:
    """`message` (English, as the portal, the runner or the reader made it) in `lang`:
    each known phrase replaced, the values it quotes kept, line by line."""
    if lang == "en" or not message:
        return message
    lines = []
    for line in str(message).split("\n"):
        for pattern, repl in _COMPILED:
            line = pattern.sub(repl, line)
        lines.append(line)
    return "\n".join(lines)
