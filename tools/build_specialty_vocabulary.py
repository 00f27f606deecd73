#!/usr/bin/env python3
"""Rebuild ``transcribe/data/vocabulaire_specialites.tsv``: per-specialty word lists for ASR biasing.

Source: ``tools/specialty_sources/<slug>.txt``, one list per specialty, written for this
project (MIT), first line ``# spécialité : <name>``, then one term per line, most
characteristic first (the prompt keeps the first ~600 characters). Every term must be an
entry of the medical lexicon ``transcribe/data/lexique_medical.tsv``: the output takes the
lexicon's spelling and category, so a specialty list is a tagged subset of the lexicon.
A term missing from the lexicon stops the build (add it to the lexicon first, or drop it).

Output columns: ``term	specialty	category`` (UTF-8, tab-separated), in list order.

The script also reports, for each specialty, how many of its terms occur in the bundled
references of that specialty: the `specialite` biasing mode is meant to use no reference
information, and this overlap says how much a bench on the bundled corpus may still profit
from lists written by people who had seen those references.

Usage::

    python tools/build_specialty_vocabulary.py           # write the TSV
    python tools/build_specialty_vocabulary.py --check   # exit 1 if the TSV is not up to date
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SOURCES = ROOT / "tools" / "specialty_sources"
OUTPUT = ROOT / "transcribe" / "data" / "vocabulaire_specialites.tsv"
HEADER = "# spécialité :"


def read_source(path: Path) -> tuple[str, list[str]]:
    """(specialty name, terms in order) of one source list."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith(HEADER):
        raise SystemExit(f"{path}: la première ligne doit être « {HEADER} <nom> ».")
    name = lines[0][len(HEADER):].strip()
    terms = [line.strip() for line in lines[1:] if line.strip() and not line.startswith("#")]
    return name, terms


def build() -> tuple[str, list[str]]:
    """(TSV text, problems) from the sources and the lexicon."""
    from transcribe.lexicon import load_lexicon
    from transcribe.normalize import normalize_text

    entries = {normalize_text(t.term).lower(): t for t in load_lexicon().entries}
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(["term", "specialty", "category"])
    problems = []
    for path in sorted(SOURCES.glob("*.txt")):
        name, terms = read_source(path)
        seen = set()
        for term in terms:
            entry = entries.get(normalize_text(term).lower())
            if entry is None:
                problems.append(f"{path.name}: « {term} » n'est pas dans le lexique")
                continue
            if entry.term.lower() in seen:
                problems.append(f"{path.name}: « {term} » en double")
                continue
            seen.add(entry.term.lower())
            writer.writerow([entry.term, name, entry.category])
    return out.getvalue(), problems


def overlap_report(tsv: str) -> list[str]:
    """Per specialty: its terms found in the bundled references of the same specialty."""
    from transcribe.asr.vocabulary import specialty_matches
    from transcribe.exercise import list_exercises
    from transcribe.lexicon import Lexicon, Term
    from transcribe.tokenize import tokenize

    lists: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t"):
        lists.setdefault(row["specialty"], []).append(row["term"])
    lines = []
    for name, terms in lists.items():
        lexicon = Lexicon([Term(t) for t in terms])
        found, refs = set(), []
        for exercise in list_exercises():
            if name in specialty_matches(exercise.specialty):
                refs.append(exercise.id)
                words = [t.text for t in tokenize(exercise.reference_text()) if not t.is_punct]
                found |= {m.term.term for m in lexicon.match(words)}
        if refs:
            lines.append(f"{name}: {len(found)}/{len(terms)} termes présents dans {', '.join(refs)}"
                         + (f" ({', '.join(sorted(found))})" if found else ""))
        else:
            lines.append(f"{name}: aucune référence fournie de cette spécialité")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the TSV on disk is not up to date")
    args = parser.parse_args()
    tsv, problems = build()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        raise SystemExit(1)
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
        if current != tsv:
            print(f"{OUTPUT} n'est pas à jour : relancez tools/build_specialty_vocabulary.py", file=sys.stderr)
            raise SystemExit(1)
        print(f"{OUTPUT.name} à jour.")
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{OUTPUT.name}-", dir=OUTPUT.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(tsv)
    os.replace(tmp, OUTPUT)
    print(f"{OUTPUT.relative_to(ROOT)} : {tsv.count(chr(10)) - 1} termes")
    print("Recouvrement avec les références fournies (même spécialité) :")
    for line in overlap_report(tsv):
        print("  " + line)


if __name__ == "__main__":
    main()
