"""`transcribe score`: one submission against its reference."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..scoring import score_files


@click.command(short_help="Corrige une retranscription par rapport à sa référence.")
@click.argument("submission", type=click.Path(path_type=Path))
@click.option("--reference", "-r", "reference", required=True, type=click.Path(path_type=Path),
              help="Texte de référence (.txt) ; le fichier .toml du même nom est lu s'il existe.")
@click.option("--json", "as_json", is_flag=True, help="Affiche l'objet de score JSON sur la sortie standard.")
def score(submission: Path, reference: Path, as_json: bool):
    """Corrige SUBMISSION (.txt, .docx ou .odt) par rapport à la référence.

    Chaque écart est typé (omission, ajout, substitution, usage, accord, accent, majuscule,
    ponctuation) et signalé s'il touche un terme médical, une valeur critique ou l'identité
    du patient.
    """
    result = score_files(submission, reference)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    from ..report.terminal import print_score

    print_score(result)
