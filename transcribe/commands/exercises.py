"""`transcribe exercises`: the bundled (or a folder's) dictation exercises."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from ..bundled import references_dir
from ..exercise import list_exercises


def audio_duration(path: Path | None) -> float | None:
    if path is None:
        return None
    import soundfile

    try:
        info = soundfile.info(str(path))
    except RuntimeError:
        return None
    return info.frames / info.samplerate


@click.command(short_help="Liste les exercices de dictée disponibles.")
@click.option("--references", "references", type=click.Path(path_type=Path, file_okay=False),
              default=None, show_default="références fournies",
              help="Dossier des références (<id>.txt et <id>.toml).")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
def exercises(references: Path, as_json: bool):
    """Liste les exercices : identifiant, titre, spécialité, durée de l'enregistrement."""
    references = references if references is not None else references_dir()
    rows = []
    for ex in list_exercises(references):
        duration = audio_duration(ex.audio_path)
        rows.append({"id": ex.id, "title": ex.title, "specialty": ex.specialty,
                     "duration_s": round(duration, 1) if duration else None,
                     "time_limit_minutes": ex.time_limit_minutes, "difficulty": ex.difficulty,
                     "audio": str(ex.audio_path) if ex.audio_path else None})
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} exercices ({references})")
    table.add_column("Identifiant", no_wrap=True)
    table.add_column("Titre")
    table.add_column("Spécialité")
    for col in ("Durée", "Temps imparti", "Difficulté"):
        table.add_column(col, no_wrap=True)
    for r in rows:
        d = r["duration_s"]
        table.add_row(r["id"], r["title"], r["specialty"],
                      f"{int(d // 60)} min {int(d % 60):02d} s" if d else "—",
                      f"{r['time_limit_minutes']:g} min" if r["time_limit_minutes"] else "—",
                      r["difficulty"] or "—")
    Console().print(table)
