"""Safe, bounded reading of a video file with PyAV (FFmpeg inside the `av` wheels).

Safety, as for pictures (lint.ingest.images): the caller passes a path that
ExportSource.resolve accepted (inside the export, no link out). Here:

- the container is recognised by its first bytes (ISO BMFF `ftyp`/`moov`... for .mp4/.mov,
  the EBML magic for .webm/.mkv) and the matching demuxer is *forced*, so FFmpeg never
  probes the file as something else (an HLS playlist or a concat list could name other
  files); only h264, hevc, vp8, vp9, av1 and mpeg4 video is decoded;
- the byte size, the pixel count and the duration are checked from the headers before
  any frame is decoded, the frame size again on every decoded frame, and the decoding
  stops at a deadline (VIDEO_DECODE_TIMEOUT_S);
- every failure is a VideoProblem whose message names the cause (an input error of the
  video's row, never a crash).

Speed: frames are converted to a small greyscale picture by swscale (the hash needs
32 x 32); when the key frames are at most KEY_FRAME_MAX_GAP_S apart only they are decoded
(`skip_frame = "NONKEY"`), otherwise every frame is decoded except the non-reference ones
(`"NONREF"`) and one frame per 1/SAMPLE_FPS s is kept.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lint.ingest.limits import env_int

MAX_VIDEO_BYTES = env_int("VIDEO_MAX_BYTES", 512 * 1024 * 1024)
MAX_VIDEO_PIXELS = env_int("VIDEO_MAX_PIXELS", 4096 * 4096)
MAX_VIDEO_DURATION_S = env_int("VIDEO_MAX_DURATION_S", 900)
VIDEO_DECODE_TIMEOUT_S = env_int("VIDEO_DECODE_TIMEOUT_S", 30)

# Sampling: TikTok shots last ~1-3 s; 2 frames a second gives every shot two samples and
# two versions of a clip sampled at different instants are at most 0.25 s apart.
SAMPLE_FPS = 2.0
# Key frames at most this far apart sample a clip well enough for the time alignment, and
# decoding only them costs 5-20x less than decoding every frame.
KEY_FRAME_MAX_GAP_S = 2.0
# ... but a short clip has too few of them: below this many, every frame is decoded (cheap
# for a short clip anyway).
MIN_KEY_FRAMES = 12
# The small picture each kept frame becomes (longest side, pixels).
SMALL_SIDE = 160

DECODED_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "libdav1d", "mpeg4"}
_ISO_BOXES = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_EBML = b"\x1a\x45\xdf\xa3"


class VideoProblem(Exception):
    """The video cannot be read; the message says why (for the report)."""


@dataclass(frozen=True)
class VideoLimits:
    max_bytes: int = MAX_VIDEO_BYTES
    max_pixels: int = MAX_VIDEO_PIXELS
    max_duration_s: float = MAX_VIDEO_DURATION_S
    timeout_s: float = VIDEO_DECODE_TIMEOUT_S


@dataclass
class SampledFrames:
    times: np.ndarray  # seconds from the start, float64, increasing
    pixels: list  # small greyscale arrays (float32), one per time
    duration_s: float
    key_frames_only: bool
    width: int
    height: int


def container_format(path: Path) -> str:
    """The demuxer for the file's content: 'mov' (mp4/mov) or 'matroska' (webm/mkv)."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    if len(head) >= 8 and head[4:8] in _ISO_BOXES:
        return "mov"
    if head[:4] == _EBML:
        return "matroska"
    return ""


def _why(e: Exception) -> str:
    """FFmpeg's reason without the file's path (a report must not show server paths)."""
    text = getattr(e, "strerror", None) or str(e)
    return str(text).split(": '/")[0].strip()[:120]


def _import_av():
    try:
        import av  # noqa: F401
        import av.logging
    except ImportError:
        raise VideoProblem("cannot be read: video reading needs the 'video' extra (pip install 'shoplint[video]')") \
            from None
    av.logging.set_level(av.logging.PANIC)  # FFmpeg's own messages would only repeat ours
    return av


