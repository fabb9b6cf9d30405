"""The server's limits and options (all set from `shoplint serve` options)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    max_request_mb: float = 100.0  # one upload request, all files together
    max_files: int = 12  # files in one upload (a .zip counts as one)
    ttl_s: float = 3600.0  # uploads and reports are deleted this long after the upload
    rate_limit: int = 20  # uploads per client (IP address) ...
    rate_window_s: float = 600.0  # ... in this many seconds; 0 turns the limit off
    max_concurrent: int = 2  # lints running at once (each in its own process)
    max_queue: int = 50  # uploads waiting beyond those; more are refused
    max_per_client: int = 3  # jobs one client (address) may have running or waiting at once
    time_limit_s: float = 120.0  # one lint, from its start
    # address-space limit of one lint's process; None: derived from the machine's memory and
    # max_concurrent (lint.serve.child.default_memory_limit_mb); 0: none
    memory_limit_mb: int | None = None
    data_dir: Path | None = None  # where job folders go (default: a new temporary folder)
    basic_auth: str | None = None  # "user:password": every page and the API need it
    token: str | None = None  # shared secret: "Authorization: Bearer TOKEN" (or as the basic-auth password)
    # connections (lint.serve.protocol, with uvicorn): read timeouts and caps
    header_timeout_s: float = 10.0  # a request's line and headers, from its first byte
    body_idle_timeout_s: float = 15.0  # the longest pause inside a request body
    body_timeout_s: float = 300.0  # a whole request body
    max_connections: int = 256  # open connections at once ...
    max_connections_per_client: int = 32  # ... and from one client address
    # origins (scheme://host[:port]) whose pages may POST here besides the request's own Host:
    # the public address when a proxy in front rewrites the Host header
    allowed_origins: tuple[str, ...] = ()
    sample_dir: Path | None = None  # the example export offered as sample.zip (default: the repo's sample_data)
    lint_options: object = None  # lint.settings.options.LintOptions of the server (its configuration file)

    @property
    def lint_memory_limit_mb(self) -> int:
        """The memory limit in force for one lint (MB; 0: none)."""
        if self.memory_limit_mb is not None:
            return self.memory_limit_mb
        from lint.serve.child import default_memory_limit_mb
        return default_memory_limit_mb(self.max_concurrent)

    @property
    def max_request_bytes(self) -> int:
        return int(self.max_request_mb * 1024 * 1024)
