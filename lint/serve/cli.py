"""`shoplint serve`: start the upload portal with uvicorn. Registered by lint/cli.py."""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from lint.serve.settings import Settings

_D = Settings()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; put a TLS proxy in front).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--max-upload-mb", type=click.FloatRange(0.01, 100_000), default=_D.max_request_mb, show_default=True,
              help="Largest upload request (all files together), in MB.")
@click.option("--max-files", type=click.IntRange(1, 1000), default=_D.max_files, show_default=True,
              help="Most files in one upload (a .zip counts as one).")
@click.option("--keep", "ttl", type=click.FloatRange(1, 7 * 86400), default=_D.ttl_s, show_default=True,
              help="Seconds after an upload when its report is deleted (the upload itself goes when the lint ends).")
@click.option("--rate-limit", type=click.IntRange(0, 1_000_000), default=_D.rate_limit, show_default=True,
              help="Uploads allowed per client address in --rate-window seconds (0: no limit).")
@click.option("--rate-window", type=click.FloatRange(1, 86400), default=_D.rate_window_s, show_default=True)
@click.option("--workers", "max_concurrent", type=click.IntRange(1, 256), default=_D.max_concurrent,
              show_default=True, help="Lints run at once, each in its own process; the rest queue.")
@click.option("--max-queue", type=click.IntRange(0, 100_000), default=_D.max_queue, show_default=True,
              help="Uploads allowed to wait beyond those running; more are refused (429).")
@click.option("--max-per-client", type=click.IntRange(1, 100_000), default=_D.max_per_client, show_default=True,
              help="Uploads one client address may have running or waiting at once (the queue is served "
                   "round-robin across clients).")
@click.option("--time-limit", type=click.FloatRange(1, 86400), default=_D.time_limit_s, show_default=True,
              help="Seconds one lint may run before it is stopped.")
@click.option("--memory-limit-mb", type=click.IntRange(0, 1_000_000), default=None,
              help="Address-space limit of each lint process in MB (default: 80 % of the machine's memory "
                   "after 1 GB, divided by --workers; 0: none).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for uploads and reports (default: a new temporary folder, removed on exit). "
                   "Job folders left in it by an earlier server are deleted at start.")
@click.option("--auth", "basic_auth", metavar="USER:PASSWORD",
              help="Require HTTP basic authentication (default: $SHOPLINT_SERVE_AUTH).")
@click.option("--token", help="Accept 'Authorization: Bearer TOKEN' (or TOKEN as the basic-auth password) "
                              "(default: $SHOPLINT_SERVE_TOKEN).")
@click.option("--forwarded-allow-ips", default=None,
              help="Behind a proxy: the proxy's addresses, whose X-Forwarded-For gives the client address "
                   "for the rate limit (uvicorn's option).")
@click.option("--header-timeout", type=click.FloatRange(0.1, 3600), default=_D.header_timeout_s, show_default=True,
              help="Seconds a client may take to send a request's headers.")
@click.option("--body-timeout", type=click.FloatRange(0.1, 86400), default=_D.body_timeout_s, show_default=True,
              help="Seconds a client may take to send a request's body (and --body-idle-timeout at most "
                   "without sending anything).")
@click.option("--body-idle-timeout", type=click.FloatRange(0.1, 3600), default=_D.body_idle_timeout_s,
              show_default=True)
@click.option("--max-connections", type=click.IntRange(1, 100_000), default=_D.max_connections, show_default=True,
              help="Open connections at once; more are answered 503.")
@click.option("--max-connections-per-client", type=click.IntRange(1, 100_000),
              default=_D.max_connections_per_client, show_default=True)
@click.option("--public-origin", "public_origins", multiple=True, metavar="URL",
              help="Behind a proxy that rewrites the Host header: the public address of the pages "
                   "(https://shop.example), whose forms may POST here (repeatable).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Configuration file whose options every upload is linted with (select, ignore, strict, waivers, "
                   "fail_on, [rules.CODE]...; default: shoplint.toml or [tool.shoplint] found from here upward), "
                   "after the SHOPLINT_* environment.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True)
def serve(host, port, max_upload_mb, max_files, ttl, rate_limit, rate_window, max_concurrent, max_queue, max_per_client,
          time_limit, memory_limit_mb, data_dir, basic_auth, token, forwarded_allow_ips, header_timeout, body_timeout,
          body_idle_timeout, max_connections, max_connections_per_client, public_origins, config_file, log_level):
    """Start the upload portal: sellers upload an export in a browser and get its report."""
    try:
        import uvicorn

        from lint.serve.app import create_app
        from lint.serve.protocol import guarded_protocol
    except ImportError as e:
        raise click.UsageError(f"shoplint serve needs the serve extra: pip install 'shoplint[serve]' ({e})") from None
    basic_auth = basic_auth or os.environ.get("SHOPLINT_SERVE_AUTH") or None
    token = token or os.environ.get("SHOPLINT_SERVE_TOKEN") or None
    if basic_auth and ":" not in basic_auth:
        raise click.BadParameter("give USER:PASSWORD", param_hint="--auth")
    settings = Settings(lint_options=_server_options(config_file), max_request_mb=max_upload_mb, max_files=max_files,
                        ttl_s=ttl, rate_limit=rate_limit,
                        rate_window_s=rate_window, max_concurrent=max_concurrent, max_queue=max_queue,
                        max_per_client=max_per_client,
                        time_limit_s=time_limit, memory_limit_mb=memory_limit_mb, data_dir=data_dir,
                        basic_auth=basic_auth, token=token,
                        header_timeout_s=header_timeout, body_timeout_s=body_timeout,
                        body_idle_timeout_s=body_idle_timeout, max_connections=max_connections,
                        max_connections_per_client=max_connections_per_client,
                        allowed_origins=tuple(o.strip().rstrip("/").lower() for o in public_origins))
    if host not in ("127.0.0.1", "localhost", "::1") and not (basic_auth or token):
        click.echo("shoplint serve: listening beyond this machine without --auth or --token: anyone who can "
                   "reach it can upload", err=True)
    app = create_app(settings)
    # uvicorn re-raises the stop signal once it has shut down; with the default SIGTERM action
    # the process would die there without running its exit clean-up (multiprocessing's
    # temporary folder, the data dir): make SIGTERM an ordinary exit instead
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo(f"shoplint serve: http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, workers=1, server_header=False,
                http=guarded_protocol(settings, forwarded_allow_ips), backlog=min(2048, max_connections * 2),
                proxy_headers=forwarded_allow_ips is not None, forwarded_allow_ips=forwarded_allow_ips,
                timeout_keep_alive=5)
    sys.exit(0)


def _server_options(config_file: Path | None):
    """The options every upload is linted with: environment > configuration file > defaults."""
    from lint.pipeline import UnusableExport, load_pack, prepare
    from lint.settings.config import ConfigError, find_config, load_config
    from lint.settings.options import OptionError, resolve
    try:
        policy = load_pack()
        options = resolve({}, load_config(config_file or find_config(Path.cwd()), policy))
        prepare(options, policy)  # a bad value stops the server now, not each upload
    except (UnusableExport, ConfigError, OptionError) as e:
        raise click.UsageError(str(e)) from None
    return options
