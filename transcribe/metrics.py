"""Error rates from jiwer: lenient WER/CER/MER/WIL, strict WER, and corpus micro-averages.

The lenient view is the one to compare with published ASR numbers: lower-case, no
punctuation, numbers as digits, units as symbols, accents and elisions kept (« l'hôpital » is
« l' hôpital », never « lhôpital »; « 2,5 » stays « 2,5 », never « 25 »). The strict view
keeps case, accents and punctuation marks, one token each.
"""

from __future__ import annotations

from dataclasses import dataclass

import jiwer

from .alignment import _as_ids
from .views import Item, lenient_words


@dataclass
class Rates:
    wer: float
    cer: float
    mer: float
    wil: float
    wer_strict: float
    ref_words: int
    hyp_words: int
    # Raw counts, for corpus micro-averages.
    word_errors: int = 0
    char_errors: int = 0
    ref_chars: int = 0


def _word_output(ref: list[str], hyp: list[str]) -> jiwer.WordOutput | None:
    if not ref:
        return None
    ref_ids, hyp_ids = _as_ids([ref, hyp])
    return jiwer.process_words(ref_ids, hyp_ids if hyp else "")


def lenient_rates(ref_words: list[str], hyp_words: list[str]) -> tuple[jiwer.WordOutput | None, jiwer.CharacterOutput | None]:
    words = _word_output(ref_words, hyp_words)
    ref_text, hyp_text = " ".join(ref_words), " ".join(hyp_words)
    chars = jiwer.process_characters(ref_text, hyp_text) if ref_text else None
    return words, chars


def compute_rates(ref: list[Item], hyp: list[Item]) -> Rates:
    ref_words, hyp_words = lenient_words(ref), lenient_words(hyp)
    words, chars = lenient_rates(ref_words, hyp_words)
    strict = _word_output([it.surface for it in ref], [it.surface for it in hyp])

    def errors(out):
        return out.substitutions + out.deletions + out.insertions if out else len(hyp_words)

    return Rates(
        wer=words.wer if words else float(bool(hyp_words)),
        cer=chars.cer if chars else float(bool(hyp_words)),
        mer=words.mer if words else float(bool(hyp_words)),
        wil=words.wil if words else float(bool(hyp_words)),
        wer_strict=strict.wer if strict else float(bool(hyp)),
        ref_words=len(ref_words),
        hyp_words=len(hyp_words),
        word_errors=errors(words),
        char_errors=errors(chars) if chars else 0,
        ref_chars=len(" ".join(ref_words)),
    )


def corpus_wer(pairs: list[tuple[list[str], list[str]]]) -> float:
    """Micro-averaged WER: total errors over total reference words (jiwer on the lists)."""
    kept = [(r, h) for r, h in pairs if r]
    if not kept:
        return 0.0
    refs, hyps = [], []
    for r, h in kept:
        rid, hid = _as_ids([r, h])
        refs.append(rid)
        hyps.append(hid)
    return jiwer.process_words(refs, hyps).wer
