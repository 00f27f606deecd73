"""Transcript output: plain text, JSON, SRT and WebVTT, with low-confidence words marked for review."""

from __future__ import annotations

import json
import re

from .commands import apply_commands
from .transcript import Transcript, Word

FORMATS = ("txt", "json", "srt", "vtt")
REVIEW_THRESHOLD = 0.5
EDGE_PUNCT = ".,;:!?…«»()\"“”'’- "


def mark_low_confidence(text: str, words: list[Word], threshold: float = REVIEW_THRESHOLD) -> str:
    """Wrap each word whose probability < threshold as ``[[mot?]]``, found in order in `text`."""
    out, pos = [], 0
    for word in words:
        bare = word.word.strip(EDGE_PUNCT)
        if not bare:
            continue
        match = re.compile(r"(?<!\w)" + re.escape(bare) + r"(?!\w)", re.IGNORECASE).search(text, pos)
        if match is None or match.start() - pos > 200:
            continue  # a dictated command, turned into a symbol
        if word.probability < threshold:
            out.append(text[pos:match.start()] + f"[[{match.group()}?]]")
        else:
            out.append(text[pos:match.end()])
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


def low_confidence_words(transcript: Transcript, threshold: float = REVIEW_THRESHOLD) -> list[Word]:
    return [w for w in transcript.words if w.probability < threshold]


def _segment_text(transcript: Transcript, text: str) -> str:
    text = apply_commands(text) if transcript.options.get("commands", True) else text.strip()
    return re.sub(r"\n+", "\n", text).strip()


def to_txt(transcript: Transcript, review: bool = False, threshold: float = REVIEW_THRESHOLD) -> str:
    text = mark_low_confidence(transcript.text, transcript.words, threshold) if review else transcript.text
    return text.rstrip("\n") + "\n"


def to_json(transcript: Transcript, review: bool = False, threshold: float = REVIEW_THRESHOLD) -> str:
    data = transcript.to_dict()
    if review:
        data["review_threshold"] = threshold
        data["review"] = [vars(w) for w in low_confidence_words(transcript, threshold)]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def timestamp(seconds: float, separator: str = ",") -> str:
    """HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (VTT)."""
    millis = max(0, int(round(seconds * 1000)))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _cues(transcript: Transcript, review: bool, threshold: float):
    for seg in transcript.segments:
        text = _segment_text(transcript, seg.text)
        if review:
            text = mark_low_confidence(text, seg.words, threshold)
        if text:
            yield seg, text


def to_srt(transcript: Transcript, review: bool = False, threshold: float = REVIEW_THRESHOLD) -> str:
    blocks = [f"{n}\n{timestamp(seg.start)} --> {timestamp(seg.end)}\n{text}\n"
              for n, (seg, text) in enumerate(_cues(transcript, review, threshold), start=1)]
    return "\n".join(blocks)


def to_vtt(transcript: Transcript, review: bool = False, threshold: float = REVIEW_THRESHOLD) -> str:
    blocks = [f"{timestamp(seg.start, '.')} --> {timestamp(seg.end, '.')}\n{text}\n"
              for seg, text in _cues(transcript, review, threshold)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def render(transcript: Transcript, fmt: str = "txt", review: bool = False,
           threshold: float = REVIEW_THRESHOLD) -> str:
    writers = {"txt": to_txt, "json": to_json, "srt": to_srt, "vtt": to_vtt}
    return writers[fmt](transcript, review=review, threshold=threshold)
