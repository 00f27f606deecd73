"""Scoring speed: our full scoring against bare jiwer on the same 300-word pairs, same run.

Full scoring = tokenise, key, align (words and punctuation), type every difference with
Hunspell lookups, match medical terms, lenient + strict WER and CER. The peer is bare
``jiwer.process_words`` + ``jiwer.process_characters`` on the same raw strings.

Then big copies (10 KB, 100 KB, 1 MB: a hostile or pasted-over copy against a one-page
bundled reference), each scored once, against bare jiwer on the same two strings. Last, the
15 bundled exercises typed perfectly into their template, with the letterhead deleted (its
lines found deleted, confirmed by a second alignment, left out of a third) against the same
copies keeping it (the peer). Times are
CPU seconds of this process (wall seconds beside them: a shared machine inflates those).

    python benchmarks/bench_scoring.py [--pairs 200] [--words 300] [--sizes 10,100,1000]
"""

from __future__ import annotations

import argparse
import random
import time

import jiwer

from transcribe.bundled import references_dir
from transcribe.exercise import load_exercise
from transcribe.scoring import score_texts

VOCAB = ("le patient présente une douleur thoracique depuis trois jours sans fièvre ni toux "
         "l'échographie cardiaque montre une fraction d'éjection à 60 % et une hypertrophie "
         "ventriculaire gauche modérée traitement par amlodipine 5 mg et bisoprolol 2,5 mg "
         "contrôle de la tension artérielle 145/90 mmHg prévu le 14/09/2026 au cœur de "
         "l'hôpital avec un bilan biologique créatininémie troponine et NFS").split()
MISTAKES = {"échographie": "echographie", "présente": "presente", "cardiaque": "cardiaques",
            "amlodipine": "amlodipinne", "2,5": "25", "gauche": "droite", "cœur": "coeur"}


def make_reference(rng: random.Random, n_words: int) -> str:
    ref_words = [rng.choice(VOCAB) for _ in range(n_words)]
    for k in range(12, n_words, 12):
        ref_words[k] += rng.choice([",", ".", " :"])
    return " ".join(ref_words)


def make_submission(rng: random.Random, reference: str) -> str:
    hyp_words = []
    for w in reference.split():
        r = rng.random()
        if r < 0.03:
            continue
        if r < 0.06:
            hyp_words.append(rng.choice(VOCAB))
        hyp_words.append(MISTAKES.get(w, w) if rng.random() < 0.3 else w)
    return " ".join(hyp_words)


def make_pair(rng: random.Random, n_words: int) -> tuple[str, str]:
    reference = make_reference(rng, n_words)
    return reference, make_submission(rng, reference)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--sizes", default="10,100,1000", help="copy sizes in KB ('' to skip)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds over the 15 exercises (template copies)")
    args = parser.parse_args()
    rng = random.Random(1234)
    score_texts(*make_pair(rng, 20))  # load Hunspell and the lexicon outside the timing
    unique = [make_pair(rng, args.words) for _ in range(args.pairs)]
    # A class: every learner types the same 12 dictations (references analysed once each).
    references = [make_reference(rng, args.words) for _ in range(12)]
    shared = [(references[k % 12], make_submission(rng, references[k % 12])) for k in range(args.pairs)]
    print(f"{args.pairs} paires de {args.words} mots")
    for label, pairs in (("références partagées (classe, 12 dictées)", shared),
                         ("références toutes différentes", unique)):
            run(label, pairs)
    if args.sizes:
        run_sizes(rng, [int(kb) for kb in args.sizes.split(",")])
    run_template(args.rounds)


def run(label: str, pairs: list[tuple[str, str]]) -> None:
    start = time.perf_counter()
    for ref, hyp in pairs:
        jiwer.process_words(ref, hyp)
        jiwer.process_characters(ref, hyp)
    bare = time.perf_counter() - start

    start = time.perf_counter()
    for ref, hyp in pairs:
        score_texts(hyp, ref)
    ours = time.perf_counter() - start

    n = len(pairs)
    print(f"— {label}")
    print(f"jiwer nu (process_words + process_characters) : {n / bare:8.1f} paires/s")
    print(f"notation complète (transcribe)                : {n / ours:8.1f} paires/s")
    print(f"rapport notation / jiwer nu                   : {bare / ours:8.2f}×  (objectif ≥ 0,5×)")


def big_copy(rng: random.Random, reference: str, size: int) -> str:
    """A copy of about ``size`` bytes: the reference typed over and over, with mistakes."""
    parts, length = [], 0
    while length < size:
        part = make_submission(rng, reference)
        parts.append(part)
        length += len(part.encode()) + 1
    return "\n".join(parts).encode()[:size].decode(errors="ignore")


def run_sizes(rng: random.Random, sizes_kb: list[int]) -> None:
    exercise = load_exercise(references_dir() / "01-cardiologie-consultation.txt")
    reference = exercise.reference_text()
    print(f"— grosses copies contre une référence d'une page ({len(reference.encode())} octets)")
    for kb in sizes_kb:
        copy = big_copy(rng, reference, kb * 1000)
        cpu, wall = time.process_time(), time.perf_counter()
        jiwer.process_words(reference, copy)
        jiwer.process_characters(reference, copy)
        bare_cpu, bare_wall = time.process_time() - cpu, time.perf_counter() - wall
        cpu, wall = time.process_time(), time.perf_counter()
        score_texts(copy, reference, exercise)
        ours_cpu, ours_wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"copie de {kb:>5} Ko : jiwer nu {bare_cpu:7.2f} s (mur {bare_wall:6.2f} s) · "
              f"notation complète {ours_cpu:7.2f} s (mur {ours_wall:6.2f} s) · "
              f"rapport {bare_cpu / ours_cpu:5.2f}×")


def run_template(rounds: int) -> None:
    from transcribe.exercise import list_exercises

    copies = []
    for exercise in list_exercises():
        given, reference = exercise.given, exercise.reference_text()
        body = given.body(reference)
        kept = given.fill(body)
        deleted = body + given.start_text()[given.caret():]  # everything before the body erased
        copies.append((exercise, reference, kept, deleted))
    for exercise, reference, kept, deleted in copies:  # each reference analysed once, untimed
        score_texts(kept, reference, exercise)
    timings = {}
    for label in ("kept", "deleted"):
        cpu = time.process_time()
        for _ in range(rounds):
            for exercise, reference, kept, deleted in copies:
                score_texts(kept if label == "kept" else deleted, reference, exercise)
        timings[label] = time.process_time() - cpu
    n = rounds * len(copies)
    print(f"— copies des 15 exercices fournis ({n} notations chacune)")
    print(f"modèle gardé (pair)        : {n / timings['kept']:8.1f} copies/s")
    print(f"en-tête supprimé           : {n / timings['deleted']:8.1f} copies/s")
    print(f"rapport supprimé / gardé   : {timings['kept'] / timings['deleted']:8.2f}×")


if __name__ == "__main__":
    main()
