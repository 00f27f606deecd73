"""`transcribe exercises new AUDIO --id ID --references DIR`: a recording becomes an exercise.

The work is `authoring.new.create_exercise`'s; this command shows its progress on stderr
and its report on stdout: the files written, the suggested metadata, and what the trainer
must check (the words Whisper was unsure of, the near-misses of medical terms).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .asr import engine_options


def _clock(seconds: float | None) -> str:
    """« 0:04,2 »: where a word is in the recording."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(float(seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}".replace(".", ",")


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def report_lines(made) -> list[str]:
    """The French report of a `NewExercise`, line by line."""
    from ..authoring.review import UNSURE_BELOW

    s, files = made.suggestions, made.files
    lines = [f"Exercice « {made.id} » créé dans {made.folder} (enregistrement de {_number(round(made.duration, 1))} s, "
             f"{made.recording_format} ; prêt en {_number(round(made.elapsed, 1))} s).",
             f"  référence    {files['reference'].name}  (texte de Whisper : à relire et corriger)",
             f"  métadonnées  {files['metadata'].name}  (suggestions à vérifier)",
             f"  brouillon    {files['draft'].name}  (réglages : {files['draft_settings'].name})",
             f"  audio        {files['audio'].name}  (16 kHz, mono)",
             f"  réécoute ▶   {files['timings'].name}",
             f"  modèle       {files['template'].name}  (à compléter : en-tête au-dessus de « [texte dicté] », "
             "signature en dessous)",
             "", "Suggestions :",
             f"  titre              {s.title}  ({s.sources.get('title', '')})",
             f"  spécialité         {s.specialty or '—'}  ({s.sources.get('specialty', '')})",
             f"  difficulté         {s.difficulty}  ({s.sources.get('difficulty', '')})",
             f"  temps imparti      {_number(s.time_limit_minutes)} min  ({s.sources.get('time_limit_minutes', '')})",
             "  patient            " + (", ".join(f"{k} = {v}" for k, v in s.patient.items()) or "—"),
             "  valeurs critiques  " + (", ".join(s.critical_values) or "—"),
             "  termes médicaux    " + (", ".join(s.terms) or "—"),
             "  rubriques          " + (", ".join(s.sections) or "—"),
             f"  consigne           {made.given.consigne}",
             "  fiche              " + (", ".join(f"{k} : {v}" for k, v in made.given.fiche.items()) or "—")]
    unsure, near = made.review.unsure, made.review.near_misses
    lines += ["", "À vérifier dans la référence :"]
    if not unsure and not near:
        lines.append("  rien de signalé (relisez tout de même le texte en écoutant l'enregistrement).")
    if unsure:
        lines.append(f"  Mots dont Whisper est peu sûr (probabilité < {_number(UNSURE_BELOW)}) :")
        lines += [f"    {_clock(w.start)}  « {w.word} »  ({_number(round(w.probability, 2))})" for w in unsure]
    if near:
        lines.append("  Termes médicaux peut-être mal orthographiés (orthographe du lexique proposée) :")
        lines += [f"    {_clock(m.start)}  « {m.word} » → « {m.proposal} ? »"
                  + (f"  ({m.count} fois)" if m.count > 1 else "") for m in near]
    lines += ["", f"Corrigez {files['reference'].name} et {files['metadata'].name} ; une référence modifiée voit "
                  "ses repères de réécoute recalculés par « transcribe serve »."]
    return lines


@click.command(short_help="Crée un exercice à partir d'un enregistrement (Whisper rédige la référence).")
@click.argument("audio", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--id", "exercise_id", required=True, metavar="ID",
              help="Identifiant du nouvel exercice : minuscules sans accent, chiffres, « - » ou « _ » "
                   "(ex. : 16-cardiologie-holter). Un identifiant déjà pris est refusé.")
@click.option("--references", "references", required=True, type=click.Path(path_type=Path), metavar="DOSSIER",
              help="Dossier de vos exercices, où l'exercice est écrit (créé s'il n'existe pas).")
@click.option("--titre", "title", metavar="TEXTE", help="Titre de l'exercice (par défaut : déduit du texte).")
@click.option("--specialite", "specialty", metavar="NOM",
              help="Spécialité : sa liste de mots oriente la reconnaissance (ex. cardiologie, pédiatrie, "
                   "imagerie ; par défaut : déduite du texte, sans orientation).")
@click.option("--vocabulaire", "vocabulary_file", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FICHIER", help="Votre liste de termes, un par ligne : elle oriente la reconnaissance et "
                                      "compte comme lexique pour les propositions d'orthographe.")
@engine_options
@click.option("--json", "as_json", is_flag=True, help="Rapport en JSON (fichiers, suggestions, points à vérifier).")
@click.option("--no-cache", is_flag=True, help="Ignore le cache des transcriptions et retranscrit.")
def new(audio, exercise_id, references, title, specialty, vocabulary_file, engine, model_path, as_json, no_cache):
    """Crée l'exercice ID dans DOSSIER à partir de l'enregistrement AUDIO.

    Formats acceptés : FLAC, WAV, MP3, Ogg/Opus, WebM/Opus (enregistré par un navigateur),
    M4A/AAC ; de 5 s à 30 min de parole. Whisper (modèle embarqué) transcrit l'enregistrement
    une fois ; en sortent, dans DOSSIER : la référence à relire (<id>.txt), les métadonnées
    suggérées (<id>.toml), le brouillon de post-édition et ses réglages
    (<id>.brouillon.txt/.toml), ce que reçoit l'apprenant (consigne et fiche dans le .toml,
    modèle <id>.modele.txt), l'enregistrement en FLAC 16 kHz mono (<id>.flac) et les
    repères de réécoute (<id>.timings.json). Rien n'est jamais écrasé ; en cas d'erreur,
    rien n'est écrit. Le rapport (sortie standard) dit quoi vérifier : les mots dont
    Whisper est peu sûr et les termes médicaux peut-être mal orthographiés. Code de sortie :
    0 succès, 2 erreur (identifiant pris, enregistrement refusé…).
    """
    from ..asr.vocabulary import read_vocabulary_file
    from ..authoring.new import check_available, check_folder, create_exercise

    check_available(references, exercise_id)  # usage errors before reading any audio
    check_folder(references)
    vocabulary = read_vocabulary_file(vocabulary_file) if vocabulary_file is not None else None

    shown = set()

    def progress(stage: str, message: str, fraction: float) -> None:
        if stage != "pret" and stage not in shown:  # one line a stage (Whisper reports every segment)
            shown.add(stage)
            click.echo(f"[{fraction:4.0%}] {message}".replace("%", " %"), err=True)

    made = create_exercise(audio, exercise_id, references, title=title, specialty=specialty, vocabulary=vocabulary,
                           engine=engine, model=model_path, progress=progress, use_cache=not no_cache)
    if as_json:
        click.echo(json.dumps(made.to_dict(), ensure_ascii=False, indent=2, allow_nan=False))
    else:
        click.echo("\n".join(report_lines(made)))
