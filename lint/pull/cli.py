"""`shoplint pull OUT`: the command (lint.pull.run does the work). Registered by lint/cli.py."""
from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from lint.pull.client import BASE_URL, Client, PullError
from lint.pull.run import DEFAULT_DAYS, pull

ENV_APP_KEY, ENV_APP_SECRET, ENV_TOKEN = "SHOPLINT_TTS_APP_KEY", "SHOPLINT_TTS_APP_SECRET", "SHOPLINT_TTS_ACCESS_TOKEN"
ENV_BASE_URL = "SHOPLINT_TTS_BASE_URL"
EXIT_OK, EXIT_UNUSABLE = 0, 2


def _day(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


@click.command("pull")
@click.argument("out", metavar="OUT", type=click.Path(path_type=Path))
@click.option("--start-date", callback=_day, metavar="YYYY-MM-DD",
              help="First day, in the shop's zone (default: --days days before --end-date).")
@click.option("--end-date", callback=_day, metavar="YYYY-MM-DD",
              help="Last day, in the shop's zone (default and latest: 2 days before today there, the API's data lag).")
@click.option("--days", type=click.IntRange(1, 366), default=DEFAULT_DAYS, show_default=True,
              help="Days asked for when --start-date or --end-date is not given.")
@click.option("--shop", "shops", multiple=True, metavar="SHOP_ID",
              help="Only this shop (repeatable; default: every shop the token is authorized for).")
@click.option("--timezone", "zone", metavar="ZONE",
              help="The shops' zone for the days (default: from each shop's region; docs/pull.md).")
@click.option("--base-url", default=None,
              help=f"The API's address (default: ${ENV_BASE_URL}, else {BASE_URL}).")
@click.option("--retries", type=click.IntRange(0, 10), default=4, show_default=True,
              help="Retries of a request refused for a moment (HTTP 429/503, codes 36009002/36009003).")
@click.option("--retry-delay", type=click.FloatRange(0, 600), default=1.0, show_default=True,
              help="Seconds before the first retry (doubling after each).")
@click.option("--replace", is_flag=True, help="Replace OUT when it exists (only once the new pull is complete).")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def pull_cmd(out, start_date, end_date, days, shops, zone, base_url, retries, retry_delay, replace, quiet):
    """Fetch the shops' LIVE and video listings from the TikTok Shop Partner API into the
    export folder OUT, for `shoplint check OUT`.

    Credentials come from the environment: SHOPLINT_TTS_APP_KEY, SHOPLINT_TTS_APP_SECRET and
    SHOPLINT_TTS_ACCESS_TOKEN (a seller's access token). Exit 0 when OUT is written, 2 when
    nothing could be (the message says why; OUT is then left as it was)."""
    missing = [v for v in (ENV_APP_KEY, ENV_APP_SECRET, ENV_TOKEN) if not os.environ.get(v, "").strip()]
    if missing:
        click.echo(f"shoplint pull: set {', '.join(missing)} (the app's key and secret, and the shop's access "
                   "token: docs/pull.md)", err=True)
        sys.exit(EXIT_UNUSABLE)
    try:
        client = Client(os.environ[ENV_APP_KEY].strip(), os.environ[ENV_APP_SECRET].strip(),
                        os.environ[ENV_TOKEN].strip(), base_url or os.environ.get(ENV_BASE_URL) or BASE_URL,
                        tries=retries + 1, retry_delay_s=retry_delay)
        result = pull(client, out, start=start_date, end=end_date, days=days, shop_ids=tuple(shops), zone=zone,
                      replace=replace)
    except PullError as e:
        click.echo(f"shoplint pull: {e}; nothing written", err=True)
        sys.exit(EXIT_UNUSABLE)
    except OSError as e:
        click.echo(f"shoplint pull: {out}: {e.strerror or e}; nothing written", err=True)
        sys.exit(EXIT_UNUSABLE)
    if not quiet:
        for note in result.notes:
            click.echo(f"shoplint pull: {note}", err=True)
        click.echo(f"shoplint pull: wrote {out}: {len(result.shops)} shop(s), {result.pages} pages, "
                   f"{result.rows['shop_lives']} LIVE sessions, {result.rows['shop_videos']} videos "
                   f"({client.requests} requests); check it with `shoplint check {out}`", err=True)
    sys.exit(EXIT_OK)
