"""A small client of the TikTok Shop Partner API (Open API 202309 and later): signed GET
requests, the API's envelope, retries of what is transient. Standard library only.

Signing (https://partner.tiktokshop.com/docv2/page/sign-your-api-request, and the public
SDK github.com/EcomPHP/tiktokshop-php `src/Client.php` `prepareSignature`): every query
parameter except `sign` and `access_token`, sorted by name, written `{key}{value}` one after
the other; the request path before them; the body after them (none for GET); `app_secret`
before and after the whole; HMAC-SHA256 of that with `app_secret` as the key, in hex. The
query carries `app_key`, `timestamp` (Unix seconds) and `sign`; the access token goes in the
`x-tts-access-token` header, never in the URL (https://partner.tiktokshop.com/docv2/page/common-parameters).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from lint import __version__

BASE_URL = "https://open-api.tiktokglobalshop.com"
# HTTP statuses and API codes worth trying again (common errors: 36009002 too many
# requests, 36009003 internal error, "please try again")
TRANSIENT_STATUS = frozenset({429, 503})
TRANSIENT_CODES = frozenset({36009002, 36009003})
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
MAX_RETRY_AFTER_S = 60.0  # a server's Retry-After is followed up to this
TIMEOUT_S = 60

# What to do about the usual errors (https://partner.tiktokshop.com/docv2/page/common-errors)
_HINTS = {
    106001: "the signature was refused: check SHOPLINT_TTS_APP_KEY and SHOPLINT_TTS_APP_SECRET",
    105001: "the access token was refused: check SHOPLINT_TTS_ACCESS_TOKEN",
    105002: "the access token has expired (they last 7 days): refresh it and set SHOPLINT_TTS_ACCESS_TOKEN",
    105005: "the app or token lacks the scope this call needs (TikTok Shop Analytics, "
            "data.shop_analytics.public.read): enable it and have the shop authorize the app again",
    106013: "the shop_cipher is missing or wrong",
    101000: "the token is not a seller's token, or not of this shop",
    36009004: "check SHOPLINT_TTS_APP_KEY, SHOPLINT_TTS_ACCESS_TOKEN and this machine's clock",
}


class PullError(Exception):
    """The pull cannot go on; the message is one line for the user."""


def sign(path: str, query: dict[str, str], app_secret: str, body: bytes = b"") -> str:
    """The request's `sign` (module docstring)."""
    params = "".join(f"{k}{v}" for k, v in sorted(query.items()) if k not in ("sign", "access_token"))
    text = (app_secret + path + params).encode("utf-8") + body + app_secret.encode("utf-8")
    return hmac.new(app_secret.encode("utf-8"), text, hashlib.sha256).hexdigest()


def _loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _no_redirect():
    """A handler by which redirects come back as the HTTPError of their 3xx answer, not
    followed. (urllib.request is imported here, when a pull starts: `shoplint check` registers
    the pull command and should not pay for the HTTP client at start-up.)"""
    import urllib.request

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib's hook
            return None
    return _NoRedirect()


@dataclass
class Client:
    app_key: str
    app_secret: str
    access_token: str
    base_url: str = BASE_URL
    tries: int = 5  # attempts of one request, the first included
    retry_delay_s: float = 1.0  # before the first retry; doubled after each
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    requests: int = field(default=0, init=False)  # made, retries included

    def __post_init__(self):
        import urllib.request
        self.base_url = self.base_url.rstrip("/")
        if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
            raise PullError(f"--base-url {self.base_url!r}: not an http(s) URL")
        # a local server (the tests' fake) is reached directly; elsewhere the usual proxy settings apply
        handlers = [urllib.request.ProxyHandler({})] if _loopback(self.base_url) else []
        # a redirect is never followed: urllib would send the access token header to its target
        self._opener = urllib.request.build_opener(*handlers, _no_redirect())

    def get(self, path: str, query: dict[str, str]) -> dict:
        """GET `path` -> the response's JSON object (code 0). Transient failures are tried
        again with exponential back-off; anything else raises PullError."""
        delay = self.retry_delay_s
        for attempt in range(1, self.tries + 1):
            outcome = self._once(path, query)
            if not isinstance(outcome, tuple):
                return outcome
            why, asked_wait = outcome
            if attempt == self.tries:
                raise PullError(f"{path}: {why}; gave up after {self.tries} tries")
            self.sleep(max(delay, min(asked_wait or 0.0, MAX_RETRY_AFTER_S)))
            delay *= 2
        raise AssertionError("unreachable")

    def _once(self, path: str, query: dict[str, str]):
        """-> the response's JSON object, or (why it is worth trying again, the seconds the
        server asked to wait in Retry-After or None)."""
        import urllib.error
        import urllib.request
        q = {k: str(v) for k, v in query.items() if v is not None}
        q["app_key"] = self.app_key
        q["timestamp"] = str(int(self.clock()))
        q["sign"] = sign(path, q, self.app_secret)
        request = urllib.request.Request(
            f"{self.base_url}{path}?{urllib.parse.urlencode(sorted(q.items()))}",
            headers={"x-tts-access-token": self.access_token, "Content-Type": "application/json",
                     "User-Agent": f"shoplint/{__version__}"}, method="GET")
        self.requests += 1
        try:
            with self._opener.open(request, timeout=TIMEOUT_S) as response:
                status, data = response.status, response.read(MAX_RESPONSE_BYTES + 1)
            retry_after = response.headers.get("Retry-After")
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read(MAX_RESPONSE_BYTES + 1)
            retry_after = e.headers.get("Retry-After") if e.headers is not None else None
            if 300 <= status < 400:
                where = e.headers.get("Location") if e.headers is not None else None
                raise PullError(f"{path}: HTTP {status}, a redirect" + (f" to {where}" if where else "")
                                + ": not followed (the access token goes only to --base-url)") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", None) or e
            return f"cannot reach {self.base_url} ({reason})", None
        if len(data) > MAX_RESPONSE_BYTES:
            raise PullError(f"{path}: the response is larger than {MAX_RESPONSE_BYTES} bytes")
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            doc = None
        code = doc.get("code") if isinstance(doc, dict) else None
        if status in TRANSIENT_STATUS or code in TRANSIENT_CODES:
            try:
                wait = float(retry_after) if retry_after is not None else None
            except ValueError:
                wait = None  # an HTTP date: the back-off's own delay is used
            return f"HTTP {status}" + (f", code {code}: {doc.get('message')}" if code is not None else ""), wait
        if not isinstance(doc, dict) or "code" not in doc:
            raise PullError(f"{path}: HTTP {status}, not a TikTok Shop API response")
        if code != 0:
            message = str(doc.get("message") or "").strip()
            hint = _HINTS.get(code) if isinstance(code, int) else None
            request_id = doc.get("request_id")
            raise PullError(f"TikTok Shop API error {code} on {path}" + (f": {message}" if message else "")
                            + (f" (request_id {request_id})" if request_id else "") + (f"; {hint}" if hint else ""))
        if status >= 400:
            raise PullError(f"{path}: HTTP {status}")
        return doc
