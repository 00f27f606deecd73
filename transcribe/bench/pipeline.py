"""The bench from start to end: hypotheses (ASR runs or a folder), scores, comparisons, files."""

from __future__ import annotations

from pathlib import Path

from ..errors import TranscribeError
from ..files import write_atomic
from .evaluate import SystemResult, difficulty, hypotheses_result
from .runner import Dictation
from .stats import paired_bootstrap, sign_test, wilcoxon_signed_rank
from .trn import read_trn, words_to_text, write_trn


def read_hyp_dir(path: str | Path, dictations: list[Dictation]) -> tuple[str, dict[str, str]]:
    """(system name, {id: text}) from a folder of ``<id>.txt`` files, a folder holding one ``.trn``, or a ``.trn``."""
    from ..reading import read_text_file

    path = Path(path)
    if path.is_file() and path.suffix == ".trn":
        return path.stem, {k: words_to_text(v) for k, v in read_trn(path).items()}
    if not path.is_dir():
        raise TranscribeError("dossier d'hypothèses introuvable (attendu : un dossier de <id>.txt ou un .trn).", path)
    texts = {d.id: read_text_file(path / f"{d.id}.txt") for d in dictations if (path / f"{d.id}.txt").is_file()}
    if not texts:
        trns = sorted(path.glob("*.trn"))
        if len(trns) == 1:
            return path.name, {k: words_to_text(v) for k, v in read_trn(trns[0]).items()}
        raise TranscribeError("aucune hypothèse trouvée : ni <id>.txt d'un exercice connu, ni un unique fichier .trn.",
                              path)
    return path.name, texts


def score_hyp_dirs(paths, dictations: list[Dictation], samples: int, seed: int
                   ) -> tuple[list[SystemResult], list[Dictation]]:
    """Each folder scored as a system, over the dictations that at least one folder has a hypothesis for."""
    read = [read_hyp_dir(path, dictations) for path in paths]
    present = {i for _, hyps in read for i in hyps}
    kept = [d for d in dictations if d.id in present]
    results = []
    for name, hyps in read:
        result = hypotheses_result(name, hyps, kept, samples, seed)
        result.unknown_ids = sorted(set(hyps) - {d.id for d in dictations})
        results.append(result)
    return results, kept


def compare(a: SystemResult, b: SystemResult, samples: int = 1000, seed: int = 0) -> dict:
    """Paired comparison over the dictations both systems scored: paired bootstrap, sign and Wilcoxon tests."""
    ia, ib = a.by_id(), b.by_id()
    ids = [i for i in ia if i in ib and ia[i].ok and ib[i].ok]
    errors_a = [ia[i].word_errors for i in ids]
    errors_b = [ib[i].word_errors for i in ids]
    totals = [ia[i].ref_words for i in ids]
    boot = paired_bootstrap(errors_a, errors_b, totals, samples, seed)
    sign = sign_test(errors_a, errors_b)
    wil = wilcoxon_signed_rank([ia[i].wer for i in ids], [ib[i].wer for i in ids])
    total = sum(totals)
    return {
        "a": a.name, "b": b.name, "dictations": len(ids),
        "wer_a": sum(errors_a) / total if total else None, "wer_b": sum(errors_b) / total if total else None,
        "wer_difference": (sum(errors_a) - sum(errors_b)) / total if total else None,
        "paired_bootstrap": None if boot is None else {
            "ci": list(boot.ci), "p_a_better": boot.p_a_better, "p_b_better": boot.p_b_better,
            "samples": boot.samples, "seed": boot.seed},
        "sign_test": {"a_better": sign.a_better, "b_better": sign.b_better, "ties": sign.ties,
                      "p_value": sign.p_value, "p_exact": str(sign.p_exact)},
        "wilcoxon": {"statistic": wil.statistic, "n": wil.n, "p_value": wil.p_value},
    }


def comparisons(results: list[SystemResult], pairs: list[tuple[str, str]] | None, samples: int, seed: int) -> list[dict]:
    """The asked pairs (by system name), else the first two systems."""
    by_name = {r.name: r for r in results}
    if not pairs:
        return [compare(results[0], results[1], samples, seed)] if len(results) >= 2 else []
    out = []
    for a, b in pairs:
        missing = [n for n in (a, b) if n not in by_name]
        if missing:
            raise TranscribeError(f"--compare : système inconnu « {missing[0]} » (systèmes : {', '.join(by_name)}).")
        out.append(compare(by_name[a], by_name[b], samples, seed))
    return out


def write_outputs(out_dir: Path, results: list[SystemResult], dictations: list[Dictation], pairs, config: dict) -> dict:
    """Every bench file in ``out_dir``, each written atomically; returns the comparisons and difficulty."""
    from ..views import lenient_text
    from . import chart, outputs

    out_dir = Path(out_dir)
    comps = comparisons(results, pairs, config["samples"], config["seed"])
    diff = difficulty(results, dictations)
    md = outputs.markdown_text(results, comps, diff, config)
    write_atomic(out_dir / "bench.csv", outputs.csv_text(results))
    write_atomic(out_dir / "bench.json", outputs.json_text(results, comps, diff, config))
    write_atomic(out_dir / "bench.md", md)
    scatter, bars = chart.wer_vs_rtf(results), chart.difficulty_chart(diff)
    write_atomic(out_dir / "bench.svg", scatter + "\n")
    write_atomic(out_dir / "difficulte.svg", bars + "\n")
    write_atomic(out_dir / "bench.html", chart.html_page(scatter, bars, md))
    scored = {i.id for r in results for i in r.items if i.ok}
    write_trn(out_dir / "ref.trn", {d.id: lenient_text(d.exercise.reference_text()) for d in dictations
                                    if d.id in scored})
    for r in results:
        write_trn(out_dir / f"{r.name}.trn", {i.id: i.hyp_lenient for i in r.items if i.ok})
    return {"comparisons": comps, "difficulty": diff, "markdown": md}
