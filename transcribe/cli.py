"""The `transcribe` command line: one click group, one verb per job, French help texts."""

from __future__ import annotations

import sys

import click

from . import __version__
from .commands import french  # noqa: F401  (click's messages in French)
from .errors import TranscribeError, os_reason

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class FrenchErrorsGroup(click.Group):
    """Turns our errors into a French message on stderr and exit code 2 (usage) or 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TranscribeError as exc:
            click.echo(f"Erreur : {exc}", err=True)
            sys.exit(2)
        except OSError as exc:  # last resort: a system error on a path no check caught first
            where = f"{exc.filename} : " if getattr(exc, "filename", None) else ""
            click.echo(f"Erreur : {where}{os_reason(exc)}.", err=True)
            sys.exit(2)


@click.group(cls=FrenchErrorsGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", message="transcribe %(version)s")
def main():
    """Transcription et correction de dictées médicales en français.

    Transcrit les comptes rendus dictés avec Whisper (modèle embarqué, hors ligne) et
    corrige une retranscription par rapport à la référence selon les six critères de la
    compétence « Retranscrire des informations à caractère médical ou social ».
    """


# Sub-commands are registered here, one import per verb family.
from .commands import score as _score  # noqa: E402

main.add_command(_score.score)

from .commands import exercises as _exercises  # noqa: E402

main.add_command(_exercises.exercises)

from .commands import exercise_new as _exercise_new  # noqa: E402

_exercises.exercises.add_command(_exercise_new.new)

from .commands import asr as _asr  # noqa: E402

main.add_command(_asr.asr)
main.add_command(_asr.model)

from .commands import grade as _grade  # noqa: E402

main.add_command(_grade.grade)

from .commands import bench as _bench  # noqa: E402

main.add_command(_bench.bench)

from .commands import serve as _serve  # noqa: E402

main.add_command(_serve.serve)

from .commands import draft as _draft  # noqa: E402

main.add_command(_draft.draft)

from .commands import users as _users  # noqa: E402

main.add_command(_users.users)
