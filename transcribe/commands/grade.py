"""`transcribe grade`: a class's submissions → gradebook (CSV, JSON) and HTML reports."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..batch import BatchOptions, run_batch
from ..bundled import references_dir
from ..grading import load_bareme


def _fr(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}".replace(".", ",")


@click.command(short_help="Corrige un dossier de copies : carnet de notes et rapports HTML.")
@click.argument("submissions", type=click.Path(path_type=Path), metavar="DOSSIER_COPIES")
@click.option("--references", "-r", type=click.Path(path_type=Path), default=None, metavar="DOSSIER",
              help="Dossier des références (<exercice>.txt et .toml). Défaut : les références fournies.")
@click.option("--bareme", "-b", default=None, metavar="FICHIER|NOM",
              help="Barème : fichier .toml ou préréglage (defaut, brevet, ahdi). Défaut : defaut.")
@click.option("--manifest", "-m", type=click.Path(path_type=Path), default=None, metavar="CSV",
              help="Manifeste CSV : colonnes apprenant, exercice, fichier, duree_minutes "
                   "(ou learner, exercise, file, elapsed_minutes).")
@click.option("--out", "-o", "out", type=click.Path(path_type=Path), default=None, metavar="DOSSIER",
              help="Dossier des résultats. Défaut : <DOSSIER_COPIES>-corrections, à côté des copies.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Nombre de processus de correction en parallèle. Défaut : nombre de cœurs.")
@click.option("--decimal-comma", is_flag=True,
              help="CSV à la française : séparateur « ; » et virgule décimale (LibreOffice, Excel français).")
@click.option("--title", default="", metavar="TEXTE", help="Titre de la page de synthèse de la classe.")
@click.option("--mode", type=click.Choice(["dictee", "post-edition"]), default="dictee", show_default=True,
              help="post-edition : chaque copie est le brouillon de reconnaissance vocale de son exercice "
                   "(<exercice>.brouillon.txt) corrigé par l'apprenant ; le carnet de notes ajoute les "
                   "erreurs du brouillon corrigées, oubliées et introduites. Une colonne « brouillon » du "
                   "manifeste fait de même copie par copie.")
def grade(submissions: Path, references: Path | None, bareme: str | None, manifest: Path | None,
          out: Path | None, jobs: int | None, decimal_comma: bool, title: str, mode: str):
    """Corrige toutes les copies de DOSSIER_COPIES, rangées en <apprenant>/<exercice>.<txt|docx|odt>.

    L'exercice est le nom du fichier sans extension (par exemple 01-cardiologie-consultation),
    cherché dans le dossier des références. Le dossier de sortie reçoit gradebook.csv,
    gradebook.json, index.html (synthèse de la classe) et un rapport HTML par apprenant et
    par exercice. Une copie illisible ou inconnue est signalée dans le carnet de notes avec
    le statut « erreur » ; les autres sont corrigées. Relancer la même commande après une
    interruption reprend là où elle s'était arrêtée (résultats gardés dans <sortie>/.cache).

    Code de sortie : 0 si tout est corrigé, 1 si au moins une copie est en erreur.
    """
    if out is None:
        out = submissions.resolve().parent / f"{submissions.resolve().name}-corrections"
    options = BatchOptions(
        submissions=submissions, references=references or references_dir(), out=out,
        bareme=load_bareme(bareme), jobs=jobs or os.cpu_count() or 1, decimal_comma=decimal_comma,
        manifest=manifest, progress=True, title=title, mode=mode)
    try:
        result = run_batch(options)
    except KeyboardInterrupt:
        click.echo("\nInterrompu. Les copies déjà corrigées sont gardées : relancez la même commande "
                   "pour reprendre.", err=True)
        sys.exit(130)
    summary = f"{result.graded} copie(s) corrigée(s), {result.failed} en erreur"
    if result.mean is not None:
        summary += f", moyenne {_fr(result.mean)}/20"
    if result.cached:
        summary += f" ({result.cached} reprise(s) d'un passage précédent)"
    click.echo(summary, err=True)
    for record in result.records:
        if record["status"] != "ok":
            click.echo(f"  erreur : {record['learner']} / {record['exercise'] or '?'} — {record['message']}", err=True)
    click.echo(f"Résultats : {out / 'index.html'} · carnet de notes : {out / 'gradebook.csv'}", err=True)
    sys.exit(1 if result.failed else 0)
