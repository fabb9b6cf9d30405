"""Cover pictures given as URLs: recorded, and fetched only when asked (--fetch-covers).

The Display API gives each video's cover as a signed CDN link (`cover_image_url`, valid
for six hours). By default such a link is kept in the videos table and shown in reports,
and nothing is requested from anywhere. With --fetch-covers each link is downloaded once
into the image cache folder, within limits, and then hashed like a picture in the export:

- only http and https, to a host on the allow-list (TikTok's CDN by default; --cover-hosts
  or SHOPLINT_COVER_HOSTS change it), never with a user name or password in the link;
- the host must resolve to public addresses only (no private, loopback or link-local
  address unless SHOPLINT_COVER_ALLOW_PRIVATE=1), and the connection goes to the address
  that was checked, so a second DNS answer cannot point it elsewhere;
- redirects only to the same host, at most MAX_REDIRECTS;
- at most SHOPLINT_COVER_MAX_BYTES per picture (checked on Content-Length, then while
  reading), SHOPLINT_COVER_TIMEOUT_S per request (connection, waiting and reading together),
  SHOPLINT_COVER_MAX_COUNT downloads per run.

A cover that cannot be fetched is an input problem of its row, never a crash. Proxies
(HTTP_PROXY...) are not used.
"""
from __future__ import annotations

import fnmatch
import hashlib
import http.client
import ipaddress
import os
import socket
import ssl
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lint import __version__

# TikTok's picture CDNs, as cover_image_url links name them (p16-sign.tiktokcdn-us.com ...)
DEFAULT_HOSTS = ("*.tiktokcdn.com", "*.tiktokcdn-us.com", "*.tiktokcdn-eu.com", "*.ibyteimg.com", "*.muscdn.com")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # a cover is ~50-300 KB
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_COUNT = 5000
MAX_REDIRECTS = 3
FETCH_THREADS = 8


class CoverRefused(Exception):
    """The cover was not fetched; the message says why."""


def is_web_url(text) -> bool:
    """Whether `text` is an http(s) URL (a cover given as a link, never read as a path)."""
    return isinstance(text, str) and text.strip().lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class CoverLimits:
    hosts: tuple[str, ...] = DEFAULT_HOSTS
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_count: int = DEFAULT_MAX_COUNT
    allow_private: bool = False

    @classmethod
    def from_env(cls, hosts: str | None = None, environ=None) -> "CoverLimits":
        """The limits from SHOPLINT_COVER_* (and --cover-hosts); ValueError naming the
        variable for a value that is not one."""
        env = os.environ if environ is None else environ

        def number(name, default, kind):
            text = env.get(f"SHOPLINT_COVER_{name}")
            if text is None or not text.strip():
                return default
            try:
                value = kind(text)
            except ValueError:
                raise ValueError(f"SHOPLINT_COVER_{name}={text!r} is not a number") from None
            if value <= 0:
                raise ValueError(f"SHOPLINT_COVER_{name}={text!r} must be above 0")
            return value
        patterns = hosts if hosts is not None else env.get("SHOPLINT_COVER_HOSTS")
        host_list = DEFAULT_HOSTS if patterns is None else tuple(
            p.strip().lower() for p in patterns.split(",") if p.strip())
        if not host_list:
            raise ValueError("the cover host list is empty (--cover-hosts / SHOPLINT_COVER_HOSTS)")
        allow = env.get("SHOPLINT_COVER_ALLOW_PRIVATE", "").strip().lower()
        if allow not in ("", "0", "1", "false", "true", "no", "yes"):
            raise ValueError(f"SHOPLINT_COVER_ALLOW_PRIVATE={allow!r}: use 1 or 0")
        return cls(hosts=host_list, max_bytes=number("MAX_BYTES", DEFAULT_MAX_BYTES, int),
                   timeout_s=number("TIMEOUT_S", DEFAULT_TIMEOUT_S, float),
                   max_count=number("MAX_COUNT", DEFAULT_MAX_COUNT, int),
                   allow_private=allow in ("1", "true", "yes"))

    def host_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(fnmatch.fnmatchcase(host, p) or (p.startswith("*.") and host == p[2:]) for p in self.hosts)


class CoverFetcher:
    """Downloads cover URLs into `directory`/covers (a temporary folder when None)."""

    def __init__(self, limits: CoverLimits, directory: Path | None):
        self.limits = limits
        self._tmp = None
        if directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="shoplint-covers-")
            directory = Path(self._tmp.name)
        self.folder = Path(directory) / "covers"
        self.fetched: dict[str, Path] = {}  # URL -> its file, for every cover this run has

    def close(self):
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def fetch_many(self, urls: list[str]) -> dict[str, Path | str]:
        """Each distinct URL -> the downloaded file, or why it was not fetched. A URL fetched
        by an earlier run is read from the cache folder; the first max_count others (in the
        order given) are requested."""
        unique = list(dict.fromkeys(u.strip() for u in urls))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            return {u: f"not fetched: the cache folder {self.folder} cannot be written ({e.strerror or e})"
                    for u in unique}
        results: dict[str, Path | str] = {}
        todo = []
        for url in unique:
            cached = self._file_for(url)
            if cached.is_file() and 0 < cached.stat().st_size <= self.limits.max_bytes:
                results[url] = cached
            elif len(todo) < self.limits.max_count:
                todo.append(url)
            else:
                results[url] = (f"not fetched: the run's limit of {self.limits.max_count} cover downloads was "
                                "reached (SHOPLINT_COVER_MAX_COUNT)")
        if todo:
            with ThreadPoolExecutor(max_workers=min(FETCH_THREADS, len(todo))) as pool:
                for url, outcome in zip(todo, pool.map(self._fetch_to_file, todo)):
                    results[url] = outcome
        self.fetched.update((u, p) for u, p in results.items() if isinstance(p, Path))
        return results

    def _file_for(self, url: str) -> Path:
        return self.folder / hashlib.blake2b(url.encode("utf-8"), digest_size=16).hexdigest()

    def _fetch_to_file(self, url: str) -> Path | str:
        try:
            data = fetch(url, self.limits)
        except CoverRefused as e:
            return f"not fetched: {e}"
        target = self._file_for(url)
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".part-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except OSError as e:
            return f"not fetched: the cache folder cannot be written ({e.strerror or e})"
        return target


