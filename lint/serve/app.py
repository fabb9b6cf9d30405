"""The upload portal: an upload form, a progress page, the report page and downloads, and
`POST /api/lint` for scripts. No rule logic here: every lint is `runner.lint_folder`, the
same ingest, engine and reporters as `shoplint check`, run in a child process by `jobs`.

Routes
  GET  /                          the upload form (accepted tables and formats, limits)
  GET  /sample.zip                the repo's sample_data as an example export (when present)
  POST /upload                    form upload -> 303 to /r/{id}
  GET  /r/{id}                    the progress page while queued or running; then the report
  GET  /r/{id}/report.{json,csv,html}   downloads
  POST /r/{id}/delete             delete the upload's report now
  POST /api/lint                  multipart upload -> the JSON report (OpenAPI: /openapi.json)
  GET  /healthz                   liveness and load
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import io
import json
import logging
import re
import secrets
import shutil
import zipfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.exceptions import HTTPException

from lint import __version__
from lint.ingest.reader import FORMATS
from lint.ingest.source import TABLES, table_named
from lint.serve import i18n, pages
from lint.serve.jobs import Busy, ClientBusy, Job, JobStore, RateLimiter, client_key, owner_key
from lint.serve.runner import DEFAULT_ZONE, PLAN, check_options
from lint.serve.settings import Settings

log = logging.getLogger("shoplint.serve")

# One cookie per report, scoped to the report's own path (/r/<id>): the browser keeps the set
# of reports it uploaded, and a new upload (even a forged one) never replaces an older one's.
REPORT_COOKIE = "shoplint_report"
UPLOAD_PATHS = ("/upload", "/api/lint")
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._()+,-]{0,150}")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}
SAMPLE_SKIP = {"make_sample.py", "expected.json"}


class Refusal(HTTPException):
    """A request we will not serve, with the message the seller sees (page or JSON)."""

    def __init__(self, status: int, message: str, retry_after: float | None = None):
        headers = {"Retry-After": f"{max(1, round(retry_after))}"} if retry_after else None
        super().__init__(status_code=status, detail=message, headers=headers)
        self.retry_after = retry_after


class ErrorBody(BaseModel):
    error: str
    status: int


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def refusal_response(path: str, status: int, message: str, headers: dict | None = None,
                     lang: str = "en") -> Response:
    """A refusal: JSON for the API (in English, a contract for scripts), else a page in the
    portal's language (lint.serve.i18n)."""
    retry = float(headers["Retry-After"]) if headers and "Retry-After" in headers else None
    if _is_api(path):
        return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)
    return HTMLResponse(pages.error_page(status, message, retry, lang), status_code=status, headers=headers)


def ui_lang(request: Request) -> str:
    """The portal's language for this request: ?lang=, its cookie, then Accept-Language."""
    return i18n.choose(request.query_params.get("lang"), request.cookies.get(i18n.COOKIE),
                       request.headers.get("accept-language"))


def with_lang_cookie(request: Request, response: Response) -> Response:
    """Remember a language chosen with ?lang= (the switch on every page)."""
    chosen = request.query_params.get("lang")
    if chosen in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
    return response


def default_sample_dir() -> Path | None:
    """The repo's sample_data/ (a source checkout or an editable install); None from a wheel."""
    candidate = Path(__file__).resolve().parents[2] / "sample_data"
    return candidate if (candidate / "stores.csv").is_file() else None


