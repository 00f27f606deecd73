"""`transcribe draft`: an exercise's speech-recognition draft, for the post-editing exercise."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import TranscribeError
from .asr import _exercise_for, check_vocabulary_options, engine_options, vocabulary_options


def _source(target: str, exercise_id: str | None, reference: Path | None = None, references: Path | None = None):
    """(audio file, exercise or None) for an exercise id or an audio file (see `asr._exercise_for`)."""
    from ..exercise import AUDIO_SUFFIXES, find_exercise, load_exercise

    path = Path(target)
    if path.suffix.lower() in AUDIO_SUFFIXES or path.is_file():
        if not path.is_file():
            raise TranscribeError("fichier audio introuvable.", path)
        return path, _exercise_for(path, exercise_id, reference, references)
    exercise = load_exercise(reference) if reference else find_exercise(exercise_id or target, references)
    if exercise.audio_path is None:
        raise TranscribeError(f"l'exercice « {exercise.id} » n'a pas de dictée audio.", exercise.reference_path)
    return exercise.audio_path, exercise


def draft_vocabulary(exercise, no_bias: bool, mode: str | None = None, specialty: str | None = None,
                     extra: list[str] | None = None) -> list[str] | None:
    """The vocabulary given to the decoder for a draft (the `asr` command's choice: mode exercice)."""
    from ..asr.vocabulary import vocabulary_for

    return None if no_bias else vocabulary_for(mode or "exercice", exercise, specialty, extra)


@click.command(short_help="Produit le brouillon de reconnaissance vocale d'un exercice (post-édition).")
@click.argument("target", metavar="EXERCICE|AUDIO")
@click.option("--exercise", "-e", "exercise_id", metavar="ID",
              help="Exercice dont le vocabulaire oriente la reconnaissance, quand AUDIO est un fichier "
                   "(déduit du nom du fichier s'il correspond à un exercice fourni).")
@engine_options
@click.option("--beam", type=click.IntRange(1, 20), default=5, show_default=True,
              help="Largeur du faisceau de décodage.")
@vocabulary_options
@click.option("--no-commands", is_flag=True, help="Garde les commandes dictées telles quelles.")
@click.option("--vad/--no-vad", default=None,
              help="Détection de la parole (par défaut : activée au-delà de 30 s d'audio).")
@click.option("--language", default="fr", show_default=True, help="Langue imposée au modèle.")
@click.option("--cpu-threads", type=click.IntRange(min=1), default=2, show_default=True,
              help="Fils de calcul CTranslate2, fixés pour que le brouillon soit reproductible.")
@click.option("--output", "-o", type=click.Path(path_type=Path), metavar="FICHIER.txt",
              help="Écrit le brouillon dans FICHIER.txt et ses réglages dans FICHIER.toml "
                   "(ex. : -o 01-cardiologie-consultation.brouillon.txt). Défaut : sortie standard.")
@click.option("--no-cache", is_flag=True, help="Ignore le cache des transcriptions et retranscrit.")
def draft(target, exercise_id, engine, model_path, beam, reference, references, vocabulary_file, specialty, bias_mode,
          no_bias, no_commands, vad, language, cpu_threads, output, no_cache):
    """Transcrit la dictée d'un EXERCICE fourni (ou un fichier AUDIO) en brouillon à corriger.

    Le brouillon est ce qu'un logiciel de reconnaissance vocale aurait produit : l'apprenant
    le relit, le corrige et le met en page (« transcribe score COPIE --exercise ID --draft »).
    Réglages déterministes (température 0 sans repli, nombre de fils fixé) ; avec -o, ils
    sont écrits à côté du brouillon (FICHIER.toml) pour pouvoir le régénérer à l'identique.
    """
    from ..drafts import default_settings, make_draft, write_draft
    from ..files import check_not_input
    from ..inputs import check_file

    from ..asr.vocabulary import read_vocabulary_file

    check_vocabulary_options([Path(target)], exercise_id, reference, references, vocabulary_file)
    audio, exercise = _source(target, exercise_id, reference, references)
    check_file(audio, "audio")  # a named pipe or a device would block the decoder
    if output is not None:
        check_not_input(output, [audio, exercise.reference_path if exercise else None])
    extra = read_vocabulary_file(vocabulary_file) if vocabulary_file is not None else None
    vocabulary = draft_vocabulary(exercise, no_bias, bias_mode, specialty, extra)
    settings = default_settings(audio, engine=engine, model=model_path, vocabulary=vocabulary,
                                beam_size=beam, language=language, vad=vad, commands=not no_commands,
                                cpu_threads=cpu_threads, exercise=exercise.id if exercise else "")
    d = settings.decoding
    click.echo(f"Brouillon de {exercise.id if exercise else audio} ({engine}, faisceau {beam}, "
               f"{cpu_threads} fil(s), VAD {'oui' if d['vad'] else 'non'}, "
               f"vocabulaire {'oui' if d.get('hotwords') else 'non'})…", err=True)
    text = make_draft(audio, settings, use_cache=not no_cache)
    if output is None:
        click.echo(text, nl=False)
        return
    path, sidecar = write_draft(output, text, settings)
    click.echo(f"Brouillon écrit dans {path} (réglages : {sidecar.name}).", err=True)
