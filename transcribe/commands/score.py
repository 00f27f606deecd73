"""`transcribe score`: one submission against its reference."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click

from ..drafts import draft_path
from ..exercise import find_exercise
from ..files import check_output_file, write_output
from ..grading import grade, load_bareme
from ..scoring import score_files
from .params import FiniteFloat


@click.command(short_help="Corrige une retranscription par rapport à sa référence.")
@click.argument("submission", type=click.Path(path_type=Path))
@click.option("--reference", "-r", "reference", type=click.Path(path_type=Path),
              help="Texte de référence (.txt) ; le fichier .toml du même nom est lu s'il existe.")
@click.option("--exercise", "-e", "exercise_id", metavar="ID",
              help="Identifiant d'un exercice fourni (voir « transcribe exercises »), au lieu de --reference.")
@click.option("--bareme", "-b", default=None, metavar="FICHIER|NOM",
              help="Barème : fichier .toml ou préréglage (defaut, brevet, ahdi). Défaut : defaut.")
@click.option("--elapsed", type=FiniteFloat(min=0), default=None, metavar="MINUTES",
              help="Temps passé sur la retranscription, en minutes (critère DEL).")
@click.option("--draft", "draft", is_flag=False, flag_value="", default=None, metavar="[BROUILLON]",
              help="La copie est un brouillon de reconnaissance vocale corrigé (post-édition) : compare "
                   "aussi ses erreurs à celles du brouillon. Seul, --draft prend le brouillon fourni avec "
                   "l'exercice (<id>.brouillon.txt) ; --draft FICHIER, un autre brouillon.")
@click.option("--json", "as_json", is_flag=True, help="Affiche l'objet de score JSON sur la sortie standard.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Écrit le résultat dans ce fichier au lieu de la sortie standard (jamais sur un "
                   "fichier d'entrée).")
def score(submission: Path, reference: Path | None, exercise_id: str | None, bareme: str | None,
          elapsed: float | None, draft: str | None, as_json: bool, output: Path | None):
    """Corrige SUBMISSION (.txt, .docx ou .odt) par rapport à la référence.

    Chaque écart est typé (omission, ajout, substitution, usage, homophone, accord, accent,
    majuscule, ponctuation) et signalé s'il touche un terme médical, une valeur critique ou l'identité
    du patient.

    Post-édition (--draft) : la copie finale est notée comme toute copie (même barème, même
    note) ; s'y ajoutent les erreurs du brouillon corrigées, oubliées et introduites, le taux
    de correction, et l'origine de chaque erreur (brouillon ou apprenant).

    Code de sortie : 0 succès, 2 erreur d'utilisation ou fichier illisible.
    """
    if (reference is None) == (exercise_id is None):
        raise click.UsageError("indiquez la référence : --reference FICHIER.txt ou --exercise ID (l'un des deux).")
    if exercise_id is not None:
        reference = find_exercise(exercise_id).reference_path
    if output is not None:  # before any work: never over the copy, the reference or the barème
        check_output_file(output, [submission, reference, reference.with_suffix(".toml"),
                                   Path(bareme) if bareme else None, Path(draft) if draft else None,
                                   draft_path(reference)])
    scale = load_bareme(bareme)
    if draft is not None:
        from ..postedit import score_post_edit_files

        result = score_post_edit_files(submission, reference, Path(draft) if draft else None, scale, elapsed)
    else:
        result = grade(score_files(submission, reference), scale, elapsed)
    if as_json:
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
        if output:
            write_output(output, text)
        else:
            click.echo(text, nl=False)
        return
    from rich.console import Console

    from ..report.terminal import print_score

    if output:
        console = Console(record=True, width=110, file=io.StringIO())
        print_score(result, console)
        write_output(output, console.export_text())
    else:
        print_score(result)