def sample_zip(folder: Path) -> bytes:
    """The sample export as a .zip, for the upload page's download link."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if (path.is_file() and not path.is_symlink() and path.name not in SAMPLE_SKIP
                    and not any(p.startswith((".", "__")) for p in rel.parts)):
                zf.write(path, f"sample_data/{rel.as_posix()}")
    return buf.getvalue()


class Gate:
    """Before any route: authentication, the per-client upload rate, the request size.
    Refusals are answered here, before the body is read."""

    def __init__(self, app, settings: Settings, limiter: RateLimiter):
        self.app, self.s, self.limiter = app, settings, limiter

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope["path"], scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}

        lang = i18n.choose(i18n.query_lang(scope.get("query_string", b"").decode("latin-1")),
                           i18n.cookie_lang(headers.get("cookie")), headers.get("accept-language"))

        async def refuse(status, message, extra=None):
            await refusal_response(path, status, message, extra, lang)(scope, receive, send)

        if path != "/healthz" and not self._authorised(headers.get("authorization", "")):
            return await refuse(401, "This server needs a user name and password (or a token).",
                                {"WWW-Authenticate": 'Basic realm="shoplint", charset="UTF-8"'})
        limit = self.s.max_request_bytes
        if method == "POST" and not same_origin(headers, scope, self.s.allowed_origins):
            return await refuse(403, "This form was sent from another site, so it was refused. Open this "
                                     "server's own page and send it from there.")
        if method == "POST":
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > limit):
                return await refuse(413, f"The upload is larger than this server accepts "
                                         f"({self.s.max_request_mb:g} MB in all).")
            if path in UPLOAD_PATHS:
                client = (scope.get("client") or ("unknown", 0))[0]
                wait = self.limiter.hit(client)
                if wait:
                    return await refuse(429, f"Too many uploads from your address: at most {self.limiter.limit} "
                                             f"in {self.limiter.window:g} s.", {"Retry-After": f"{round(wait)}"})
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise Refusal(413, f"The upload is larger than this server accepts "
                                       f"({self.s.max_request_mb:g} MB in all).")
            return message

        async def secured(message):
            if message["type"] == "http.response.start":
                h = list(message.get("headers", []))
                names = {k.lower() for k, _ in h}
                for k, v in ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                             (b"x-frame-options", b"DENY"), (b"cache-control", b"no-store")):
                    if k not in names:
                        h.append((k, v))
                if not path.startswith("/openapi") and b"content-security-policy" not in names:
                    h.append((b"content-security-policy", pages.CSP.encode()))
                message = {**message, "headers": h}
            await send(message)

        await self.app(scope, counted if method == "POST" else receive, secured)

    def _authorised(self, header: str) -> bool:
        if not self.s.basic_auth and not self.s.token:
            return True
        scheme, _, value = header.partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer" and self.s.token:
            return hmac.compare_digest(value.strip().encode(), self.s.token.encode())
        if scheme == "basic":
            try:
                user, _, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return False
            if self.s.basic_auth and hmac.compare_digest(f"{user}:{password}".encode(), self.s.basic_auth.encode()):
                return True
            if self.s.token and hmac.compare_digest(password.encode(), self.s.token.encode()):
                return True
        return False


def same_origin(headers: dict, scope, allowed: tuple[str, ...] = ()) -> bool:
    """Whether a POST comes from this server's own pages (or from a program, which sends no
    Origin): a browser marks a cross-site request with Sec-Fetch-Site and with its Origin
    (our pages' Referrer-Policy, same-origin, makes the browser send the real Origin only to
    us: a form on any other page arrives with another origin or `null`). Without Origin, the
    Referer is compared; a request with neither is not from a browser form of another site."""
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer")
        if not referer:
            return True
        origin = referer
    origin = origin.strip().lower()
    if origin == "null":
        return False
    scheme, sep, rest = origin.partition("://")
    if not sep:
        return False
    netloc = rest.split("/", 1)[0]
    if f"{scheme}://{netloc}" in allowed:
        return True
    host = (headers.get("host") or "").strip().lower()
    if not host:
        server = scope.get("server")
        host = f"{server[0]}:{server[1]}" if server else ""
    default = {"http": ":80", "https": ":443"}.get(scheme, "")
    return bool(host) and (netloc == host or netloc + default == host or netloc == host + default)


def _display_name(filename: str | None) -> str:
    """The base name of an uploaded file, for messages only (never a path): no folder part,
    nothing but plain characters, or refused."""
    raw = (filename or "").strip()
    base = re.split(r"[\\/]", raw)[-1].strip()
    if not base:
        raise Refusal(400, "Choose a file to upload: a .zip of the export, or its table files.")
    if base in (".", "..") or not SAFE_NAME.fullmatch(base):
        shown = base if len(base) <= 60 else base[:60] + "…"
        raise Refusal(400, f"{shown!r}: file names may hold only letters, digits, spaces and . _ - ( ) + , "
                           "and must start with a letter or digit; rename the file and upload it again.")
    return base


def create_app(settings: Settings | None = None, clock=None) -> FastAPI:
    """The portal's ASGI app. `clock` (seconds, like time.time) is for tests of expiry."""
    s = settings or Settings()
    store = JobStore(s, clock=clock) if clock else JobStore(s)
    limiter = RateLimiter(s.rate_limit, s.rate_window_s)
    sample_dir = s.sample_dir if s.sample_dir is not None else default_sample_dir()
    if sample_dir is not None and not (Path(sample_dir) / "stores.csv").is_file():
        sample_dir = None

    @asynccontextmanager
    async def lifespan(app):
        store.start()
        try:
            yield
        finally:
            await run_in_threadpool(store.close)

    app = FastAPI(
        title="shoplint upload portal", version=__version__, lifespan=lifespan,
        docs_url=None, redoc_url=None,  # no third-party script; the description is at /openapi.json
        description="Upload a TikTok Shop export and get the report `shoplint check` makes. "
                    "`POST /api/lint` answers with the JSON report of `shoplint check --format json`.")
    app.state.store, app.state.settings, app.state.limiter = store, s, limiter
    app.add_middleware(Gate, settings=s, limiter=limiter)

    # --- refusals: a page or a JSON error, never a stack trace ---
    @app.exception_handler(HTTPException)
    async def on_http(request: Request, exc: HTTPException):
        return refusal_response(request.url.path, exc.status_code, str(exc.detail), exc.headers, ui_lang(request))

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "query"))
            parts.append(f"{where}: {e.get('msg')}" if where else str(e.get("msg")))
        message = "; ".join(parts) or "invalid request"
        if "files" in message and "required" in message.lower():
            message = "no file uploaded: send the export as form field 'files' (a .zip, or the table files)"
        return refusal_response(request.url.path, 422, message, lang=ui_lang(request))

    @app.exception_handler(Exception)
    async def on_bug(request: Request, exc: Exception):
        log.exception("internal error on %s", request.url.path)
        return refusal_response(request.url.path, 500, f"internal error ({type(exc).__name__}); "
                                                       "please report it to the server's operator",
                                lang=ui_lang(request))

    # --- helpers ---
    def owner_of(request: Request) -> str | None:
        return owner_key(request.cookies.get(REPORT_COOKIE))

    def with_report_cookie(request: Request, response: Response, job: Job, secret: str | None) -> Response:
        """Set (secret) or clear (None) the owner cookie of one report, on its own path."""
        response.set_cookie(REPORT_COOKIE, secret or "", max_age=int(s.ttl_s) + 60 if secret else 0,
                            httponly=True, samesite="lax", secure=request.url.scheme == "https",
                            path=f"/r/{job.id}")
        return response

    async def prepare(files: list, as_of: str | None, lang: str, zone: str, owner: str | None,
                      client: str) -> Job:
        """Check an upload and put it in a new job's folder; Refusal if it cannot be used."""
        as_of = (as_of or "").strip() or None
        zone = (zone or "").strip() or DEFAULT_ZONE
        try:
            check_options(as_of, lang, zone)
        except ValueError as e:
            raise Refusal(400, str(e)) from None
        uploads = [f for f in files if isinstance(f, StarletteUploadFile)]
        if not uploads or all(not (f.filename or "").strip() for f in uploads):
            raise Refusal(400, "Choose a file to upload: a .zip of the export, or its table files.")
        if len(uploads) > s.max_files:
            raise Refusal(400, f"{len(uploads)} files: at most {s.max_files} in one upload "
                               "(zip the export folder to send more).")
        names = [_display_name(f.filename) for f in uploads]
        zips = [n for n in names if n.lower().endswith(".zip")]
        plan: list[tuple[StarletteUploadFile, str]] = []  # (upload, the name we store it under)
        if zips:
            if len(uploads) > 1:
                raise Refusal(400, f"{zips[0]}: upload a .zip alone, not with other files.")
            export_name = Path(names[0]).stem or "export"
            plan.append((uploads[0], "export.zip"))
        else:
            seen: dict[str, str] = {}
            for f, name in zip(uploads, names):
                suffix = Path(name).suffix.lower()
                if suffix not in FORMATS:
                    raise Refusal(400, f"{name}: not a table file. Name each file after its table "
                                       f"({', '.join(TABLES)}) with one of the endings {', '.join(FORMATS)}, "
                                       "or upload a .zip of the export folder.")
                table = table_named(name)
                if table is not None:
                    if table in seen:
                        raise Refusal(400, f"{seen[table]}, {name}: two files for table '{table}'; keep one.")
                    seen[table] = name
                    # the stored name is built from our own lists, never from the upload
                    plan.append((f, f"{TABLES[TABLES.index(table)]}{FORMATS[FORMATS.index(suffix)]}"))
                    continue
                # Another name (a Seller Center export, TikTok Studio's Content.csv, a saved API
                # page, a table recognised by its columns): kept under its own name, which
                # _display_name holds to SAFE_NAME (no folder part, no leading dot)
                if name.lower() in seen:
                    raise Refusal(400, f"{seen[name.lower()]}, {name}: the same file twice; keep one.")
                seen[name.lower()] = name
                plan.append((f, name))
            export_name = "upload"
        job = store.new_job(owner, client, export_name, as_of, lang, zone)
        try:
            target = job.upload_dir if zips else job.upload_dir / "export"
            await run_in_threadpool(_save, plan, target)
            if zips:
                job.export_path = target / "export.zip"
                if not await run_in_threadpool(zipfile.is_zipfile, job.export_path):
                    raise Refusal(400, f"{names[0]}: not a readable zip file.")
            else:
                job.export_path = target
        except BaseException:
            store.discard(job)
            raise
        return job

    def submit(job: Job):
        try:
            store.submit(job)
        except ClientBusy:
            store.discard(job)
            raise Refusal(429, f"You already have {s.max_per_client} exports being checked or waiting (the most "
                               "one address may have at once). Please wait for one to finish.",
                          retry_after=30) from None
        except Busy:
            store.discard(job)
            raise Refusal(429, f"The server is busy: {s.max_queue} exports are already waiting. "
                               "Please try again in a minute.", retry_after=60) from None

    # --- pages ---
    @app.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
    async def upload_form(request: Request, deleted: int = 0):
        lang = ui_lang(request)
        note = i18n.translate("Your report was deleted.", lang) if deleted else None
        html = pages.upload_page(s, sample_dir is not None, note, lang)
        return with_lang_cookie(request, HTMLResponse(html))

    @app.get("/sample.zip", include_in_schema=False)
    async def sample():
        if sample_dir is None:
            raise Refusal(404, "The example export is not included in this installation "
                               "(it comes with a source checkout of shoplint).")
        body = await run_in_threadpool(sample_zip, Path(sample_dir))
        return Response(body, media_type="application/zip",
                        headers={"Content-Disposition": 'attachment; filename="sample_data.zip"'})

    @app.post("/upload", include_in_schema=False)
    async def upload(request: Request):
        form = await request.form(max_files=s.max_files + 1, max_fields=20, max_part_size=64 * 1024)
        try:
            secret = secrets.token_urlsafe(32)  # this report's own owner secret
            field = lambda k: form.get(k) if isinstance(form.get(k), str) else None  # noqa: E731
            planned = _planned(field, field("timezone") or DEFAULT_ZONE)
            job = await prepare(form.getlist("files"), field("as_of"), field("lang") or "en",
                                field("timezone") or DEFAULT_ZONE, owner_key(secret), _client(request))
        finally:
            await form.close()
        job.plan = planned
        submit(job)
        return with_report_cookie(request, RedirectResponse(f"/r/{job.id}", status_code=303), job, secret)

    def find(request: Request, job_id: str) -> Job:
        job = store.get(job_id, owner_of(request))
        if job is None:
            raise Refusal(404, "There is no report at this address. Reports are deleted "
                               f"{pages._duration(s.ttl_s)} after the upload, and open only in the browser "
                               "that uploaded the export.")
        return job

    @app.get("/r/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    async def report_page(request: Request, job_id: str):
        job = find(request, job_id)
        lang = ui_lang(request)
        if job.state in ("queued", "running"):
            return with_lang_cookie(request, HTMLResponse(pages.progress_page(job, store.place(job), s, lang)))
        if job.state == "failed":
            return with_lang_cookie(request, HTMLResponse(pages.failed_page(job, lang),
                                                          status_code=500 if job.error_kind == "internal" else 422))
        try:
            html = await run_in_threadpool(job.output("html").read_text, "utf-8")
        except OSError:
            raise Refusal(404, "This report has just been deleted.") from None
        bar = pages.report_bar(job, job.created + s.ttl_s, lang)
        if job.plan:
            try:
                answer = json.loads(await run_in_threadpool(job.output_file(PLAN).read_text, "utf-8"))
            except (OSError, ValueError):
                answer = None
            bar += pages.plan_card(job.plan, answer, lang)
        return with_lang_cookie(request, HTMLResponse(pages.with_bar(html, bar)))

    @app.get("/r/{job_id}/report.{kind}", include_in_schema=False)
    async def download(request: Request, job_id: str, kind: str):
        job = find(request, job_id)
        if kind not in MEDIA_TYPES:
            raise Refusal(404, "Reports are offered as report.json, report.csv and report.html.")
        if job.state != "done":
            raise Refusal(404, "This report is not ready." if job.state != "failed" else "This check failed.")
        try:
            body = await run_in_threadpool(job.output(kind).read_bytes)
        except OSError:
            raise Refusal(404, "This report has just been deleted.") from None
        return Response(body, media_type=MEDIA_TYPES[kind],
                        headers={"Content-Disposition": f'attachment; filename="shoplint-report.{kind}"'})

    @app.post("/r/{job_id}/delete", include_in_schema=False)
    async def delete(request: Request, job_id: str):
        job = find(request, job_id)
        store.discard(job)
        return with_report_cookie(request, RedirectResponse("/?deleted=1", status_code=303), job, None)

    @app.api_route("/healthz", methods=["GET", "HEAD"], include_in_schema=False)
    async def healthz():
        return {"ok": True, **store.load()}

    # --- API ---
    errors = {code: {"model": ErrorBody, "description": text} for code, text in (
        (400, "The upload cannot be used (no file, a file that is not a table, a bad option)."),
        (401, "Authentication needed (when the server was started with --auth or --token)."),
        (413, "The request is larger than the server accepts."),
        (422, "The export cannot be linted (a table it cannot read, a zip entry pointing outside the archive, "
              "the time limit); `error` says why, as `shoplint check` would."),
        (429, "Too many uploads from this client, or the queue is full; see Retry-After."),
    )}

    @app.post("/api/lint", tags=["lint"], summary="Lint an export and return the JSON report",
              response_class=JSONResponse, responses={
                  200: {"description": "The report, exactly as `shoplint check --format json` writes it "
                                       "(findings, summary, rules, input_errors; shared/spec/report.md).",
                        "content": {"application/json": {"schema": {"type": "object"}}}},
                  **errors})
    async def api_lint(
        request: Request,
        files: list[UploadFile] = File(..., description="One .zip of the export folder, or the table files "
                                                        "(stores, accounts, bindings, videos, live_sessions, "
                                                        "products; .csv .tsv .jsonl .ndjson .json .parquet .xlsx)."),
        as_of: str | None = Form(None, description="The run's instant (ISO 8601 or Unix epoch); default now."),
        lang: Literal["en", "id"] = Form("en", description="Language of messages and fixes."),
        timezone: str = Form(DEFAULT_ZONE, description="IANA zone for timestamps without an offset."),
    ):
        job = await prepare(files, as_of, lang, timezone, None, _client(request))
        submit(job)
        try:
            while not job.done.is_set():
                await asyncio.sleep(0.05)
            if job.state == "failed":
                status = 500 if job.error_kind == "internal" else 422
                return JSONResponse({"error": job.error, "status": status, "kind": job.error_kind},
                                    status_code=status)
            if job.state != "done":
                raise Refusal(422, "the job was deleted before it finished")
            body = await run_in_threadpool(job.output("json").read_bytes)
            return Response(body, media_type="application/json", headers={"X-Shoplint-Job": job.id})
        finally:
            # the answer is given: nothing of this upload is kept
            store.discard(job)

    return app


def _planned(field, zone: str) -> dict | None:
    """The upload form's optional "may I bind or unbind this account?" (lint.serve.runner.plan_folder);
    Refusal when it is asked but incomplete."""
    from lint.pipeline import parse_as_of
    from lint.settings.options import OptionError
    action = (field("plan_action") or "").strip()
    if not action:
        return None
    if action not in ("bind", "unbind"):
        raise Refusal(400, f"plan_action {action[:20]!r}: choose bind or unbind")
    plan = {"action": action, "account": (field("plan_account") or "").strip()[:200],
            "store": (field("plan_store") or "").strip()[:200],
            "account_type": (field("plan_type") or "").strip() if action == "bind" else None,
            "at": (field("plan_at") or "").strip()[:64] or None}
    if not plan["account"] or not plan["store"]:
        raise Refusal(400, "To ask whether you may bind or unbind an account, give the account and the store.")
    if action == "bind" and plan["account_type"] not in ("official", "marketing"):
        raise Refusal(400, "To plan a bind, choose Official or Marketing.")
    try:
        parse_as_of(plan["at"], zone)
    except OptionError:
        raise Refusal(400, f"plan time {plan['at']!r} is not a timestamp (ISO 8601, e.g. "
                           "2025-12-31T00:00:00+07:00, or Unix epoch seconds)") from None
    return plan


def _client(request: Request) -> str:
    return client_key(request.client.host if request.client else None)


def _save(plan, target: Path):
    target.mkdir(parents=True, exist_ok=True)
    for upload, name in plan:
        upload.file.seek(0)
        with open(target / name, "xb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)
