"""`transcribe bench`: ASR systems (engine × model × beam × biasing) over the dictations, side by side."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from ..errors import TranscribeError
from .params import FiniteFloat
from .asr import check_ray_address, ray_options

ENGINE_CHOICE = click.Choice(["faster-whisper", "openai-whisper"])
BIAS_CHOICE = click.Choice(["oui", "non", "les-deux", "both"])
BIAIS_CHOICE = click.Choice(["aucun", "specialite", "exercice", "tous"])
GARDES_CHOICE = click.Choice(["avec", "sans", "les-deux"])
GARDES = {"avec": (True,), "sans": (False,), "les-deux": (True, False)}


def _split_ids(values) -> list[str]:
    return [i.strip() for v in values for i in v.split(",") if i.strip()]


def _audio_seconds(path: Path) -> float | None:
    try:
        import soundfile

        return soundfile.info(str(path)).duration
    except Exception:
        try:
            from ..asr.audio import SAMPLE_RATE, load_audio

            return len(load_audio(path, check_silence=False)) / SAMPLE_RATE
        except Exception:
            return None


def _environment() -> dict:
    """What the timings depend on: CPUs, load, library versions."""
    import os
    import platform
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for dist in ("faster-whisper", "ctranslate2", "openai-whisper", "torch", "jiwer"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = None
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"cpus": os.cpu_count(), "machine": platform.machine(), "python": platform.python_version(),
            "load_average": [round(x, 2) for x in load] if load else None, "versions": versions}


def _audio_ids(dictations) -> list[dict]:
    from ..asr.audio import audio_hash

    out = []
    for d in dictations:
        try:
            sha = audio_hash(d.audio) if d.audio else None
        except OSError:
            sha = None
        out.append({"id": d.id, "audio": str(d.audio) if d.audio else None, "sha256": sha})
    return out


def _unique_names(results) -> None:
    """Hypothesis folders with the same name (or named « ref ») get a suffix: one trn file each."""
    seen = {"ref"}
    for r in results:
        name, k = r.name, 2
        while name in seen:
            name, k = f"{r.name}-{k}", k + 1
        r.name = name
        seen.add(name)


def _check_inputs(hyp_dirs, out_dir: Path) -> None:
    """Hypothesis files are regular files (a named pipe would block), and never in --out."""
    from ..files import same_file
    from ..inputs import check_file

    for hyp in hyp_dirs:
        hyp = Path(hyp)
        files = sorted(hyp.glob("*.trn")) + sorted(hyp.glob("*.txt")) if hyp.is_dir() else [hyp]
        for path in files:
            if path.suffix == ".trn":
                check_file(path, "texte")
        if same_file(hyp, out_dir) or any(same_file(path.parent, out_dir) for path in files):
            raise TranscribeError("le dossier de résultats (--out) contient les hypothèses évaluées : elles "
                                  "pourraient être remplacées. Choisissez un autre dossier avec --out.", out_dir)


@click.command(short_help="Compare moteurs et réglages de reconnaissance sur les dictées (WER, vitesse…).")
@click.argument("audio_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--references", "references_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DOSSIER",
              help="Dossier des références <id>.txt (+ .toml) ; par défaut celles fournies.")
@click.option("--engine", "engines", type=ENGINE_CHOICE, multiple=True,
              help="Moteur(s) ; répétable (par défaut : faster-whisper).")
@click.option("--model", "models", multiple=True, metavar="CHEMIN",
              help="Modèle(s) locaux (dossier CTranslate2 ou .pt) ; répétable (par défaut : le modèle embarqué).")
@click.option("--beam", "beams", type=click.IntRange(1, 20), multiple=True,
              help="Largeur(s) de faisceau ; répétable (par défaut : 5).")
@click.option("--biais", "biais", type=BIAIS_CHOICE, multiple=True,
              help="Orientation par le vocabulaire médical, répétable : aucun ; specialite (liste de la "
                   "spécialité + --vocabulaire : ce qu'un hôpital déploie) ; exercice (en plus, les termes de "
                   "l'exercice, tirés de sa référence : signalé partout comme information de la référence) ; "
                   "tous (les trois). Défaut : specialite.")
@click.option("--bias", type=BIAS_CHOICE, default=None,
              help="Ancienne orthographe : oui (= exercice), non (= aucun), les deux (« both »).")
@click.option("--no-bias", is_flag=True, help="Raccourci de --biais aucun.")
@click.option("--vocabulaire", "vocabulary_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FICHIER",
              help="Votre liste de termes (un par ligne), ajoutée au vocabulaire des modes specialite et exercice.")
@click.option("--no-commands", is_flag=True, help="Garde les commandes dictées (« virgule »…) telles quelles.")
@click.option("--gardes", "gardes", type=GARDES_CHOICE, default="avec", show_default=True,
              help="Garde-fous de la reconnaissance (fenêtres qui répètent ou perdent la parole redécodées) : "
                   "avec, sans (système …_sansgardes), ou les-deux pour mesurer leur effet.")
@click.option("--exercises", "exercise_ids", multiple=True, metavar="ID,ID",
              help="Restreint aux exercices nommés (séparés par des virgules ; répétable).")
@click.option("--limit-seconds", type=FiniteFloat(min=0, min_open=True), metavar="S",
              help="Ne garde que les dictées d'au plus S secondes.")
@click.option("--hyp-dir", "hyp_dirs", multiple=True, type=click.Path(exists=True, path_type=Path),
              metavar="DOSSIER",
              help="Évalue des hypothèses déjà produites (dossier de <id>.txt ou fichier .trn), sans "
                   "reconnaissance ; le nom du système est celui du dossier. Répétable.")
@click.option("--compare", "pairs", nargs=2, multiple=True, metavar="A B",
              help="Compare deux systèmes par leur nom (par défaut : les deux premiers). Répétable.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("bench"),
              show_default=True, help="Dossier des résultats (csv, json, md, svg, html, trn).")
@click.option("--samples", type=click.IntRange(100, 100000), default=1000, show_default=True,
              help="Tirages du bootstrap.")
@click.option("--seed", type=int, default=0, show_default=True, help="Graine du bootstrap.")
@click.option("--no-cache", is_flag=True, help="Ignore le cache des transcriptions et retranscrit tout.")
@ray_options
def bench(audio_dir, references_dir, engines, models, beams, biais, bias, no_bias, vocabulary_file, no_commands,
          gardes, exercise_ids, limit_seconds, hyp_dirs, pairs, out_dir, samples, seed, no_cache, ray_address, ray_workers,
          ray_cpus):
    """Banc d'essai de la reconnaissance vocale sur les dictées (références + audio).

    Chaque combinaison des options (--engine, --model, --beam, --biais, --gardes) est un « système »,
    exécuté sur chaque dictée (par défaut celles fournies ; AUDIO_DIR remplace le dossier
    audio, fichiers <id>.flac|wav|mp3|ogg) au travers du cache des transcriptions, dans un
    processus à part pour mesurer sa mémoire. Mesures par dictée et sur le corpus
    (micro-moyennes, IC 95 % par bootstrap) : WER et CER en vue souple, WER strict, précision
    des termes médicaux, erreurs critiques (identité, doses, dates, latéralité), facteur temps
    réel, temps, mémoire ; comparaison appariée de deux systèmes (bootstrap apparié, test des
    signes, Wilcoxon). Fichiers écrits dans --out : bench.csv, bench.json, bench.md, bench.svg,
    difficulte.svg, bench.html, ref.trn et <système>.trn (format sclite).

    Code de sortie : 0 succès, 1 au moins une dictée en échec, 2 erreur d'utilisation.
    """
    from rich.console import Console

    from ..bench import outputs, runner
    from ..bench.evaluate import system_result
    from ..bench.pipeline import score_hyp_dirs, write_outputs

    check_ray_address(ray_address)
    if hyp_dirs and (engines or models or beams or no_bias or biais or bias or vocabulary_file or no_cache
                     or ray_address or gardes != "avec"):
        raise click.UsageError("--hyp-dir évalue des hypothèses existantes : pas d'option de reconnaissance avec.")
    _check_inputs(hyp_dirs, Path(out_dir))
    extra = None
    if vocabulary_file is not None:
        from ..asr.vocabulary import read_vocabulary_file

        extra = read_vocabulary_file(vocabulary_file)
    bias_choices = ["aucun"] if no_bias else list(biais) + ([bias] if bias else []) or ["specialite"]
    only = _split_ids(exercise_ids) or None
    dictations = runner.discover(references_dir, audio_dir, only, need_audio=not hyp_dirs)
    if limit_seconds and not hyp_dirs:
        dictations = [d for d in dictations if (_audio_seconds(d.audio) or 0) <= limit_seconds]
    if not dictations:
        raise TranscribeError("aucune dictée à évaluer (référence + audio) : vérifiez les dossiers et --exercises.",
                              audio_dir or references_dir)
    err = Console(stderr=True)
    environment_start = _environment()
    results, runs = [], []
    if hyp_dirs:
        results, dictations = score_hyp_dirs(hyp_dirs, dictations, samples, seed)
        if not dictations:  # like a folder of <id>.txt: hypotheses for no known exercise
            raise TranscribeError("aucune hypothèse ne correspond à un exercice connu (identifiants des .trn ou "
                                  "noms des <id>.txt) : vérifiez --references et --exercises.", hyp_dirs[0])
        _unique_names(results)
        for r in results:
            if r.unknown_ids:
                err.print(f"[yellow]{r.name} : hypothèses sans référence ignorées : {', '.join(r.unknown_ids)}[/]")
    else:
        systems = runner.systems_from_options(engines or ["faster-whisper"], list(models), beams or [5],
                                              bias_choices, not no_commands, GARDES[gardes])
        if any(s.engine == "openai-whisper" for s in systems):
            from ..asr.extras import require_openai_whisper

            require_openai_whisper()  # the install line, before any transcription
        names = [s.name for s in systems]
        unknown = [n for pair in pairs for n in pair if n not in names]
        if unknown:  # before hours of transcription, not after
            raise click.UsageError(f"--compare : système inconnu « {unknown[0]} » (systèmes : {', '.join(names)}).")
        runs_dir = Path(out_dir) / "runs"
        total = len(systems) * len(dictations)
        done = 0
        with contextlib.ExitStack() as stack:
            pool = None
            if ray_address:
                from ..asr.cluster import open_pool

                pool = stack.enter_context(open_pool(ray_address, ray_workers, ray_cpus))
                err.print(f"Ray : {len(pool.actors)} processus de transcription.", highlight=False)
            for system in systems:
                def progress(item_id, name=system.name):
                    nonlocal done
                    done += 1
                    err.print(f"[{done}/{total}] {name} · {item_id}", highlight=False)

                if pool is None:
                    run = runner.run_system(system, dictations, use_cache=not no_cache, progress=progress, extra=extra)
                else:
                    run = runner.run_system_ray(system, dictations, pool, use_cache=not no_cache, progress=progress,
                                                extra=extra)
                run = runner.keep_measured_peak(run, runner.load_run(system, runs_dir))
                runner.save_run(run, runs_dir)
                runs.append(run)
                for item in run.items:
                    if item.error:
                        err.print(f"[red]{system.name} · {item.id} : {item.error}[/]", highlight=False)
                results.append(system_result(run, dictations, samples, seed))
    audio_now = _audio_ids(dictations)
    current = {a["id"]: a["sha256"] for a in audio_now}
    changed = sorted({i.id for run in runs for i in run.items if i.audio_sha256 and i.audio_sha256 != current.get(i.id)})
    if changed:
        err.print(f"[yellow]Audio remplacé pendant le banc : {', '.join(changed)} ; relancez la même commande "
                  "(le cache retranscrira ces dictées seulement).[/]", highlight=False)
    scored = [d for d in dictations if any(d.id in r.by_id() and r.by_id()[d.id].ok for r in results)]
    audio_min = sum((_audio_seconds(d.audio) or 0) for d in scored if d.audio) / 60
    config = {"dictations": len(scored), "audio_minutes": audio_min, "samples": samples, "seed": seed,
              "exercises": [d.id for d in dictations], "hyp_dirs": [str(p) for p in hyp_dirs],
              "systems": [r.name for r in results], "audio": audio_now, "audio_changed": changed,
              "environment": environment_start, "load_average_end": _environment()["load_average"]}
    extra = write_outputs(Path(out_dir), results, dictations, list(pairs) or None, config)
    Console(stderr=False, width=None if sys.stdout.isatty() else 200).print(outputs.rich_table(results))
    for line in outputs.comparison_lines(extra["comparisons"]):
        click.echo(line.replace("**", ""))
    err.print(f"Résultats écrits dans {out_dir}/ (bench.csv, bench.json, bench.md, bench.svg, bench.html, *.trn).",
              highlight=False)
    if any(not i.ok for r in results for i in r.items):
        sys.exit(1)
