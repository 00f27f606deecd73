#!/usr/bin/env python3
"""How hard each post-editing drill is: the errors the bundled drafts leave, per exercise.

Each draft (``references/<id>.brouillon.txt``) is scored against its whole reference, the way
the post-editing figures count a draft's errors (``template=False``: the letterhead and
signature the draft lacks are omitted words to restore); the table gives the errors to correct, the critical ones (flagged
``valeur_critique`` or ``identite``: a misheard dose, date or name), the medical terms the
draft gets wrong, the draft's own note, then the mean, minimum and maximum over the drafts.

Usage::

    python tools/draft_difficulty.py            # Markdown table on stdout
    python tools/draft_difficulty.py --json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transcribe.drafts import draft_path  # noqa: E402
from transcribe.exercise import list_exercises  # noqa: E402
from transcribe.grading import grade  # noqa: E402
from transcribe.postedit import is_critical  # noqa: E402
from transcribe.reading import document_from_text, read_document  # noqa: E402
from transcribe.scoring import score_documents  # noqa: E402


def drill_figures(references: Path | None = None) -> list[dict]:
    rows = []
    for exercise in list_exercises(references):
        path = draft_path(exercise.reference_path)
        if not path.is_file():
            continue
        reference = document_from_text(exercise.reference_text(), exercise.reference_path)
        score = grade(score_documents(read_document(path), reference, exercise, template=False))
        errors = score.errors
        critical = [e for e in errors if is_critical(e)]
        by_type: dict[str, int] = {}
        for e in errors:
            by_type[e.type] = by_type.get(e.type, 0) + 1
        rows.append({
            "exercise": exercise.id, "ref_words": score.rates.ref_words, "errors": len(errors),
            "critical": len(critical), "identite": sum("identite" in e.flags for e in errors),
            "terms_failed": sum(not t.correct for t in score.terms), "terms": len(score.terms),
            "wer": round(score.rates.wer, 4), "note": score.note, "by_type": by_type,
            "mef": score.criteria["MEF"]["acquis"],
        })
    return rows


def summary(rows: list[dict]) -> dict:
    def stats(key):
        values = [r[key] for r in rows]
        return {"mean": round(mean(values), 2), "min": min(values), "max": max(values)}

    total = sum(r["errors"] for r in rows)
    return {"drafts": len(rows), "errors": stats("errors"), "critical": stats("critical"),
            "critical_share": round(sum(r["critical"] for r in rows) / total, 4) if total else None,
            "wer": stats("wer"), "note": stats("note")}


def markdown(rows: list[dict]) -> str:
    fr = lambda x, d=1: f"{x:.{d}f}".replace(".", ",")  # noqa: E731
    lines = ["| exercice | mots | erreurs du brouillon | critiques | dont identité | termes faux | WER | note du brouillon |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        lines.append(f"| {r['exercise']} | {r['ref_words']} | {r['errors']} | {r['critical']} | {r['identite']} | "
                     f"{r['terms_failed']}/{r['terms']} | {fr(100 * r['wer'])} % | {fr(r['note'])} |")
    s = summary(rows)
    lines.append("")
    lines.append(f"Sur {s['drafts']} brouillons : {fr(s['errors']['mean'])} erreurs à corriger en moyenne "
                 f"(min {s['errors']['min']}, max {s['errors']['max']}), dont {fr(s['critical']['mean'])} critiques "
                 f"(min {s['critical']['min']}, max {s['critical']['max']}) ; part des erreurs critiques : "
                 f"{fr(100 * s['critical_share'])} %.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--references", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = drill_figures(args.references)
    if not rows:
        print("no draft found", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"drafts": rows, "summary": summary(rows)}, ensure_ascii=False, indent=2))
    else:
        print(markdown(rows), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