def fetch(url: str, limits: CoverLimits) -> bytes:
    """GET `url` within `limits` -> the body; CoverRefused with the reason otherwise."""
    deadline = time.monotonic() + limits.timeout_s
    first_host = None
    current = url.strip()
    for hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(current)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise CoverRefused(f"'{scheme}:' links are not fetched, only http and https")
        if parts.username is not None or parts.password is not None:
            raise CoverRefused("the link holds a user name or password")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise CoverRefused("the link names no host")
        if first_host is None:
            if not limits.host_allowed(host):
                raise CoverRefused(f"host {host} is not an allowed cover host ({', '.join(limits.hosts)}; "
                                   "change with --cover-hosts or SHOPLINT_COVER_HOSTS)")
            first_host = host.lower()
        elif host.lower() != first_host:
            raise CoverRefused(f"redirected to another host ({host})")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise CoverRefused("the link has a bad port") from None
        address = _public_address(host, port, limits.allow_private)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn_class = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        conn = conn_class(host, port, address, timeout=_remaining(deadline, limits))
        try:
            conn.request("GET", target, headers={"User-Agent": f"shoplint/{__version__}", "Accept": "image/*",
                                                 "Accept-Encoding": "identity", "Connection": "close"})
            response = conn.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise CoverRefused(f"HTTP {response.status} without a Location")
                current = urljoin(current, location.strip())
                continue
            if response.status != 200:
                raise CoverRefused(f"the server answered HTTP {response.status} {response.reason}".rstrip())
            length = response.getheader("Content-Length")
            if length and length.strip().isdigit() and int(length) > limits.max_bytes:
                raise CoverRefused(f"the picture is {int(length)} bytes (limit {limits.max_bytes}, "
                                   "SHOPLINT_COVER_MAX_BYTES)")
            body = bytearray()
            while True:
                conn.set_read_timeout(_remaining(deadline, limits))
                chunk = response.read(64 * 1024)
                if not chunk:
                    break
                body += chunk
                if len(body) > limits.max_bytes:
                    raise CoverRefused(f"the picture is over {limits.max_bytes} bytes (SHOPLINT_COVER_MAX_BYTES)")
            if not body:
                raise CoverRefused("the server sent an empty body")
            return bytes(body)
        except CoverRefused:
            raise
        except (socket.timeout, TimeoutError):
            raise CoverRefused(f"no answer within {limits.timeout_s:g} s (SHOPLINT_COVER_TIMEOUT_S)") from None
        except ssl.SSLError as e:
            raise CoverRefused(f"TLS failed ({e.reason or e})") from None
        except (OSError, http.client.HTTPException) as e:
            raise CoverRefused(f"the download failed ({type(e).__name__}: {str(e)[:120]})") from None
        finally:
            conn.close()
    raise CoverRefused(f"more than {MAX_REDIRECTS} redirects")


def _remaining(deadline: float, limits: CoverLimits) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise CoverRefused(f"no answer within {limits.timeout_s:g} s (SHOPLINT_COVER_TIMEOUT_S)")
    return left


def _public_address(host: str, port: int, allow_private: bool) -> str:
    """The address to connect to; every address the name has must be a public one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise CoverRefused(f"host {host} was not found") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise CoverRefused(f"host {host} was not found")
    if not allow_private:
        for text in addresses:
            ip = ipaddress.ip_address(text.split("%", 1)[0])
            if ip.version == 6 and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            if not ip.is_global:
                raise CoverRefused(f"host {host} is at a private, loopback or reserved address ({text}); "
                                   "SHOPLINT_COVER_ALLOW_PRIVATE=1 allows it")
    return addresses[0]


class _Pinned:
    """Connects to the address that was checked, whatever the name resolves to later; keeps
    the socket so that each read can be given what is left of the request's time (the
    connection hands its socket to the response once the server says it will close)."""

    _address: str
    _socket = None

    def _open(self):
        self._socket = socket.create_connection((self._address, self.port), self.timeout)
        return self._socket

    def set_read_timeout(self, seconds: float):
        if self._socket is not None:
            try:
                self._socket.settimeout(seconds)
            except OSError:
                pass


class _PinnedHTTP(_Pinned, http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        http.client.HTTPConnection.__init__(self, host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = self._open()


class _PinnedHTTPS(_Pinned, http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        http.client.HTTPSConnection.__init__(self, host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        self.sock = self._context.wrap_socket(self._open(), server_hostname=self.host)
        self._socket = self.sock
