"""A trainer's recording, decoded and checked before it becomes an exercise's dictation.

Any common audio is read with PyAV (the FFmpeg libraries bundled in the ``av`` wheel that
faster-whisper already needs; no ``ffmpeg`` program): FLAC, WAV, MP3, Ogg/Opus, WebM/Opus as
a browser's MediaRecorder writes it, M4A/AAC. The recording is refused, with a French
message naming the file, when it:

- is not a regular file, is empty, or holds no audio track FFmpeg can decode;
- was **cut mid-stream** (an upload or a recording interrupted): FFmpeg reports the stream
  ending inside its data (« File ended prematurely », a corrupt or partial packet), the
  decoded audio is shorter than the duration its container declares (by more than
  ``TRUNCATION_TOLERANCE``), or an Ogg stream does not end with its end-of-stream page;
- lasts less than ``MIN_SECONDS`` (5 s) or more than ``MAX_SECONDS`` (30 min: a dictated
  compte rendu lasts one to five minutes; transcribing 30 min takes some 15 min on 2 cores);
- is silent (peak under -60 dBFS), or holds less than ``MIN_SPEECH_SECONDS`` of speech for
  the voice-activity detector faster-whisper ships (Silero VAD).

The accepted recording is kept as a normalised FLAC: 16 kHz, mono, 16-bit (what Whisper
reads, and what the bundled dictations are).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..asr.audio import SAMPLE_RATE, SILENCE_PEAK
from ..errors import TranscribeError

MIN_SECONDS = 5.0
MAX_SECONDS = 30 * 60.0
MIN_SPEECH_SECONDS = 1.0
TRUNCATION_TOLERANCE = (0.5, 0.02)  # seconds, share of the declared duration: the larger one
CUT = ("enregistrement interrompu ou incomplet : les données audio s'arrêtent avant la fin du fichier "
       "(envoi ou enregistrement coupé ?). Enregistrez-le ou envoyez-le de nouveau.")
# FFmpeg's words for a stream that stops inside its data (matroska/webm, mov/mp4, any packet).
_CUT_MESSAGES = ("ended prematurely", "truncat", "partial file", "packet corrupt", "invalid pcm packet",
                 "incomplete frame")


@dataclass
class Recording:
    """A decoded recording: 16 kHz mono float32 samples and what was learnt reading it."""

    path: Path
    samples: np.ndarray
    format: str  # container and codec, as FFmpeg names them: "ogg/opus", "matroska,webm/opus"
    speech_seconds: float = 0.0

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    def flac_bytes(self) -> bytes:
        """The normalised FLAC: 16 kHz, mono, 16-bit PCM."""
        import soundfile

        buffer = io.BytesIO()
        soundfile.write(buffer, np.clip(self.samples, -1.0, 1.0), SAMPLE_RATE, format="FLAC", subtype="PCM_16")
        return buffer.getvalue()


def minutes(seconds: float) -> str:
    """« 9 s », « 2 min 05 s », in French."""
    seconds = int(round(seconds))
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


def _ogg_ends_properly(path: Path) -> bool:
    """Whether an Ogg file is whole: every page complete, the last one flagged end-of-stream.

    The page header (RFC 3533): « OggS », version, flags (4 = end of stream), granule, serial,
    sequence, CRC, then the number of segments and their sizes; the page's data follows."""
    with open(path, "rb") as handle:
        data = handle.read()
    pos, last_flags = 0, None
    while pos < len(data):
        if data[pos:pos + 4] != b"OggS" or pos + 27 > len(data):
            return False
        flags, segments = data[pos + 5], data[pos + 26]
        table = data[pos + 27:pos + 27 + segments]
        end = pos + 27 + segments + sum(table)
        if len(table) < segments or end > len(data):
            return False
        last_flags, pos = flags, end
    return last_flags is not None and bool(last_flags & 0x04)


