"""Scoring one submission against its reference: the score object of the contract.

``score_texts`` runs the pipeline — items of both texts, alignment, typed errors with their
flags, medical terms, error rates — and returns a `Score`. The grading criteria, the note
and the skill decision are added by ``grading``; this module leaves their keys ready.

When the exercise has a template, the given lines the copy deleted (``given``) are left out
of the alignment and listed in ``Score.template_deleted``, not as omitted words; a number on
a given line is not a critical value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .alignment import Edit, align_items
from .classify import Error, classify, flag_spans
from .exercise import Exercise, GivenLine, load_exercise
from .given import found_words, unmatched_lines
from .lexicon import Lexicon, load_lexicon
from .metrics import Rates, compute_rates
from .reading import Document, document_from_text, read_document
from .views import Item, items_from_tokens, starts_sentence
from .tokenize import tokenize


@dataclass
class TermResult:
    term: str
    start: int  # reference items [start, end)
    end: int
    correct: bool
    hyp: str = ""
    type: str = ""


@dataclass
class Score:
    reference: Document
    submission: Document
    exercise: Exercise | None
    ref_items: list[Item]
    hyp_items: list[Item]
    edits: list[Edit]
    errors: list[Error]
    rates: Rates
    terms: list[TermResult]
    criteria: dict = field(default_factory=dict)
    note: float | None = None
    acquis: bool | None = None
    decision: str = ""
    advice: dict = field(default_factory=dict)
    layout: object = None
    bareme: object = None
    points_lost: float | None = None
    post_edit: object = None  # postedit.PostEdit, when the text is a corrected draft
    template_deleted: list[GivenLine] | None = None  # None: no template (or not looked at)
    skipped: frozenset[int] = frozenset()  # reference items of the deleted given lines

    @property
    def term_accuracy(self) -> float | None:
        if not self.terms:
            return None
        return sum(t.correct for t in self.terms) / len(self.terms)

    @property
    def native_note(self) -> float | None:
        """The note on the barème's own scale (« 7,5 » on the brevet's 10), or None."""
        if self.points_lost is None or self.bareme is None:
            return None
        return round(max(0.0, self.bareme.scale - self.points_lost), 2)

    def to_dict(self) -> dict:
        """The score contract (see SPEC.md): ``note`` is out of 20 whatever the barème (the
        reports also show ``native_note``, on the barème's own scale)."""
        data = {
            "acquis": self.acquis,
            "note": self.note,
            "criteria": self.criteria,
            "metrics": {
                "wer": self.rates.wer,
                "cer": self.rates.cer,
                "wer_strict": self.rates.wer_strict,
                "mer": self.rates.mer,
                "wil": self.rates.wil,
                "term_accuracy": self.term_accuracy,
                "ref_words": self.rates.ref_words,
                "hyp_words": self.rates.hyp_words,
            },
            "errors": [e.to_dict() for e in self.errors],
            "terms": {
                "total": len(self.terms),
                "correct": sum(t.correct for t in self.terms),
                "failed": [{"term": t.term, "hyp": t.hyp, "type": t.type} for t in self.terms if not t.correct],
            },
        }
        if self.template_deleted is not None:
            data["template_lines_deleted"] = [{"text": g.text, "reference_line": g.reference_line}
                                              for g in self.template_deleted]
        if self.post_edit is not None:
            data["post_edit"] = self.post_edit.to_dict()
        return data


def match_terms(ref: list[Item], lexicon: Lexicon, text: str) -> list[tuple[int, int, str]]:
    """Medical terms of the reference as spans of item indices (punctuation ends a term),
    each with its text as written in the reference."""
    spans = []
    run: list[int] = []
    for i, it in enumerate(ref + [None]):  # type: ignore[operator]
        if it is not None and not it.is_punct:
            run.append(i)
            continue
        for m in lexicon.match([ref[k].surface for k in run]):
            start, end = run[m.start], run[m.end - 1] + 1
            spans.append((start, end, text[ref[start].tokens[0].start:ref[end - 1].tokens[-1].end]))
        run = []
    return spans


def fails_term(error: Error, ref: list[Item]) -> bool:
    """Does this error fail the medical term it touches? A term fails by its spelling (letters,
    accents, hyphens), not by the capital of the sentence it starts: « échographie » typed at the
    start of a sentence, or « Échographie » typed inside one, keep the term (the ``majuscule``
    error still counts in ORT). An acronym's capitals (« Irm » for « IRM », « hbA1c ») and a proper
    name's capital inside a sentence (« holter » for « Holter ») still fail it."""
    if error.type != "majuscule" or len(error.ref_items) != 1:
        return True
    r, h = error.ref, error.hyp
    if len(r) != len(h) or r[1:] != h[1:] or any(c.isupper() for c in r[1:]):
        return True  # case changed beyond the first letter, or an acronym
    if r[:1].islower():
        return False  # a capital added to a common word: the spelling is right
    return not starts_sentence(error.ref_items[0], ref)


def _term_results(spans, edits: list[Edit], errors: list[Error], ref: list[Item], hyp: list[Item],
                  hyp_text: str) -> list[TermResult]:
    error_of: dict[int, Error] = {}
    for e in errors:
        for i in e.ref_items:
            error_of.setdefault(i, e)
    hyp_of: dict[int, tuple[int, ...]] = {}
    for edit in edits:
        for i in edit.ref:
            hyp_of[i] = edit.hyp
    added = [e for e in errors if not e.ref_items and e.type == "ajout"]
    results = []
    for start, end, surface in spans:
        failed = [error_of[i] for i in range(start, end) if i in error_of and fails_term(error_of[i], ref)]
        # An insertion inside the term (between its words) breaks it too.
        inner = [e for e in added if end - start > 1 and _inside(e, start, end, hyp_of)]
        hyp_idx = sorted({j for i in range(start, end) for j in hyp_of.get(i, ())})
        typed = hyp_text[hyp[hyp_idx[0]].tokens[0].start:hyp[hyp_idx[-1]].tokens[-1].end] if hyp_idx else ""
        if failed or inner:
            results.append(TermResult(surface, start, end, False, typed, (failed or inner)[0].type))
        else:
            results.append(TermResult(surface, start, end, True, typed))
    return results


def _inside(error: Error, start: int, end: int, hyp_of: dict[int, tuple[int, ...]]) -> bool:
    first = hyp_of.get(start, ())
    last = hyp_of.get(end - 1, ())
    if not first or not last:
        return False
    return min(first) < min(error.hyp_items) < max(last)


@dataclass(frozen=True)
class ReferenceAnalysis:
    """What scoring needs of a reference, computed once per reference text and exercise."""

    items: list[Item]
    spans: list[tuple[int, int, str]]
    flags: dict[int, set[str]]


@lru_cache(maxsize=128)
def analyse_reference(text: str, terms: tuple[str, ...] = (), patient: tuple[str, ...] = (),
                      critical: tuple[str, ...] = (), given_lines: frozenset[int] = frozenset()) -> ReferenceAnalysis:
    """Items, medical-term spans and flags of a reference (cached: a class shares references).
    Items on ``given_lines`` (the template's lines) are never critical values."""
    lexicon = load_lexicon()
    if terms:
        lexicon = lexicon.with_terms(list(terms))
    items = items_from_tokens(tokenize(text))
    spans = match_terms(items, lexicon, text)
    flags = flag_spans(items, [(s, e) for s, e, _ in spans], list(patient), list(critical))
    for i, item_flags in flags.items():
        if items[i].line in given_lines:
            item_flags.discard("valeur_critique")
    return ReferenceAnalysis(items, spans, flags)


def _given_lines(exercise: Exercise | None, reference: Document) -> tuple[GivenLine, ...]:
    """The exercise's given lines, when ``reference`` is the exercise's own reference (a test
    or a trainer may score a passage against another text with the exercise's flags)."""
    if exercise is None or not exercise.given.lines:
        return ()
    rows = reference.lines
    lines = exercise.given.lines
    if all(g.reference_line <= len(rows) and rows[g.reference_line - 1].strip() == g.text for g in lines):
        return lines
    return ()


def deleted_given_lines(exercise: Exercise | None, submission: Document, reference: Document,
                        ref_items: list[Item] | None = None, hyp_items: list[Item] | None = None) -> list[GivenLine] | None:
    """The exercise's given lines that ``submission`` deleted (``given``); None when the exercise
    has no template (or ``reference`` is not its own)."""
    lines = _given_lines(exercise, reference)
    if not lines:
        return None
    deleted = unmatched_lines(lines, submission.lines, len(reference.lines))
    if deleted:  # confirmed by the words: a copy typed as one block keeps its given lines
        ref_items = ref_items if ref_items is not None else items_from_tokens(tokenize(reference.text))
        hyp_items = hyp_items if hyp_items is not None else items_from_tokens(tokenize(submission.text))
        edits = align_items(ref_items, hyp_items)
        deleted = [g for g in deleted if not found_words(g, ref_items, edits)]
    return deleted


def score_documents(submission: Document, reference: Document, exercise: Exercise | None = None,
                    template: bool = True, skipped: frozenset[int] | None = None) -> Score:
    """Score a copy. With ``template`` (the default) and an exercise that has one, the given
    lines the copy deleted are left out of the alignment and listed apart. ``template=False``
    scores it as a copy of the whole reference, or without the reference items ``skipped``
    (a draft is compared with its corrected copy on the same items: ``postedit``)."""
    lines = _given_lines(exercise, reference)
    analysis = analyse_reference(
        reference.text,
        tuple(exercise.terms) if exercise else (),
        tuple(exercise.patient.values()) if exercise else (),
        tuple(exercise.critical_values) if exercise else (),
        frozenset(g.reference_line for g in lines),
    )
    ref_items = analysis.items
    hyp_items = items_from_tokens(tokenize(submission.text))
    deleted = None
    if template and lines:
        deleted = deleted_given_lines(exercise, submission, reference, ref_items, hyp_items)
        gone = {g.reference_line for g in deleted}
        skipped = frozenset(i for i, it in enumerate(ref_items) if it.line in gone)
    skipped = skipped or frozenset()
    edits = align_items(ref_items, hyp_items, skipped)
    errors = classify(edits, ref_items, hyp_items, analysis.flags, reference.text, submission.text)
    rates = compute_rates(ref_items, hyp_items)
    spans = [span for span in analysis.spans if not skipped.intersection(range(span[0], span[1]))]
    terms = _term_results(spans, edits, errors, ref_items, hyp_items, submission.text)
    return Score(reference, submission, exercise, ref_items, hyp_items, edits, errors, rates, terms,
                 template_deleted=deleted, skipped=skipped)


def score_texts(submission: str, reference: str, exercise: Exercise | None = None) -> Score:
    return score_documents(document_from_text(submission), document_from_text(reference), exercise)


def score_files(submission: str | Path, reference: str | Path) -> Score:
    """Score a submission file against a reference ``.txt`` (its ``.toml`` read if present)."""
    exercise = load_exercise(reference)
    reference_doc = document_from_text(exercise.reference_text(), exercise.reference_path)
    return score_documents(read_document(submission), reference_doc, exercise)
