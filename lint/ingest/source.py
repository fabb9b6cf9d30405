"""The export folder (or .zip of one), and the only way to open a file inside it.

Every path the export names (thumbnails, frames) goes through `ExportSource.resolve`, which
refuses anything that leaves the folder: `..`, absolute paths, links pointing outside,
URLs, and anything that is not a regular file.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lint.ingest.limits import env_int
from lint.ingest.reader import FORMATS
from lint.ingest.remote import download, is_url

TABLES = ("stores", "accounts", "bindings", "linked_accounts", "videos", "live_sessions", "products")
# The JSON of TikTok's "Download your data" (new name, old name) is a videos file too.
DATA_EXPORT_NAMES = ("user_data_tiktok.json", "user_data.json")
# What browsers and file managers add to a second copy of a file: "bindings (1).csv",
# "bindings(2).csv", "bindings - Copy.csv", "Copy of bindings.csv", "Salinan bindings.csv".
_COPY_MARKS = re.compile(r"^(?:copy of |salinan )|(?: ?\(\d+\)| - (?:copy|salinan)(?: \(\d+\))?)$", re.I)
_TABLE_KEYS = {re.sub(r"[\s_-]+", "", t): t for t in TABLES}


def table_named(filename: str) -> str | None:
    """The table a file's name names, ignoring case, spaces, _ and - and the marks of a copy
    ("bindings (1).csv", "Live Sessions.xlsx", "Copy of stores.csv"); None if none."""
    stem = Path(filename).stem.strip()
    previous = None
    while stem != previous:  # "Copy of bindings (1)"
        previous, stem = stem, _COPY_MARKS.sub("", stem).strip()
    return _TABLE_KEYS.get(re.sub(r"[\s_-]+", "", stem.lower()))


# A folder of this name holding table files is the videos table, one file per account
# (videos/ACCOUNT.json) or one folder of pages per account (videos/ACCOUNT/PAGE.json).
VIDEOS_FOLDER = "videos"
# How deep sub-folders are looked into for files of TikTok's shapes (nested_files).
NESTED_MAX_DEPTH = 4

# Zip limits: refuse archives that would fill the disk or are built to. Each can be changed
# with an environment variable of the same name prefixed SHOPLINT_ (docs/inputs.md).
ZIP_MAX_MEMBERS = env_int("ZIP_MAX_MEMBERS", 10_000)
ZIP_MAX_TOTAL_BYTES = env_int("ZIP_MAX_TOTAL_BYTES", 2 * 1024**3)
ZIP_MAX_RATIO = env_int("ZIP_MAX_RATIO", 200)
# below this many unpacked bytes the ratio is not checked (small, very repetitive CSVs are fine)
ZIP_RATIO_FROM_BYTES = env_int("ZIP_RATIO_FROM_BYTES", 10 * 1024**2)


class ExportError(Exception):
    """The export as a whole cannot be used (exit 2)."""


def _check_member_ranges(zf: zipfile.ZipFile, path: Path) -> None:
    """ExportError unless every member's bytes (local header, name, extra field and packed
    data) lie inside the archive, before its central directory, and apart from every other
    member's. The central directory is only a claim: one member listed several times, or
    listed with a packed size running past the end, would lift the packed size the ratio
    check divides by (and let a bomb through)."""
    fp = zf.fp
    end = getattr(zf, "start_dir", None)
    if fp is None or end is None:
        return
    spans = []
    for m in zf.infolist():
        fp.seek(m.header_offset)
        header = fp.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise ExportError(f"{path.name}: entry '{m.filename}' has no local header where the directory says: "
                              "refused as a damaged or crafted zip")
        name_len, extra_len = int.from_bytes(header[26:28], "little"), int.from_bytes(header[28:30], "little")
        stop = m.header_offset + 30 + name_len + extra_len + m.compress_size
        if stop > end:
            raise ExportError(f"{path.name}: entry '{m.filename}' runs past the end of the archive's data: "
                              "refused as a damaged or crafted zip")
        spans.append((m.header_offset, stop, m.filename))
    spans.sort()
    for (start_a, stop_a, name_a), (start_b, _, name_b) in zip(spans, spans[1:]):
        if start_b < stop_a:
            raise ExportError(f"{path.name}: entries '{name_a}' and '{name_b}' overlap in the archive: "
                              "refused as a possible zip bomb")


class RefusedPath(Exception):
    """A path inside the export that may not be read; the message says why."""


@dataclass
class ExportSource:
    root: Path
    name: str
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)
    # The object-storage folder this is a copy of (s3://bucket/exports/shop1), if it is one:
    # Dask workers may read its big tables from there (lint.engines.dask.session).
    url: str | None = None
    # table_files(), worked out once: the folder does not change while it is read
    _tables: tuple | None = field(default=None, repr=False, compare=False)

    @classmethod
    def open(cls, path: str | os.PathLike) -> "ExportSource":
        if is_url(path):
            return cls._from_url(path)
        p = Path(path)
        if not p.exists():
            raise ExportError(f"{path}: no such folder or .zip")
        if p.is_dir():
            return cls(p.resolve(), p.name)
        if p.suffix.lower() == ".zip":
            return cls._from_zip(p)
        raise ExportError(f"{path}: an export is a folder or a .zip of one")

    @classmethod
    def _from_url(cls, url: str) -> "ExportSource":
        """Object storage (s3://bucket/exports/shop1/ or .../shop1.zip): copied to a private
        temporary folder under the zip limits, then read like a local export."""
        tmp, local = download(url, ZIP_MAX_MEMBERS, ZIP_MAX_TOTAL_BYTES, ExportError)
        try:
            source = cls.open(local)
        except BaseException:
            tmp.cleanup()
            raise
        if source._tmp is None:  # a folder: the copy lives as long as the source
            source._tmp = tmp
            source.name = PurePosixPath(url.split("://", 1)[1].rstrip("/")).name or source.name
            source.url = url.rstrip("/")
        else:  # a .zip: unpacked into its own folder, the downloaded archive is not needed
            tmp.cleanup()
        return source

    @classmethod
    def _from_zip(cls, path: Path) -> "ExportSource":
        tmp = tempfile.TemporaryDirectory(prefix="shoplint-")
        dest = Path(tmp.name).resolve()
        try:
            with zipfile.ZipFile(path) as zf:
                members = zf.infolist()
                if len(members) > ZIP_MAX_MEMBERS:
                    raise ExportError(f"{path.name}: has {len(members)} entries (limit {ZIP_MAX_MEMBERS}, "
                                      "set by SHOPLINT_ZIP_MAX_MEMBERS)")
                _check_member_ranges(zf, path)
                total = sum(m.file_size for m in members)
                packed = sum(m.compress_size for m in members) or 1
                if total > ZIP_MAX_TOTAL_BYTES or total / packed > ZIP_MAX_RATIO and total > ZIP_RATIO_FROM_BYTES:
                    raise ExportError(f"{path.name}: unpacks to {total} bytes ({total / packed:.0f}x its size): "
                                      f"refused as a possible zip bomb (limits: {ZIP_MAX_TOTAL_BYTES} bytes, "
                                      f"{ZIP_MAX_RATIO}x; SHOPLINT_ZIP_MAX_TOTAL_BYTES, SHOPLINT_ZIP_MAX_RATIO)")
                for m in members:
                    name = PurePosixPath(m.filename.replace("\\", "/"))
                    if name.is_absolute() or ".." in name.parts or (m.external_attr >> 16) & 0o170000 == 0o120000:
                        raise ExportError(f"{path.name}: entry '{m.filename}' points outside the archive: refused")
                    if m.is_dir():
                        continue
                    target = dest.joinpath(*name.parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(m) as src, open(target, "wb") as out:
                        shutil.copyfileobj(src, out, 1 << 20)
        except ExportError:
            tmp.cleanup()
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError,
                OSError) as e:
            # damaged data, an unsupported compression, a password, a name the file system
            # refuses, an entry that is both a file and a folder...: the archive is unusable
            tmp.cleanup()
            reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
            raise ExportError(f"{path.name}: not a readable zip file ({reason[:200]})") from None
        root = dest
        # A zip of a folder holds the folder: step into it when it is the only thing there.
        entries = [e for e in root.iterdir() if not e.name.startswith(("__MACOSX", "."))]
        if len(entries) == 1 and entries[0].is_dir():
            root = entries[0]
        return cls(root, path.stem, tmp)

    def close(self):
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def table_files(self) -> tuple[dict[str, Path], list[str]]:
        """-> ({table: file}, problems). Two files for one table is a problem. The videos
        table may be a folder instead (see `videos_folder_files`)."""
        if self._tables is None:
            self._tables = self._find_table_files()
        files, problems = self._tables
        return dict(files), list(problems)  # callers may change their copies

    def _find_table_files(self) -> tuple[dict[str, Path], list[str]]:
        found: dict[str, list[Path]] = {}
        problems = []
        for entry in sorted(self.root.iterdir()):
            if entry.name.lower() == VIDEOS_FOLDER and self._is_inside_folder(entry):
                if any(self.videos_folder_files(entry)):  # a folder of pictures only is not a table
                    found.setdefault("videos", []).append(entry)
                continue
            if entry.name.lower() in DATA_EXPORT_NAMES:
                table = "videos"
            elif entry.suffix.lower() in FORMATS and table_named(entry.name):
                table = table_named(entry.name)
            else:
                continue
            # a table file is read only if it is a regular file inside the export (a link
            # to /etc/passwd or a FIFO named bindings.csv is refused, never opened)
            try:
                self.resolve(entry.name)
            except RefusedPath as e:
                problems.append(f"{entry.name}: {e}; refused")
                continue
            found.setdefault(table, []).append(entry)
        problems += [f"{', '.join(f.name + ('/' if f.is_dir() else '') for f in files)}: several files for "
                     f"table '{t}'; keep one" for t, files in found.items() if len(files) > 1]
        return {t: files[0] for t, files in found.items()}, problems

    def other_files(self) -> list[Path]:
        """Data files (by extension) at the top of the export that no table name claims:
        candidates to recognise by their columns (lint.ingest.recognise)."""
        claimed = {p for p in self.table_files()[0].values()}
        out = []
        for entry in sorted(self.root.iterdir()):
            if entry in claimed or entry.name.startswith((".", "__MACOSX")) or entry.suffix.lower() not in FORMATS:
                continue
            if entry.name.lower() in DATA_EXPORT_NAMES or table_named(entry.name):
                continue  # a second file of a table: already a problem of table_files
            try:
                self.resolve(entry.name)
            except RefusedPath:
                continue
            out.append(entry)
        return out

    def nested_files(self) -> list[Path]:
        """Data files (by extension) in sub-folders of the export, other than the videos/
        folder and hidden ones: candidates for the shapes TikTok writes only (lint.ingest.shapes;
        the pages of an API listing kept in folders, `api/shop_lives/OFFICIAL_ACCOUNTS/p1.json`),
        never read as tables by their columns. At most NESTED_MAX_DEPTH folders deep and
        ZIP_MAX_MEMBERS entries looked at; a folder or file that leaves the export is passed over."""
        out: list[Path] = []
        budget = [ZIP_MAX_MEMBERS]

        def walk(folder: Path, depth: int):
            for entry in sorted(folder.iterdir()):
                if budget[0] <= 0:
                    return
                budget[0] -= 1
                if entry.name.startswith((".", "__MACOSX")):
                    continue
                if entry.is_dir():
                    if depth == 0 and entry.name.lower() == VIDEOS_FOLDER:
                        continue
                    if depth + 1 <= NESTED_MAX_DEPTH and self._is_inside_folder(entry):
                        walk(entry, depth + 1)
                    continue
                if depth == 0 or entry.suffix.lower() not in FORMATS:
                    continue
                try:
                    self.resolve(entry.relative_to(self.root).as_posix())
                except (RefusedPath, ValueError):
                    continue
                out.append(entry)
        try:
            walk(self.root, 0)
        except OSError:
            pass  # a folder that cannot be listed holds nothing to read
        return out

    def _is_inside_folder(self, entry: Path) -> bool:
        try:
            real = entry.resolve(strict=True)
        except (OSError, RuntimeError):
            return False
        return real.is_dir() and real.is_relative_to(self.root)

    def videos_folder_files(self, folder: Path) -> tuple[list[tuple[str, Path, str]], list[str]]:
        """The table files of a videos folder -> ([(name shown in messages, file, account)],
        problems). The account is the file's name without its extension for a file directly
        in the folder, the sub-folder's name for the pages inside one. Other files (pictures,
        notes) and deeper folders are not tables and are passed over."""
        files, problems = [], []
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith((".", "__MACOSX")):
                continue
            if entry.is_dir():
                if not self._is_inside_folder(entry):
                    problems.append(f"{folder.name}/{entry.name}/: a link pointing outside the export folder; refused")
                    continue
                members = [(p, entry.name) for p in sorted(entry.iterdir())
                           if not p.name.startswith(".") and p.suffix.lower() in FORMATS]
            elif entry.suffix.lower() in FORMATS:
                members = [(entry, entry.stem)]
            else:
                continue
            for path, account in members:
                relative = path.relative_to(self.root).as_posix()
                try:
                    real = self.resolve(relative)
                except RefusedPath as e:
                    problems.append(f"{relative}: {e}; refused")
                    continue
                files.append((relative, real, account.strip()))
        return files, problems

    def resolve(self, relative: str) -> Path:
        """A path named inside the export -> the real file; RefusedPath if it may not be read."""
        text = str(relative).strip()
        if "://" in text or text.lower().startswith(("http:", "https:", "ftp:", "file:", "data:")):
            raise RefusedPath("is a URL, not a file in the export (only http and https covers are downloaded, "
                              "and only with --fetch-covers)")
        candidate = PurePosixPath(text.replace("\\", "/"))
        if candidate.is_absolute() or (len(text) > 1 and text[1] == ":"):
            raise RefusedPath("is an absolute path; paths must be relative to the export folder")
        if ".." in candidate.parts:
            raise RefusedPath("leaves the export folder ('..')")
        path = self.root.joinpath(*candidate.parts)
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise RefusedPath("does not exist in the export") from None
        if not real.is_relative_to(self.root):
            raise RefusedPath("is a link pointing outside the export folder")
        mode = real.stat().st_mode
        if not stat.S_ISREG(mode):
            raise RefusedPath("is not a regular file")
        return real
