"""`transcribe exercises`: the bundled (or a folder's) dictation exercises.

``transcribe exercises`` lists them; ``transcribe exercises sujet ID`` gives one exercise's
subject to a learner who works in a word processor (``subject``: the template as .docx and
.odt, the instructions and the information sheet apart, the recording).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..bundled import references_dir
from ..exercise import find_exercise, scan_exercises


def audio_duration(path: Path | None) -> float | None:
    if path is None:
        return None
    import soundfile

    try:
        info = soundfile.info(str(path))
    except RuntimeError:
        return None
    return info.frames / info.samplerate


REFERENCES_OPTION = click.option(
    "--references", "references", type=click.Path(path_type=Path, file_okay=False), default=None,
    show_default="références fournies", help="Dossier des références (<id>.txt, <id>.toml, <id>.modele.txt).")


@click.group(invoke_without_command=True,
             short_help="Liste les exercices ; donne le sujet d'un exercice ; en crée un (new).")
@REFERENCES_OPTION
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@click.pass_context
def exercises(ctx: click.Context, references: Path, as_json: bool):
    """Liste les exercices : identifiant, titre, spécialité, durée de l'enregistrement.

    Un exercice dont les métadonnées (.toml) ou le modèle (.modele.txt) sont invalides est
    signalé sur la sortie d'erreur ; les autres sont listés. Code de sortie : 0 succès, 1 au
    moins un exercice invalide, 2 erreur d'utilisation.

    « transcribe exercises sujet ID » donne le sujet d'un exercice, « transcribe exercises
    new AUDIO » crée un exercice à partir d'un enregistrement (voir leur aide).
    """
    if ctx.invoked_subcommand is not None:
        return
    title = "exercices fournis" if references is None else f"exercices ({references})"
    references = references if references is not None else references_dir()
    found, problems = scan_exercises(references)
    rows = []
    for ex in found:
        duration = audio_duration(ex.audio_path)
        rows.append({"id": ex.id, "title": ex.title, "specialty": ex.specialty,
                     "duration_s": round(duration, 1) if duration else None,
                     "time_limit_minutes": ex.time_limit_minutes, "difficulty": ex.difficulty,
                     "audio": str(ex.audio_path) if ex.audio_path else None})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, allow_nan=False))
    else:
        console = Console()
        title = f"{len(rows)} {title}"
        console.print((wide_table if console.width >= WIDE_COLUMNS else narrow_table)(title, rows))
    for problem in problems:
        click.echo(f"Erreur : {problem}", err=True)
    if problems:
        sys.exit(1)


WIDE_COLUMNS = 110  # below this (80 columns is the default of a pipe), the narrow layout


def _duration(row: dict) -> str:
    d = row["duration_s"]
    return f"{int(d // 60)} min {int(d % 60):02d} s" if d else "—"


def _limit(row: dict) -> str:
    return f"{row['time_limit_minutes']:g} min" if row["time_limit_minutes"] else "—"


def wide_table(title: str, rows: list[dict]) -> Table:
    """One column per field."""
    table = Table(title=title)
    table.add_column("Identifiant", no_wrap=True)
    table.add_column("Titre", min_width=20)
    table.add_column("Spécialité", min_width=12)
    for col in ("Durée", "Temps imparti", "Difficulté"):
        table.add_column(col, no_wrap=True)
    for r in rows:
        table.add_row(escape(r["id"]), escape(r["title"]), escape(r["specialty"]), _duration(r), _limit(r),
                      escape(r["difficulty"] or "—"))
    return table


def narrow_table(title: str, rows: list[dict]) -> Table:
    """Each exercise's title and specialty under its identifier, the time limit under the
    duration: every field stays readable from 60 columns up (80 is the default of a pipe);
    the identifier, which users type, never wraps."""
    table = Table(title=title, show_lines=True)
    table.add_column("Exercice (titre, spécialité)", min_width=max((len(r["id"]) for r in rows), default=10))
    table.add_column("Durée (temps imparti)", width=10)
    table.add_column("Difficulté", no_wrap=True)
    for r in rows:
        table.add_row(f"[bold]{escape(r['id'])}[/bold]\n{escape(r['title'])}\n[italic]{escape(r['specialty'])}[/italic]",
                      f"{_duration(r)}\n({_limit(r)})", escape(r["difficulty"] or "—"))
    return table


@exercises.command(short_help="Le sujet d'un exercice : modèle .docx/.odt, consigne et fiche.")
@click.argument("exercise_id", metavar="ID")
@REFERENCES_OPTION
@click.option("--out", "out", type=click.Path(path_type=Path), default=None, metavar="DOSSIER",
              help="Écrit les fichiers du sujet dans ce dossier (créé s'il le faut) au lieu d'afficher le sujet.")
def sujet(exercise_id: str, references: Path | None, out: Path | None):
    """Le sujet de l'exercice ID, pour un apprenant qui travaille dans son traitement de texte.

    Sans --out : la consigne, la fiche de renseignements (dossier du patient, prescripteur,
    date) et le modèle du document, affichés.

    Avec --out DOSSIER : ID.docx et ID.odt, le modèle du document (en-tête et signature
    fournis, une ligne vide où saisir le texte dicté) — l'apprenant y saisit sa copie et
    rend l'un des deux, que « transcribe grade » ou « transcribe score » corrigent comme
    dans l'espace de dictée ; ID.sujet.docx et ID.sujet.odt, la consigne et la fiche, à
    part ; l'enregistrement. Un fichier déjà présent n'est jamais écrasé.

    Code de sortie : 0 succès, 2 erreur d'utilisation (exercice inconnu, fichier existant).
    """
    from ..subject import subject_text, write_subject

    exercise = find_exercise(exercise_id, references)
    if out is None:
        click.echo(subject_text(exercise), nl=False)
        return
    written = write_subject(exercise, out)
    click.echo(f"Sujet de « {exercise.id} » écrit dans {out} : " + ", ".join(p.name for p in written) + ".", err=True)
