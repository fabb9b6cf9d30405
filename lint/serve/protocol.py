"""Connection limits below the app: uvicorn's h11 protocol with read timeouts and a cap on
open connections (uvicorn has a keep-alive timeout, but none for a request that is being
sent, so half-sent headers or a stalled body would hold a connection for ever).

- `header_timeout_s`: from the connection (or the first byte of a next request on a kept-alive
  one) to the end of the request's headers; then 408 and close.
- `body_idle_timeout_s`: the longest pause while a request body is arriving; then close.
- `body_timeout_s`: the whole body, however steadily it trickles in; then close.
- `max_connections` open at once, `max_connections_per_client` from one client address
  (lint.serve.jobs.client_key); a connection beyond either is answered 503 and closed at once.

The app never sees a refused or timed-out connection's request (the upload endpoints see a
disconnect and drop what they had read).
"""
from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from lint.serve.jobs import client_key
from lint.serve.settings import Settings

_408 = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
_503 = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\nretry-after: 5\r\n\r\n"


class Guard:
    """The open connections, in all and per client (one event loop: no lock needed)."""

    def __init__(self, settings: Settings, proxies: tuple[str, ...] = ()):
        self.s = settings
        self.proxies = proxies  # trusted proxies' addresses: their connections are everyone's
        self.total = 0
        self.per_client: dict[str, int] = {}

    def admit(self, key: str) -> bool:
        if self.total >= self.s.max_connections:
            return False
        proxy = "*" in self.proxies or key in self.proxies
        if not proxy and self.per_client.get(key, 0) >= self.s.max_connections_per_client:
            return False
        self.total += 1
        self.per_client[key] = self.per_client.get(key, 0) + 1
        return True

    def release(self, key: str):
        self.total -= 1
        left = self.per_client.get(key, 0) - 1
        if left > 0:
            self.per_client[key] = left
        else:
            self.per_client.pop(key, None)


def guarded_protocol(settings: Settings, forwarded_allow_ips: str | None = None) -> type[H11Protocol]:
    """uvicorn's `http=` protocol class with `settings`' timeouts and connection caps (the
    per-client cap does not apply to the trusted proxies of `forwarded_allow_ips`)."""
    proxies = tuple(client_key(p.strip()) if p.strip() != "*" else "*"
                    for p in (forwarded_allow_ips or "").split(",") if p.strip())
    guard = Guard(settings, proxies)

    class GuardedH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            self._key, self._admitted = None, False
            self._header_timer = self._body_idle_timer = self._body_timer = None
            super().connection_made(transport)
            key = client_key(self.client[0] if self.client else None)
            if not guard.admit(key):
                transport.write(_503)
                transport.close()
                return
            self._key, self._admitted = key, True
            self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._admitted:
                guard.release(self._key)
                self._admitted = False
            self._cancel("_header_timer", "_body_idle_timer", "_body_timer")
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if not self._admitted:
                return
            idle = self.cycle is None or self.cycle.response_complete
            before = self.cycle
            if idle and self._header_timer is None:  # the first bytes of a next request
                self._arm_header_timer()
            super().data_received(data)
            if self.cycle is not before and self.cycle is not None:  # its headers are in
                self._cancel("_header_timer")
                if self.cycle.more_body:
                    self._body_timer = self.loop.call_later(settings.body_timeout_s, self._timed_out, False)
            if self.cycle is not None and self.cycle.more_body and not self.cycle.response_complete:
                self._cancel("_body_idle_timer")
                self._body_idle_timer = self.loop.call_later(settings.body_idle_timeout_s, self._timed_out, False)
            elif self._body_timer or self._body_idle_timer:
                self._cancel("_body_idle_timer", "_body_timer")

        def _arm_header_timer(self):
            self._cancel("_header_timer")
            self._header_timer = self.loop.call_later(settings.header_timeout_s, self._timed_out, True)

        def _cancel(self, *names: str):
            for name in names:
                timer = getattr(self, name, None)
                if timer is not None:
                    timer.cancel()
                    setattr(self, name, None)

        def _timed_out(self, in_headers: bool):
            if self.transport.is_closing():
                return
            if in_headers and self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and \
                    (self.cycle is None or self.cycle.response_complete):
                self.transport.write(_408)
            self.transport.close()

    return GuardedH11Protocol
