"""The terminal report of one score (rich): summary, errors in place, terms to review."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..grading import template_note
from ..scoring import Score
from .labels import FLAG_LABELS, RICH_STYLES, TYPE_LABELS
from .marks import text_pieces


MAX_LISTED = 500  # rows of the error table; a pasted-over copy can hold 100,000 errors


def _fmt(x: float | None, percent: bool = True) -> str:
    if x is None:
        return "—"
    return f"{x * 100:.1f} %".replace(".", ",") if percent else f"{x:.2f}".replace(".", ",")


def _native(score: Score) -> str:
    """« (7.5/10, barème …) » when the barème has its own scale (brevet, AHDI); the note is on 20."""
    bareme = score.bareme
    if bareme is None or bareme.scale == 20 or score.native_note is None:
        return ""
    return f" (soit {score.native_note:.1f}/{bareme.scale:g} au barème « {bareme.name} »)"


def highlighted_text(score: Score) -> Text:
    """The submission with each error highlighted in place, the reference word beside it."""
    out = Text()
    for piece, mark in text_pieces(score):
        if mark is None:
            out.append(piece)
            continue
        error, kind = mark.error, mark.error.type
        if mark.is_omission:
            out.append(f"[−{error.ref}]", style=RICH_STYLES[kind] + (" underline" if error.origin == "brouillon" else ""))
            out.append("ᴮ" if error.origin == "brouillon" else "")
            continue
        label = f"[{error.ref}]" if error.ref else "[+]"
        left = error.origin == "brouillon"  # left from the draft: underlined, marked ᴮ
        out.append(piece, style=RICH_STYLES[kind] + (" underline" if left else ""))
        out.append((label if kind != "ajout" else "") + ("ᴮ" if left else ""),
                   style="italic " + RICH_STYLES[kind].split(" on ")[-1])
    return out


def print_post_edit(score: Score, console: Console) -> None:
    """« Correction du brouillon »: the three counts, the rate, the draft errors left
    uncorrected (critical ones first)."""
    pe = score.post_edit
    console.rule("Correction du brouillon")
    rate = "—" if pe.correction_rate is None else _fmt(pe.correction_rate).replace(",0 %", " %")
    line = (f"Erreurs du brouillon : [bold]{pe.draft_errors}[/bold] · corrigées : [green]{pe.corrected}[/green]"
            f" · oubliées : [red]{pe.missed}[/red]")
    if pe.miscorrected:
        line += f" · mal corrigées : {pe.miscorrected}"
    line += f" · introduites : [magenta]{pe.introduced}[/magenta] · taux de correction : [bold]{rate}[/bold]"
    console.print(line)
    critical = pe.missed_critical()
    if critical:
        console.print(f"[bold red]{len(critical)} erreur(s) critique(s) laissée(s) du brouillon[/bold red] "
                      "(identité du patient ou valeur critique : éliminatoire).")
    left = pe.left_errors()
    if not left:
        console.print("[green]Aucune erreur du brouillon n'a été laissée.")
        return
    table = Table(title="Erreurs laissées du brouillon (les critiques d'abord)", show_header=True)
    for col in ("Ligne", "Type", "Attendu", "Laissé", "Signalement"):
        table.add_column(col)
    for e in left:
        table.add_row(str(e.line), TYPE_LABELS[e.type], e.ref or "—", e.hyp or "—",
                      ", ".join(FLAG_LABELS[f] for f in e.flags), style="bold" if e in critical else None)
    console.print(table)


def print_template_deleted(score: Score, console: Console) -> None:
    """The lines of the exercise's template that the copy deleted (one layout matter each)."""
    deleted = score.template_deleted or []
    if not deleted:
        return
    points = getattr(score.bareme, "template_line", None)
    cost = f", {_num(points)} point(s) chacune" if points is not None else ""
    console.rule(f"Lignes du modèle supprimées ({len(deleted)})")
    console.print(f"Ces lignes étaient fournies (modèle de document) : les supprimer relève de la mise en forme "
                  f"(MEF){cost}.", highlight=False)
    for g in deleted:
        console.print(f"• {template_note(g.text)}", style="bold red", highlight=False, markup=False)


