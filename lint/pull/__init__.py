"""`shoplint pull`: fetch a shop's LIVE and video listings from the TikTok Shop Partner API
into an export folder that `shoplint check` reads (docs/pull.md). The network is used only
here, only when the user runs `pull`.

    client.py  signed requests, the API's envelope, retries with back-off
    run.py     the date window, the shops, every page of each listing, the folder written atomically
    cli.py     the command, registered by lint/cli.py
"""
