"""shoplint: lint TikTok Shop by Tokopedia exports against the platform's account rules."""

__version__ = "0.1.0"
