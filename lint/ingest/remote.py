"""An export in object storage (s3://, gs://, az://, ... through fsspec), copied to a private
temporary folder and then read like a local one.

Only what the user named is fetched: the objects under that prefix (or that one .zip), with
the same limits as a zip upload (member count, total bytes), so a wrong prefix cannot pull
a whole bucket. The filesystem package is the user's choice (s3fs, gcsfs, adlfs...); without
it the message says which one to install.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePosixPath

# a URL scheme as fsspec reads it; a Windows drive letter ("C:\\") is not one
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


def is_url(text) -> bool:
    """Whether EXPORT names an object-storage URL (s3://, gs://, az://...) rather than a local path."""
    return isinstance(text, str) and bool(_URL.match(text)) and not text.lower().startswith("file://")


def download(url: str, max_members: int, max_bytes: int, error) -> tuple[tempfile.TemporaryDirectory, Path]:
    """Copy the export at `url` (a folder prefix or a .zip object) into a new temporary
    folder. -> (the folder's handle, the local path to open). `error(message)` builds the
    exception to raise (an ExportError)."""
    try:
        import fsspec
    except ImportError:
        raise error(f"{url}: reading from object storage needs fsspec (pip install fsspec and the "
                    "package of your storage, e.g. s3fs)") from None
    try:
        fs, root = fsspec.core.url_to_fs(url)
    except ImportError as e:
        raise error(f"{url}: {e} (pip install it next to shoplint)") from None
    except ValueError as e:
        raise error(f"{url}: not a storage URL fsspec knows ({e})") from None
    root = root.rstrip("/")
    tmp = tempfile.TemporaryDirectory(prefix="shoplint-remote-")
    dest = Path(tmp.name).resolve()
    try:
        single = fs.isfile(root)  # one .zip object, else a folder prefix
        if single:
            if not root.lower().endswith(".zip"):
                raise error(f"{url}: an export is a folder (prefix) or a .zip")
            objects = {root: fs.size(root)}
            base = str(PurePosixPath(root).parent)
        else:
            objects = {path: info.get("size") or 0 for path, info in fs.find(root, detail=True).items()}
            base = root
            if not objects:
                raise error(f"{url}: no such folder or .zip (nothing stored under it)")
        if len(objects) > max_members:
            raise error(f"{url}: holds {len(objects)} objects (limit {max_members}, set by SHOPLINT_ZIP_MAX_MEMBERS)")
        total = sum(objects.values())
        if total > max_bytes:
            raise error(f"{url}: holds {total} bytes (limit {max_bytes}, set by SHOPLINT_ZIP_MAX_TOTAL_BYTES)")
        for path in sorted(objects):
            relative = PurePosixPath(path).relative_to(PurePosixPath(base))
            if relative.is_absolute() or ".." in relative.parts:
                raise error(f"{url}: object {path} lies outside the export; refused")
            target = dest.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            fs.get_file(path, str(target))
        copied = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
        if copied > max_bytes:  # sizes listed by the store may lie; what arrived may not
            raise error(f"{url}: holds more than {max_bytes} bytes; refused")
    except Exception as e:
        tmp.cleanup()
        if isinstance(e, error):
            raise
        raise error(f"{url}: cannot be read ({type(e).__name__}: {str(e)[:200]})") from None
    local = dest / PurePosixPath(root).name if single else dest
    return tmp, local
