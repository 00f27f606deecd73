"""Bench outputs: CSV (one row per system × dictation, plus corpus rows), JSON, Markdown, rich table."""

from __future__ import annotations

import io
import json

from .. import spreadsheet
from .evaluate import SystemResult
from .runner import BIAS_LABEL

CSV_COLUMNS = ["systeme", "moteur", "modele", "faisceau", "biais", "info_reference", "commandes", "gardes", "exercice",
               "mots_ref", "erreurs_mots", "wer", "wer_ic_bas", "wer_ic_haut", "wer_dictee", "cer", "wer_strict",
               "termes_total", "termes_corrects", "precision_termes", "erreurs_critiques",
               "duree_audio_s", "traitement_s", "rtf", "temps_mur_s", "memoire_pic_mo", "depuis_cache", "erreur"]
CORPUS_ID = "CORPUS"
REFERENCE_NOTE = ("biais « exercice (référence) » : le vocabulaire donné au décodeur vient de l'exercice, donc de "
                  "sa référence (termes du .toml ou termes du lexique trouvés dans la référence) ; information "
                  "de la référence, absente d'un vrai déploiement : ne comparez pas ces systèmes à d'autres "
                  "comme s'ils ne la recevaient pas.")


def pct(value: float | None, digits: int = 1) -> str:
    """0.1234 → « 12,3 % » (French decimal comma), « – » when not measurable."""
    return "–" if value is None else f"{100 * value:.{digits}f} %".replace(".", ",")


def num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}".replace(".", ",")


def ci_text(ci) -> str:
    return "" if not ci else f"[{pct(ci[0])} ; {pct(ci[1])}]"


def _system_columns(result: SystemResult) -> dict:
    s = result.system
    if s is None:
        return {"systeme": result.name, "moteur": "", "modele": "", "faisceau": "", "biais": "", "info_reference": "",
                "commandes": "", "gardes": ""}
    return {"systeme": result.name, "moteur": s.engine, "modele": s.model_label, "faisceau": s.beam,
            "biais": s.bias, "info_reference": "oui" if s.uses_reference else "non",
            "commandes": "oui" if s.commands else "non", "gardes": "oui" if s.guards else "non"}


def _f(value, digits: int = 4):
    return "" if value is None else round(float(value), digits)


