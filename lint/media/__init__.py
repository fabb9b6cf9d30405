"""Pure media helpers for DUP001: safe bounded video decoding (video), removal of
letterbox/pillarbox bars (bars), a video's sampled frame hashes (fingerprint) and the
time-aligned matching of two fingerprints (align). They read only what they are given
and import nothing from lint except lint.ingest.images / lint.ingest.limits."""
