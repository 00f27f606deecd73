"""Per-dictation and corpus metrics of each system: WER, CER, strict WER, terms, critical errors, speed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..scoring import score_texts
from .runner import Dictation, ItemRun, System, SystemRun
from .stats import bootstrap_ci, ratio

CRITICAL_FLAGS = ("identite", "valeur_critique")


@dataclass
class ItemResult:
    """One system on one dictation (error counts kept for micro-averages)."""

    id: str
    ref_words: int = 0
    word_errors: int = 0
    wer: float | None = None
    ref_chars: int = 0
    char_errors: int = 0
    cer: float | None = None
    ref_items: int = 0
    strict_errors: int = 0
    wer_strict: float | None = None
    terms_total: int = 0
    terms_correct: int = 0
    term_accuracy: float | None = None
    critical_errors: int = 0
    duration: float | None = None
    elapsed: float | None = None
    rtf: float | None = None
    wall: float | None = None
    from_cache: bool = False
    error: str | None = None
    hyp_lenient: str = ""
    spoken_words: int = 0  # the dictated words (.dictee.txt), when known
    spoken_errors: int = 0
    wer_spoken: float | None = None  # Whisper's raw text against the dictated words: the engine alone

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class SystemResult:
    name: str
    system: System | None  # None for hypotheses scored from a folder (--hyp-dir)
    items: list[ItemResult] = field(default_factory=list)
    corpus: dict = field(default_factory=dict)
    wall: float | None = None
    peak_rss_mb: float | None = None
    unknown_ids: list[str] = field(default_factory=list)  # hypotheses with no matching reference

    def by_id(self) -> dict[str, ItemResult]:
        return {i.id: i for i in self.items}

    def to_dict(self) -> dict:
        return {"name": self.name, "system": self.system.to_dict() if self.system else None,
                "corpus": self.corpus, "wall_s": self.wall, "peak_rss_mb": self.peak_rss_mb,
                "items": [asdict(i) for i in self.items]}


def score_item(dictation: Dictation, hyp: str, reference_text: str | None = None) -> ItemResult:
    """Score one hypothesis against the dictation's written reference (lenient view for WER/CER)."""
    from ..views import lenient_text

    ref = reference_text if reference_text is not None else dictation.exercise.reference_text()
    score = score_texts(hyp, ref, dictation.exercise)
    r = score.rates
    n_strict = len(score.ref_items)
    correct = sum(t.correct for t in score.terms)
    return ItemResult(
        id=dictation.id, ref_words=r.ref_words, word_errors=r.word_errors, wer=r.wer,
        ref_chars=r.ref_chars, char_errors=r.char_errors, cer=r.cer,
        ref_items=n_strict, strict_errors=round(r.wer_strict * n_strict), wer_strict=r.wer_strict,
        terms_total=len(score.terms), terms_correct=correct, term_accuracy=score.term_accuracy,
        critical_errors=sum(1 for e in score.errors if any(f in CRITICAL_FLAGS for f in e.flags)),
        hyp_lenient=lenient_text(hyp))


def dictated_text(dictation: Dictation) -> str | None:
    """The exact spoken words (``<audio stem>.dictee.txt`` beside the audio), commands included."""
    if dictation.audio is None:
        return None
    path = dictation.audio.with_name(dictation.audio.stem + ".dictee.txt")
    try:
        return path.read_text(encoding="utf-8-sig") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def spoken_rates(spoken: str, raw: str) -> tuple[int, int, float]:
    """(dictated words, word errors, WER) of Whisper's raw text against the dictated words, lenient view."""
    from ..metrics import lenient_rates
    from ..views import lenient_words, text_items

    ref, hyp = lenient_words(text_items(spoken)), lenient_words(text_items(raw))
    words, _ = lenient_rates(ref, hyp)
    if words is None:
        return 0, len(hyp), float(bool(hyp))
    errors = words.substitutions + words.deletions + words.insertions
    return len(ref), errors, words.wer


def item_result(dictation: Dictation, run: ItemRun) -> ItemResult:
    """An ASR run scored, its timings attached; a failed run keeps its error and no metric."""
    if run.error:
        return ItemResult(id=dictation.id, error=run.error)
    result = score_item(dictation, run.text)
    result.duration, result.elapsed, result.wall, result.from_cache = run.duration, run.elapsed, run.wall, run.from_cache
    result.rtf = run.elapsed / run.duration if run.elapsed is not None and run.duration else None
    spoken = dictated_text(dictation)
    if spoken:
        result.spoken_words, result.spoken_errors, result.wer_spoken = spoken_rates(spoken, run.raw_text or run.text)
    return result