def csv_text(results: list[SystemResult]) -> str:
    """Rows per system and dictation, then a ``CORPUS`` row per system (micro-averages, CI of WER)."""
    out = io.StringIO()
    writer = spreadsheet.dict_writer(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in results:
        base = _system_columns(r)
        for i in r.items:
            writer.writerow(dict(base, exercice=i.id, mots_ref=i.ref_words if i.ok else "",
                                 erreurs_mots=i.word_errors if i.ok else "", wer=_f(i.wer),
                                 wer_dictee=_f(i.wer_spoken), cer=_f(i.cer),
                                 wer_strict=_f(i.wer_strict), termes_total=i.terms_total if i.ok else "",
                                 termes_corrects=i.terms_correct if i.ok else "", precision_termes=_f(i.term_accuracy),
                                 erreurs_critiques=i.critical_errors if i.ok else "", duree_audio_s=_f(i.duration, 3),
                                 traitement_s=_f(i.elapsed, 3), rtf=_f(i.rtf), temps_mur_s=_f(i.wall, 3),
                                 depuis_cache="oui" if i.from_cache else "non", erreur=i.error or ""))
        c = r.corpus
        ci = c.get("wer_ci") or [None, None]
        writer.writerow(dict(base, exercice=CORPUS_ID, mots_ref=c["ref_words"], erreurs_mots=c["word_errors"],
                             wer=_f(c["wer"]), wer_ic_bas=_f(ci[0]), wer_ic_haut=_f(ci[1]),
                             wer_dictee=_f(c["wer_spoken"]), cer=_f(c["cer"]),
                             wer_strict=_f(c["wer_strict"]), termes_total=c["terms_total"],
                             termes_corrects=c["terms_correct"], precision_termes=_f(c["term_accuracy"]),
                             erreurs_critiques=c["critical_errors"], duree_audio_s=_f(c["audio_s"], 3),
                             traitement_s=_f(c["processing_s"], 3), rtf=_f(c["rtf"]), temps_mur_s=_f(r.wall, 3),
                             memoire_pic_mo=_f(r.peak_rss_mb, 1), depuis_cache=c["from_cache"],
                             erreur=f"{c['failed']} dictée(s) en échec" if c["failed"] else ""))
    return out.getvalue()


def uses_reference(results: list[SystemResult]) -> list[str]:
    """Names of the systems whose decoder received information from the reference."""
    return [r.name for r in results if r.system is not None and r.system.uses_reference]


def json_text(results: list[SystemResult], comparisons: list[dict], difficulty: list[dict], config: dict) -> str:
    oracle = uses_reference(results)
    data = {"config": config, "systems": [r.to_dict() for r in results], "comparisons": comparisons,
            "difficulty": difficulty,
            "reference_information": {"systems": oracle, "note": REFERENCE_NOTE if oracle else None}}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


SUMMARY_HEAD = ["Système", "Biais", "WER (IC 95 %)", "WER dictée", "CER", "WER strict", "Termes", "Erreurs critiques",
                "RTF", "Traitement", "Mémoire"]


def summary_rows(results: list[SystemResult]) -> list[list[str]]:
    """One row of display strings per system (the same in the terminal and in Markdown)."""
    rows = []
    for r in results:
        c = r.corpus
        wer = f"{pct(c['wer'])} {ci_text(c['wer_ci'])}".strip()
        terms = f"{pct(c['term_accuracy'])} ({c['terms_correct']}/{c['terms_total']})" if c["terms_total"] else "–"
        memory = "–" if r.peak_rss_mb is None else f"{r.peak_rss_mb:.0f} Mo"
        wall = "–" if c["processing_s"] is None else f"{c['processing_s']:.0f} s"
        bias = "–" if r.system is None else BIAS_LABEL[r.system.bias]
        rows.append([r.name, bias, wer, pct(c["wer_spoken"]), pct(c["cer"]), pct(c["wer_strict"]), terms, str(c["critical_errors"]),
                     num(c["rtf"], 3), wall, memory])
    return rows


def comparison_lines(comparisons: list[dict]) -> list[str]:
    """Plain French sentences for each paired comparison."""
    lines = []
    for c in comparisons:
        boot, sign, wil = c["paired_bootstrap"], c["sign_test"], c.get("wilcoxon")
        text = f"**{c['a']}** vs **{c['b']}** ({c['dictations']} dictées) : ΔWER = {pct(c['wer_difference'], 2)}"
        if boot:
            text += (f", IC 95 % [{pct(boot['ci'][0], 2)} ; {pct(boot['ci'][1], 2)}], "
                     f"P(A meilleur) = {num(boot['p_a_better'], 3)} (bootstrap apparié, {boot['samples']} tirages)")
        text += (f" ; test des signes : A meilleur sur {sign['a_better']}, B sur {sign['b_better']}, "
                 f"{sign['ties']} égalité(s), p = {num(sign['p_value'], 4)}")
        if wil:
            text += f" ; Wilcoxon : p = {num(wil['p_value'], 4)}"
        lines.append(text + ".")
    return lines


def _md_row(cells) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def markdown_text(results: list[SystemResult], comparisons: list[dict], difficulty: list[dict], config: dict) -> str:
    """A ready-to-paste Markdown page: summary table, comparisons, difficulty per exercise."""
    out = ["## Banc d'essai ASR", "",
           f"{config.get('dictations', 0)} dictée(s), {num(config.get('audio_minutes'), 1)} min d'audio ; "
           "WER/CER en vue souple (minuscules, sans ponctuation, nombres normalisés) contre la référence écrite, "
           "micro-moyennés sur le corpus ; WER dictée : texte brut de Whisper contre les mots dictés "
           "(commandes comprises), soit le moteur seul ; "
           f"IC 95 % par bootstrap sur les dictées ({config.get('samples')} tirages, graine {config.get('seed')}). "
           "Traitement = temps de reconnaissance cumulé (modèle déjà chargé), RTF = traitement / durée audio ; "
           "mémoire = pic RSS du processus de transcription.", "",
           _md_row(SUMMARY_HEAD), _md_row(["---"] + ["---:"] * (len(SUMMARY_HEAD) - 1))]
    out += [_md_row(row) for row in summary_rows(results)]
    if uses_reference(results):
        out += ["", f"**Attention** — {REFERENCE_NOTE}"]
    env = config.get("environment")
    if env:
        versions = ", ".join(f"{k} {v}" for k, v in env.get("versions", {}).items() if v)
        load = env.get("load_average")
        out += ["", f"Machine : {env.get('cpus')} processeur(s) logique(s)"
                + (f", charge moyenne {num(load[0], 1)} au départ" if load else "")
                + (f" et {num(config['load_average_end'][0], 1)} à la fin" if config.get("load_average_end") else "")
                + f" ; {versions}."]
    if comparisons:
        out += ["", "### Comparaisons appariées", ""] + [f"- {line}" for line in comparison_lines(comparisons)]
    if difficulty:
        out += ["", "### Difficulté par exercice (WER moyen sur les systèmes)", "",
                _md_row(["Exercice", "WER moyen", "min", "max", "systèmes"]), _md_row(["---", "---:", "---:", "---:", "---:"])]
        out += [_md_row([d["id"], pct(d["wer_mean"]), pct(d["wer_min"]), pct(d["wer_max"]), d["systems"]])
                for d in difficulty]
    return "\n".join(out) + "\n"


def rich_table(results: list[SystemResult]):
    """The summary as a rich Table, for the terminal."""
    from rich.table import Table

    table = Table(title="Banc d'essai ASR (vue souple, micro-moyennes)", header_style="bold")
    for k, head in enumerate(SUMMARY_HEAD):
        table.add_column(head, justify="left" if k < 2 else "right", overflow="fold")
    for row in summary_rows(results):
        table.add_row(*row)
    if uses_reference(results):
        table.caption = f"Attention — {REFERENCE_NOTE}"
    return table