def _open(path: Path, limits: VideoLimits):
    """-> (container, video stream, duration in s or None), every header limit checked."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise VideoProblem(f"cannot be read ({e.strerror or e})") from None
    if size > limits.max_bytes:
        raise VideoProblem(f"is {size} bytes (limit {limits.max_bytes})")
    fmt = container_format(path)
    if not fmt:
        raise VideoProblem("is not an MP4, MOV, WebM or MKV video (by its content)")
    av = _import_av()
    try:
        container = av.open(str(path), mode="r", format=fmt,
                            options={"probesize": "5000000", "analyzeduration": "5000000"})
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as e:
        raise VideoProblem(f"is damaged or not a video ({_why(e)})") from None
    try:
        if not container.streams.video:
            raise VideoProblem("has no video stream")
        stream = container.streams.video[0]
        cc = stream.codec_context
        codec = (cc.name or "").lower() if cc is not None else ""
        if codec not in DECODED_CODECS:
            raise VideoProblem(f"has {codec or 'an unknown'} video; only H.264, HEVC, VP8, VP9, AV1 and MPEG-4 "
                               "are decoded")
        w, h = int(cc.width or 0), int(cc.height or 0)
        if w <= 0 or h <= 0:
            raise VideoProblem("has no frame size in its header")
        if w * h > limits.max_pixels:
            raise VideoProblem(f"is {w}x{h} pixels (limit {limits.max_pixels} pixels)")
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        if duration is not None and duration > limits.max_duration_s:
            raise VideoProblem(f"lasts {duration:.0f} s (limit {limits.max_duration_s:g} s)")
        return container, stream, duration
    except BaseException:
        container.close()
        raise


def _small_size(w: int, h: int, side: int) -> tuple[int, int]:
    scale = side / max(w, h)
    return max(16, round(w * scale)) // 2 * 2, max(16, round(h * scale)) // 2 * 2


def _frames(container, stream, limits: VideoLimits, deadline: float):
    """Decoded frames with their time, checked against the limits as they come."""
    av = _import_av()
    try:
        for frame in container.decode(stream):
            if time.monotonic() > deadline:
                raise VideoProblem(f"took more than {limits.timeout_s:g} s to decode (limit)")
            if frame.width * frame.height > limits.max_pixels:
                raise VideoProblem(f"has a {frame.width}x{frame.height} frame (limit {limits.max_pixels} pixels)")
            t = frame.time
            if t is None:
                continue
            if t > limits.max_duration_s:
                raise VideoProblem(f"lasts more than {limits.max_duration_s:g} s (limit)")
            yield float(t), frame
    except VideoProblem:
        raise
    except (av.FFmpegError, OSError, ValueError, MemoryError) as e:
        raise VideoProblem(f"is damaged ({_why(e)})") from None


def _key_frame_times(path: Path, fmt: str, limits: VideoLimits, deadline: float) -> tuple[list[float], float]:
    """Times of the key frames and of the last packet, from the packets alone (no decoding)."""
    av = _import_av()
    keys, last = [], 0.0
    with av.open(str(path), mode="r", format=fmt) as c:
        s = c.streams.video[0]
        try:
            for n, packet in enumerate(c.demux(s)):
                if packet.pts is None or packet.time_base is None:
                    continue
                t = float(packet.pts * packet.time_base)
                last = max(last, t)
                if packet.is_keyframe:
                    keys.append(t)
                if t > limits.max_duration_s:
                    raise VideoProblem(f"lasts more than {limits.max_duration_s:g} s (limit)")
                if n % 256 == 0 and time.monotonic() > deadline:
                    raise VideoProblem(f"took more than {limits.timeout_s:g} s to read (limit)")
        except VideoProblem:
            raise
        except (av.FFmpegError, OSError, ValueError) as e:
            raise VideoProblem(f"is damaged ({_why(e)})") from None
    return sorted(keys), last


def sample_frames(path: Path, limits: VideoLimits | None = None, fps: float = SAMPLE_FPS,
                  side: int = SMALL_SIDE, key_gap_s: float = KEY_FRAME_MAX_GAP_S) -> SampledFrames:
    """Frames sampled in time, as small greyscale arrays (see the module's doc)."""
    limits = limits or VideoLimits()
    deadline = time.monotonic() + limits.timeout_s
    path = Path(path)
    container, stream, duration = _open(path, limits)
    fmt = container_format(path)
    frames = None
    try:
        keys, last = _key_frame_times(path, fmt, limits, deadline)
        end = max(duration or 0.0, last)
        gaps = np.diff([0.0, *keys, end]) if keys else np.asarray([np.inf])
        key_only = bool(keys) and keys[0] <= key_gap_s / 2 and float(gaps.max()) <= key_gap_s \
            and len(keys) >= MIN_KEY_FRAMES
        cc = stream.codec_context
        cc.skip_frame = "NONKEY" if key_only else "NONREF"
        stream.thread_type = "AUTO"
        w, h = _small_size(cc.width, cc.height, side)
        times, pixels = [], []
        step = 1.0 / fps
        next_t = -1.0
        frames = _frames(container, stream, limits, deadline)
        for t, frame in frames:
            if t < next_t - 1e-6:
                continue
            small = frame.reformat(width=w, height=h, format="gray", interpolation="AREA").to_ndarray()
            times.append(t)
            pixels.append(np.asarray(small, dtype=np.float32))
            next_t = t + step * 0.75 if key_only else (np.floor(t / step + 1e-6) + 1) * step
        if not times:
            raise VideoProblem("has no decodable frame")
        order = np.argsort(times, kind="stable")
        return SampledFrames(np.asarray(times, np.float64)[order], [pixels[i] for i in order],
                             max(end, times[-1]), key_only, int(cc.width), int(cc.height))
    finally:
        if frames is not None:
            frames.close()  # the generator first, then the container: a fixed order of release
        container.close()


def frame_at(path: Path, seconds: float, limits: VideoLimits | None = None, max_side: int = 640):
    """The frame shown at `seconds` as a PIL RGB image (at most `max_side` pixels on its long
    side), decoded within the same limits; for showing a matched frame pair to a person.

    Decoded without frame threading: it is one frame from the nearest key frame, and leaving
    a frame-threaded decoder with frames in flight (we stop at the frame we need) can hang
    FFmpeg when the codec is closed."""
    limits = limits or VideoLimits()
    deadline = time.monotonic() + limits.timeout_s
    path = Path(path)
    container, stream, _ = _open(path, limits)
    av = _import_av()
    frames = None
    try:
        stream.thread_type = "SLICE"
        seconds = max(0.0, float(seconds))
        if stream.time_base is not None and seconds > 0:
            try:
                container.seek(int(seconds / stream.time_base), stream=stream, backward=True, any_frame=False)
            except (av.FFmpegError, OSError, ValueError):
                container.seek(0, stream=stream)
        best = None
        frames = _frames(container, stream, limits, deadline)
        for t, frame in frames:
            best = frame
            if t + 1e-3 >= seconds:
                break
        if best is None:
            raise VideoProblem("has no decodable frame")
        w, h = best.width, best.height
        scale = min(1.0, max_side / max(w, h))
        return best.to_image(width=max(2, round(w * scale)), height=max(2, round(h * scale)))
    finally:
        if frames is not None:
            frames.close()  # the generator first, then the container: a fixed order of release
        container.close()
