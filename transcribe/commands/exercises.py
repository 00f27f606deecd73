"""`transcribe exercises`: the bundled (or a folder's) dictation exercises."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..bundled import references_dir
from ..exercise import scan_exercises


def audio_duration(path: Path | None) -> float | None:
    if path is None:
        return None
    import soundfile

    try:
        info = soundfile.info(str(path))
    except RuntimeError:
        return None
    return info.frames / info.samplerate


@click.group(short_help="Liste les exercices de dictée disponibles (et en crée : exercises new).",
             invoke_without_command=True)
@click.option("--references", "references", type=click.Path(path_type=Path, file_okay=False),
              default=None, show_default="références fournies",
              help="Dossier des références (<id>.txt et <id>.toml).")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@click.pass_context
def exercises(ctx: click.Context, references: Path, as_json: bool):
    """Liste les exercices : identifiant, titre, spécialité, durée de l'enregistrement.

    Un exercice dont les métadonnées (.toml) sont invalides est signalé sur la sortie
    d'erreur ; les autres sont listés. « exercises new » crée un exercice à partir d'un
    enregistrement. Code de sortie : 0 succès, 1 au moins un exercice
    invalide, 2 erreur d'utilisation.
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
