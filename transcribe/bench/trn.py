"""NIST sclite ``trn`` files: one utterance a line, ``words (utterance-id)``.

Written in the lenient view (lower-case, no punctuation, numbers folded), so that
``sclite -r ref.trn trn -h <system>.trn trn -i wsj`` scores the same words as this bench.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import TranscribeError
from ..files import write_atomic

LINE = re.compile(r"^(?P<words>.*?)\s*\((?P<id>[^()\s]+)\)\s*$")


def trn_line(words: str, utterance_id: str) -> str:
    """One trn line; parentheses inside the words would break the format, so they are dropped."""
    if not re.fullmatch(r"[^()\s]+", utterance_id):
        raise TranscribeError(f"identifiant d'énoncé invalide pour un fichier trn : « {utterance_id} ».")
    clean = " ".join(re.sub(r"[()]", " ", words).split())
    return f"{clean} ({utterance_id})".lstrip()


def format_trn(utterances: dict[str, str]) -> str:
    return "".join(trn_line(words, uid) + "\n" for uid, words in utterances.items())


def write_trn(path: str | Path, utterances: dict[str, str]) -> Path:
    """Write ``{id: words}`` as a trn file (UTF-8, atomically), in the order given."""
    return write_atomic(path, format_trn(utterances))


def parse_trn(text: str, source: str | Path | None = None) -> dict[str, str]:
    """``{id: words}`` from trn text; blank lines and ``;;`` comments are skipped."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith(";;"):
            continue
        match = LINE.match(line)
        if not match:
            raise TranscribeError(f"ligne {number} : format trn attendu « mots (identifiant) ».", source)
        out[match["id"]] = " ".join(match["words"].split())
    return out


def words_to_text(words: str) -> str:
    """Lenient trn words back to a text that the scorer reads into the same words (« l' hiver » → « l'hiver »)."""
    return re.sub(r"(\w')\s+", r"\1", words)


def read_trn(path: str | Path) -> dict[str, str]:
    """Read a trn file (UTF-8, BOM accepted)."""
    path = Path(path)
    try:
        return parse_trn(path.read_text(encoding="utf-8-sig"), path)
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscribeError(f"fichier trn illisible : {exc}", path) from exc