def corpus_figures(items: list[ItemResult], samples: int = 1000, seed: int = 0) -> dict:
    """Micro-averaged figures over the scored dictations, with 95 % bootstrap intervals."""
    ok = [i for i in items if i.ok]

    def col(name):
        return [getattr(i, name) for i in ok]

    def with_ci(errors, totals):
        value = ratio(errors, totals) if ok else None
        ci = bootstrap_ci(errors, totals, samples, seed) if ok else None
        return value, list(ci) if ci else None

    wer, wer_ci = with_ci(col("word_errors"), col("ref_words"))
    spoken = [i for i in ok if i.wer_spoken is not None]
    if spoken:
        wer_spoken = ratio([i.spoken_errors for i in spoken], [i.spoken_words for i in spoken])
        ci = bootstrap_ci([i.spoken_errors for i in spoken], [i.spoken_words for i in spoken], samples, seed)
        wer_spoken_ci = list(ci) if ci else None
    else:
        wer_spoken, wer_spoken_ci = None, None
    cer, cer_ci = with_ci(col("char_errors"), col("ref_chars"))
    strict, strict_ci = with_ci(col("strict_errors"), col("ref_items"))
    terms, terms_ci = with_ci(col("terms_correct"), col("terms_total"))
    timed = [i for i in ok if i.elapsed is not None and i.duration]
    rtf, rtf_ci = (with_ci([i.elapsed for i in timed], [i.duration for i in timed]) if timed else (None, None))
    return {
        "dictations": len(ok), "failed": len(items) - len(ok),
        "ref_words": sum(col("ref_words")), "word_errors": sum(col("word_errors")),
        "wer": wer, "wer_ci": wer_ci, "wer_spoken": wer_spoken, "wer_spoken_ci": wer_spoken_ci,
        "cer": cer, "cer_ci": cer_ci,
        "wer_strict": strict, "wer_strict_ci": strict_ci,
        "terms_total": sum(col("terms_total")), "terms_correct": sum(col("terms_correct")),
        "term_accuracy": terms, "term_accuracy_ci": terms_ci,
        "critical_errors": sum(col("critical_errors")),
        "audio_s": round(sum(i.duration for i in timed), 3) if timed else None,
        "processing_s": round(sum(i.elapsed for i in timed), 3) if timed else None,
        "rtf": rtf, "rtf_ci": rtf_ci,
        "from_cache": sum(1 for i in ok if i.from_cache),
    }


def system_result(run: SystemRun, dictations: list[Dictation], samples: int = 1000, seed: int = 0) -> SystemResult:
    """A system's run scored dictation by dictation, then on the corpus."""
    runs = {i.id: i for i in run.items}
    items = [item_result(d, runs.get(d.id, ItemRun(d.id, error="non transcrit"))) for d in dictations]
    return SystemResult(run.system.name, run.system, items, corpus_figures(items, samples, seed),
                        run.wall, run.peak_rss_mb if run.peak_measured else None)


def hypotheses_result(name: str, hyps: dict[str, str], dictations: list[Dictation], samples: int = 1000,
                      seed: int = 0) -> SystemResult:
    """Hypotheses from elsewhere (no ASR run): missing ones are reported as failed dictations."""
    items = []
    for d in dictations:
        if d.id in hyps:
            items.append(score_item(d, hyps[d.id]))
        else:
            items.append(ItemResult(id=d.id, error="hypothèse absente"))
    return SystemResult(name, None, items, corpus_figures(items, samples, seed))


def difficulty(results: list[SystemResult], dictations: list[Dictation]) -> list[dict]:
    """Per exercise: WER averaged over the systems that scored it, hardest first."""
    rows = []
    for d in dictations:
        scored = [r.by_id()[d.id] for r in results if d.id in r.by_id() and r.by_id()[d.id].ok]
        if not scored:
            continue
        wers = [i.wer for i in scored]
        rows.append({"id": d.id, "title": d.exercise.title, "systems": len(scored),
                     "wer_mean": sum(wers) / len(wers), "wer_min": min(wers), "wer_max": max(wers),
                     "difficulty": d.exercise.difficulty})
    return sorted(rows, key=lambda r: -r["wer_mean"])
