"""Batch grading speed: `transcribe grade` on 1,000 generated submissions, against bare jiwer.

Submissions are typed from the bundled references with realistic mistakes (accents dropped,
agreement « s » added or removed, doubled letters, words left out, a dose changed, line
breaks lost for some), written to a temporary folder as ``<learner>/<exercise>.txt``, then
graded through the command line's own code path (``transcribe grade --jobs 2``: scoring,
grading, one HTML page per copy, gradebook, class index). The peer, in the same run, is bare
``jiwer.process_words`` + ``jiwer.process_characters`` on the same 1,000 pairs.

    python benchmarks/bench_grade.py [--count 1000] [--jobs 2] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import jiwer

from transcribe.cli import main as cli
from transcribe.exercise import list_exercises

ACCENTS = str.maketrans("éèêàùâîôûç", "eeeauaiouc")


def mistype_words(rng: random.Random, reference: str, doubled_letters: bool = True) -> str:
    """The reference typed word by word: words left out, accents dropped, agreements changed,
    and (``doubled_letters``) a letter typed twice; line breaks kept."""
    lines = []
    for line in reference.split("\n"):
        words = []
        for word in line.split(" "):
            r = rng.random()
            if r < 0.015:
                continue  # word left out
            if r < 0.04:
                word = word.translate(ACCENTS)
            elif r < 0.055 and word.isalpha() and len(word) > 3:
                word = word[:-1] if word.endswith("s") else word + "s"  # agreement
            elif doubled_letters and r < 0.065 and word.isalpha() and len(word) > 4:
                k = rng.randrange(1, len(word) - 1)
                word = word[:k] + word[k] + word[k:]  # doubled letter
            words.append(word)
        lines.append(" ".join(words))
    return "\n".join(lines)


def mistype(rng: random.Random, reference: str) -> str:
    """A learner's copy of the reference, with the usual kinds of mistakes."""
    text = mistype_words(rng, reference)
    if rng.random() < 0.3:  # a dose changed
        doses = list(re.finditer(r"\b(\d+(?:,\d+)?) (mg|g|ml|mmHg|%)", text))
        if doses:
            m = rng.choice(doses)
            text = text[:m.start(1)] + str(rng.randint(1, 200)) + text[m.end(1):]
    if rng.random() < 0.1:  # typed as one block
        text = re.sub(r"\s*\n+\s*", " ", text)
    return text


def make_class(folder: Path, count: int, seed: int = 2026) -> list[tuple[str, str]]:
    """``count`` submissions over the bundled exercises; the (reference, submission) pairs."""
    rng = random.Random(seed)
    references = [e.reference_path for e in list_exercises()]  # the bundled ones, drafts excluded
    texts = {p: p.read_text(encoding="utf-8") for p in references}
    pairs = []
    for k in range(count):
        ref = references[k % len(references)]
        learner = folder / f"apprenant-{k // len(references) + 1:03d}"
        learner.mkdir(parents=True, exist_ok=True)
        text = mistype(rng, texts[ref])
        (learner / ref.name).write_text(text, encoding="utf-8")
        pairs.append((texts[ref], text))
    return pairs


def grade(folder: Path, out: Path, jobs: int) -> float:
    start = time.perf_counter()
    try:
        cli.main(["grade", str(folder), "--out", str(out), "--jobs", str(jobs)], standalone_mode=False)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    return time.perf_counter() - start


def bare_jiwer(pairs: list[tuple[str, str]]) -> float:
    start = time.perf_counter()
    for ref, hyp in pairs:
        jiwer.process_words(ref, hyp)
        jiwer.process_characters(ref, hyp)
    return time.perf_counter() - start


def profile(folder: Path, out: Path) -> None:
    """Where the time goes, in one process (jobs=1) over the same folder."""
    profiler = cProfile.Profile()
    profiler.enable()
    grade(folder, out, 1)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
    stats.print_stats(30)
    print(stream.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="profil cProfile d'un passage sur 1 processus")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-grade-"))
    try:
        folder = base / "copies"
        pairs = make_class(folder, args.count)
        jiwer_s = bare_jiwer(pairs)
        total = grade(folder, base / "out", args.jobs)
        resumed = grade(folder, base / "out", args.jobs)
        print(f"{args.count} copies, --jobs {args.jobs}", file=sys.stderr)
        print(f"correction complète (score, note, rapports HTML, carnet, synthèse) : {total:.2f} s, "
              f"{1000 * total / args.count:.1f} ms par copie")
        print(f"relance sur le même dossier (tout repris du cache) : {resumed:.2f} s")
        print(f"jiwer nu (process_words + process_characters) : {jiwer_s:.2f} s, "
              f"{1000 * jiwer_s / args.count:.2f} ms par paire")
        print(f"rapport correction complète / jiwer nu : {total / jiwer_s:.1f}×")
        print(f"objectif < 60 s : {'atteint' if total < 60 else 'MANQUÉ'}")
        if args.profile:
            shutil.rmtree(base / "out")
            profile(folder, base / "out")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