def _decode(path: Path) -> tuple[np.ndarray, str, float | None, list[str]]:
    """(samples, format, declared duration or None, FFmpeg's warnings and errors) of a file."""
    import av
    import av.logging

    previous, skipped = av.logging.get_level(), av.logging.get_skip_repeated()
    av.logging.set_level(av.logging.WARNING)
    av.logging.set_skip_repeated(False)  # a message seen last time (another cut file) must be seen again
    try:
        with av.logging.Capture() as logs:
            try:
                container = av.open(str(path), metadata_errors="ignore")
            except (av.error.FFmpegError, UnicodeDecodeError) as exc:
                raise TranscribeError("fichier audio illisible : ce n'est pas un enregistrement dans un format "
                                      "reconnu (FLAC, WAV, MP3, Ogg/Opus, WebM, M4A…), ou il est incomplet.",
                                      path) from exc
            with container:
                if not container.streams.audio:
                    raise TranscribeError("ce fichier ne contient aucune piste audio.", path)
                stream = container.streams.audio[0]
                declared = container.duration / av.time_base if container.duration else None
                if declared is not None and declared > MAX_SECONDS * 1.1:
                    raise TranscribeError(f"enregistrement trop long ({minutes(declared)} ; "
                                          f"{minutes(MAX_SECONDS)} au plus).", path)
                codec = stream.codec_context.name if stream.codec_context else "?"
                resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
                chunks, total = [], 0
                try:
                    for packet in container.demux(stream):
                        for frame in packet.decode():
                            for out in resampler.resample(frame):
                                chunk = out.to_ndarray().reshape(-1)
                                chunks.append(chunk)
                                total += len(chunk)
                        if total > MAX_SECONDS * 1.1 * SAMPLE_RATE:
                            raise TranscribeError(f"enregistrement trop long (plus de {minutes(MAX_SECONDS)}).",
                                                  path)
                    chunks += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
                except av.error.FFmpegError as exc:
                    raise TranscribeError(CUT, path) from exc
                fmt = f"{container.format.name}/{codec}"
        messages = [m for level, _name, m in logs if level <= av.logging.WARNING]
    finally:
        av.logging.set_level(previous)
        av.logging.set_skip_repeated(skipped)
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    return samples, fmt, declared, messages


def decode_recording(path: str | Path) -> Recording:
    """The recording at ``path``, decoded and checked (see the module's docstring)."""
    from ..inputs import check_file

    path = Path(path)
    if check_file(path, "audio").st_size == 0:
        raise TranscribeError("fichier audio vide.", path)
    samples, fmt, declared, messages = _decode(path)
    if samples.size == 0:
        raise TranscribeError("fichier audio vide : aucun son n'a pu être décodé.", path)
    if not np.all(np.isfinite(samples)):
        raise TranscribeError("fichier audio endommagé (valeurs invalides).", path)
    decoded = len(samples) / SAMPLE_RATE
    estimated = any("estimating duration" in m.lower() for m in messages)
    tolerance = max(TRUNCATION_TOLERANCE[0], TRUNCATION_TOLERANCE[1] * (declared or 0.0))
    if (any(word in m.lower() for m in messages for word in _CUT_MESSAGES)
            or (declared is not None and not estimated and declared - decoded > tolerance)
            or (fmt.startswith("ogg/") and not _ogg_ends_properly(path))):
        raise TranscribeError(CUT, path)
    if decoded < MIN_SECONDS:
        shown = f"{decoded:.1f}".replace(".", ",")
        raise TranscribeError(f"enregistrement trop court ({shown} s ; {MIN_SECONDS:.0f} s au moins).", path)
    if decoded > MAX_SECONDS:
        raise TranscribeError(f"enregistrement trop long ({minutes(decoded)} ; {minutes(MAX_SECONDS)} au plus).",
                              path)
    if float(np.max(np.abs(samples))) < SILENCE_PEAK:
        raise TranscribeError("aucun son dans cet enregistrement (silence).", path)
    speech = speech_seconds(samples)
    if speech < MIN_SPEECH_SECONDS:
        raise TranscribeError("aucune parole détectée dans cet enregistrement (bruit ou silence seulement).", path)
    return Recording(path, samples, fmt, round(speech, 2))


def speech_seconds(samples: np.ndarray) -> float:
    """Seconds of speech that Silero VAD (faster-whisper's) finds in 16 kHz mono samples."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chunks = get_speech_timestamps(samples, VadOptions())
    return sum(c["end"] - c["start"] for c in chunks) / SAMPLE_RATE