def print_score(score: Score, console: Console | None = None) -> None:
    console = console or Console(stderr=False, highlight=False)
    m = score.to_dict()["metrics"]
    title = score.exercise.title if score.exercise else "Correction"
    console.rule(f"[bold]{title}")
    if score.note is not None:
        verdict = "[bold green]ACQUIS" if score.acquis else "[bold red]NON ACQUIS"
        console.print(f"Note : [bold]{score.note:.1f}/20[/bold]{_native(score)}   Compétence : {verdict}".replace(".", ","))
        if score.decision:
            console.print(score.decision)
    console.print(
        f"Mots de la référence : {m['ref_words']} · mots saisis : {m['hyp_words']} · "
        f"WER : {_fmt(m['wer'])} · CER : {_fmt(m['cer'])} · WER strict : {_fmt(m['wer_strict'])} · "
        f"termes médicaux exacts : {_fmt(m['term_accuracy'])}")
    if score.criteria:
        table = Table(title="Critères d'évaluation", show_lines=False)
        for col in ("Critère", "Valeur", "Seuil", "Décision", "Détail"):
            table.add_column(col)
        for code, c in score.criteria.items():
            decision = {True: "[green]acquis", False: "[red]non acquis", None: "[dim]non mesuré"}[c["acquis"]]
            table.add_row(code, _num(c["value"]), _num(c["threshold"]), decision, c["detail"])
        console.print(table)
    if score.post_edit is not None:
        print_post_edit(score, console)
    counts: dict[str, int] = {}
    for e in score.errors:
        counts[e.type] = counts.get(e.type, 0) + 1
    if score.errors:
        legend = Text("Légende : ")
        for kind, label in TYPE_LABELS.items():
            legend.append(f" {label} ", style=RICH_STYLES[kind])
            legend.append(f" {counts.get(kind, 0)}  ")
        if score.post_edit is not None:
            legend.append(" souligné ᴮ ", style="underline")
            legend.append(" laissée du brouillon")
        console.print(legend)
        console.rule("Votre texte, erreurs en place")
        console.print(highlighted_text(score))
        console.rule("Erreurs")
        table = Table(show_header=True)
        post_edit = score.post_edit is not None
        for col in ("Ligne", "Type", "Attendu", "Saisi", "Signalement") + (("Origine",) if post_edit else ()):
            table.add_column(col)
        for e in score.errors[:MAX_LISTED]:
            origin = ({"brouillon": "brouillon", "apprenant": "apprenant"}.get(e.origin, "—"),) if post_edit else ()
            table.add_row(str(e.line), TYPE_LABELS[e.type], e.ref or "—", e.hyp or "—",
                          ", ".join(FLAG_LABELS[f] for f in e.flags), *origin)
        console.print(table)
        if len(score.errors) > MAX_LISTED:
            console.print(f"… et {len(score.errors) - MAX_LISTED} autres erreurs (liste complète : --json).")
    elif score.template_deleted:
        console.print("[bold green]Aucune erreur dans le texte saisi.")
    else:
        console.print("[bold green]Aucune erreur : copie conforme à la référence.")
    print_template_deleted(score, console)
    failed = [t for t in score.terms if not t.correct]
    if failed:
        console.rule("Termes médicaux à revoir")
        for t in failed:
            console.print(f"• [bold]{t.term}[/bold] (saisi : « {t.hyp or '—'} », {TYPE_LABELS[t.type]})")
    advice = list(score.advice.values())
    if advice:
        console.rule("Conseils")
        for line in advice:
            console.print(f"• {line}")


def _num(x) -> str:
    if x is None:
        return "—"
    return f"{x:.2f}".rstrip("0").rstrip(",.").replace(".", ",") if isinstance(x, float) else str(x)
