"""The ASR guards (`transcribe/asr/guards.py`) measured: WER and time with and without them.

In one process per engine (model loaded and warmed up before timing), every audio is decoded
once: the first pass, read just before the guards, is the transcript without guards, and the
guards' own time (VAD, checks, re-decoding) is timed apart, so that a machine's load weighs
on both alike. Printed:

- the bundled dictations (the corpus): lenient WER against the written references and
  « WER dictée » (Whisper's own text against the spoken words), micro-averaged, the real-time
  factor, the windows re-decoded, and per dictation what the guards changed;
- the stress set (`transcribe/bench/stress.py`, made from the bundled audio): the longest run
  of a repeated word or n-gram, the word count against the spoken text, the utterances
  missing, against the bounds of issue 24 (run ≤ 4, words within 20 %, none missing);
- the clip read four times under the three settings of issue 24 (default, a word list, beam 1
  and the list): « amlodipine » heard 3 to 5 times (one letter off counts: `stress.readings`),
  48 to 72 words;
- the ratios: time with / without guards, WER difference in points (bound: +1 point).

    python benchmarks/bench_guards.py                    # faster-whisper, 15 dictations + long stress set (≈ 16 min)
    python benchmarks/bench_guards.py --engine openai-whisper --files 04-pediatrie-consultation,14-ordonnance
    python benchmarks/bench_guards.py --quick            # 2 dictations, short stress set (≈ 3 min)
    python benchmarks/bench_guards.py --bias aucun --json out.json
    python benchmarks/bench_guards.py --levers           # also: no previous text anywhere (the blunt lever)

Vocabulary: the ``specialite`` mode by default (what ``transcribe bench`` uses; ``--bias``).
Timings are only comparable within one run; the machine's load is printed at both ends.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUICK_FILES = "04-pediatrie-consultation,14-ordonnance"
FOUR_READINGS_VOCABULARY = ["hypertension artérielle", "amlodipine", "électrocardiogramme", "fibrillation atriale"]
FOUR_READINGS = [("défaut", {}), ("liste de mots", {"vocabulary": FOUR_READINGS_VOCABULARY}),
                 ("faisceau 1 + liste", {"beam_size": 1, "vocabulary": FOUR_READINGS_VOCABULARY})]


def both(audio, engine: str, **options) -> dict[str, object]:
    """{"sans gardes": …, "avec gardes": …} from one decoding: the first pass, taken just before
    the guards read it, is exactly what ``guards=False`` decodes (same runner, same options);
    its time is the whole time less the guards' (their VAD, checks and re-decoding)."""
    import copy

    from transcribe.asr import engines
    from transcribe.asr.biasing import clean_segments
    from transcribe.asr.commands import apply_commands

    seen = {}
    real = engines.guard

    def spy(samples, segments, decode, opts, speech=None):
        seen["first"] = copy.deepcopy(segments)
        start = time.perf_counter()
        out = real(samples, segments, decode, opts, speech)
        seen["seconds"] = time.perf_counter() - start
        return out

    engines.guard = spy
    try:
        guarded = engines.transcribe_audio(audio, engine=engine, guards=True, **options)
    finally:
        engines.guard = real
    segments, _ = clean_segments(seen["first"], guarded.options["initial_prompt"] or guarded.options["hotwords"])
    raw = " ".join(s.text.strip() for s in segments if s.text.strip())
    plain = copy.copy(guarded)
    plain.segments, plain.raw_text, plain.text = segments, raw, apply_commands(raw)
    plain.elapsed = guarded.elapsed - seen["seconds"]
    plain.options = dict(guarded.options, guards=False, redecoded=[])
    return {"sans gardes": plain, "avec gardes": guarded}


def run_pair(audio, engine: str, configs: dict[str, dict], **options) -> dict[str, object]:
    """Without and with the guards (one decoding, `both`), then any other configuration."""
    from transcribe.asr.engines import transcribe_audio

    out = both(audio, engine, **options)
    for name, extra in configs.items():
        if name not in out:
            out[name] = transcribe_audio(audio, engine=engine, **dict(options, **extra))
    return out


def lenient_wer(refs: list[str], hyps: list[str]) -> float:
    import jiwer

    from transcribe.views import lenient_text

    return jiwer.wer([lenient_text(r) for r in refs], [lenient_text(h) or "<vide>" for h in hyps])


def corpus(engine: str, names: list[str], bias: str, configs: dict[str, dict]) -> dict:
    """Every dictation under each configuration: texts, timings, windows re-decoded."""
    from transcribe.asr.vocabulary import vocabulary_for
    from transcribe.exercise import find_exercise

    rows = []
    for name in names:
        exercise = find_exercise(name)
        spoken = exercise.audio_path.with_name(exercise.audio_path.stem + ".dictee.txt").read_text(encoding="utf-8")
        out = run_pair(exercise.audio_path, engine, configs, vocabulary=vocabulary_for(bias, exercise))
        rows.append({"id": name, "reference": exercise.reference_text(), "spoken": spoken, "runs": {
            c: {"text": t.text, "raw_text": t.raw_text, "duration": t.duration, "elapsed": t.elapsed,
                "redecoded": t.options.get("redecoded", [])} for c, t in out.items()}})
        print(f"  {name} : " + " ; ".join(f"{c} {t.elapsed:.1f} s" for c, t in out.items()),
              file=sys.stderr, flush=True)
    return {"rows": rows}


def corpus_table(rows: list[dict], configs: list[str], engine: str) -> list[str]:
    lines = ["| configuration | moteur | audio (s) | temps (s) | RTF | WER | WER dictée | fenêtres redécodées |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for c in configs:
        runs = [r["runs"][c] for r in rows]
        audio_s, busy = sum(x["duration"] for x in runs), sum(x["elapsed"] for x in runs)
        wer = lenient_wer([r["reference"] for r in rows], [x["text"] for x in runs])
        spoken = lenient_wer([r["spoken"] for r in rows], [x["raw_text"] for x in runs])
        windows = sum(len(x["redecoded"]) for x in runs)
        kept = sum(1 for x in runs for w in x["redecoded"] if w["retenu"] != "premier décodage")
        lines.append(f"| {c} | {engine} | {audio_s:.1f} | {busy:.1f} | {busy / audio_s:.3f} | {wer:.3f} | "
                     f"{spoken:.3f} | "
                     f"{windows} ({kept} retenues) |")
    return lines


def per_dictation(rows: list[dict], base: str, other: str) -> list[str]:
    """The dictations whose WER the guards changed, and the paired count."""
    better = worse = 0
    lines = []
    for r in rows:
        a = lenient_wer([r["reference"]], [r["runs"][base]["text"]])
        b = lenient_wer([r["reference"]], [r["runs"][other]["text"]])
        better += b < a
        worse += b > a
        if abs(b - a) > 1e-9:
            reasons = sorted({x for w in r["runs"][other]["redecoded"] for x in w["raisons"]})
            lines.append(f"  {r['id']} : WER {a:.3f} → {b:.3f} ({', '.join(reasons) or 'mots sans durée retirés'})")
    return lines + [f"  {other} meilleur sur {better} dictée(s), moins bon sur {worse}, égal sur "
                    f"{len(rows) - better - worse}"]


def stress(engine: str, long: bool, configs: dict[str, dict]) -> list[str]:
    from transcribe.bench.stress import checks, stress_set

    lines = ["| cas | durée (s) | configuration | temps (s) | RTF | plus longue répétition | mots / dits | "
             "phrases manquantes | critères |", "|---|---:|---|---:|---:|---:|---:|---:|---|"]
    for case in stress_set(long=long):
        out = run_pair(case.audio, engine, configs)
        for c in configs:
            t = out[c]
            r = checks(t.raw_text, case.spoken)
            lines.append(f"| {case.id} ({case.description}) | {case.duration:.0f} | {c} | {t.elapsed:.1f} | "
                         f"{t.elapsed / case.duration:.3f} | {r['longest_run']} | {r['words']}/{r['spoken_words']} "
                         f"({r['word_ratio']:.2f}) | {len(r['missing'])} | {'oui' if r['ok'] else 'NON'} |")
        print(f"  {case.id} fait", file=sys.stderr, flush=True)
    return lines


def four_readings(engine: str, configs: dict[str, dict]) -> list[str]:
    import numpy as np

    from transcribe.asr.audio import load_audio
    from transcribe.bundled import audio_dir

    clip = np.concatenate([load_audio(audio_dir() / "00-court.flac")] * 4)
    from transcribe.bench.stress import readings

    lines = ["| réglages | configuration | « amlodipine » (exact / entendu) | mots | critères (3–5 ; 48–72) |",
             "|---|---|---:|---:|---|"]
    for label, options in FOUR_READINGS:
        out = run_pair(clip, engine, configs, **options)
        for c in configs:
            t = out[c]
            exact, heard, words = t.text.lower().count("amlodipine"), readings(t.text), len(t.text.split())
            ok = 3 <= heard <= 5 and 48 <= words <= 72
            lines.append(f"| {label} | {c} | {exact} / {heard} | {words} | {'oui' if ok else 'NON'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="faster-whisper", choices=["faster-whisper", "openai-whisper"])
    parser.add_argument("--files", default=None,
                        help="dictées (identifiants séparés par des virgules ; défaut : les 15)")
    parser.add_argument("--bias", default="specialite", choices=["aucun", "specialite", "exercice"],
                        help="vocabulaire des dictées du corpus (défaut : specialite, celui de transcribe bench)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_FILES}, jeu de stress court")
    parser.add_argument("--levers", action="store_true",
                        help="ajoute « sans texte précédent partout », sans gardes")
    parser.add_argument("--no-corpus", action="store_true", help="sans le corpus (jeu de stress et quatre lectures)")
    parser.add_argument("--no-stress", action="store_true", help="sans le jeu de stress")
    parser.add_argument("--no-readings", action="store_true", help="sans les quatre lectures de 00-court")
    parser.add_argument("--json", type=Path, help="écrit les transcriptions du corpus dans ce fichier")
    args = parser.parse_args()

    from transcribe.asr.audio import load_audio
    from transcribe.asr.engines import load_engine, resolve_engine_model, transcribe_audio, transcription_options
    from transcribe.bundled import audio_dir
    from transcribe.exercise import list_exercises

    names = ([n.strip() for n in (args.files or QUICK_FILES).split(",") if n.strip()] if args.files or args.quick
             else [e.id for e in list_exercises()])
    configs = {"sans gardes": {"guards": False}, "avec gardes": {"guards": True}}
    if args.levers:
        configs["sans texte précédent, sans gardes"] = {"guards": False, "condition_on_previous_text": False}
    started = time.perf_counter()
    print(f"Machine : {os.cpu_count()} processeur(s) logique(s), charge moyenne {os.getloadavg()[0]:.1f} au départ ; "
          f"moteur {args.engine} ; modèle embarqué whisper-base ; vocabulaire du corpus : {args.bias}.", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-guards-cache-") as cache:
        os.environ["TRANSCRIBE_CACHE_DIR"] = os.environ.get("TRANSCRIBE_CACHE_DIR") or cache
        path, _ = resolve_engine_model(args.engine, None)
        load_engine(args.engine, path, transcription_options(engine=args.engine))
        transcribe_audio(load_audio(audio_dir() / "00-court.flac")[: 16000 * 3], engine=args.engine)  # warm-up
        report = {}
        if not args.no_corpus:
            print(f"\n## Corpus : {len(names)} dictée(s)\n", flush=True)
            data = corpus(args.engine, names, args.bias, configs)
            report["corpus"] = data
            print("\n".join(corpus_table(data["rows"], list(configs), args.engine)))
            rows = data["rows"]

            def total(c):
                return sum(r["runs"][c]["elapsed"] for r in rows)

            base = lenient_wer([r["reference"] for r in rows], [r["runs"]["sans gardes"]["text"] for r in rows])
            guarded = lenient_wer([r["reference"] for r in rows], [r["runs"]["avec gardes"]["text"] for r in rows])
            ratio = total("avec gardes") / total("sans gardes")
            print(f"\nAvec / sans gardes, même audio, même lancement : temps ×{ratio:.2f} ; "
                  f"WER {100 * (guarded - base):+.2f} point(s) (borne : +1 point)")
            print("\n".join(per_dictation(rows, "sans gardes", "avec gardes")), flush=True)
        stress_configs = {c: configs[c] for c in ("sans gardes", "avec gardes")}
        if not args.no_stress:
            print(f"\n## Jeu de stress ({'court' if args.quick else 'long'})\n", flush=True)
            print("\n".join(stress(args.engine, not args.quick, stress_configs)), flush=True)
        if not args.no_readings:
            print("\n## 00-court lu quatre fois (issue 24)\n", flush=True)
            print("\n".join(four_readings(args.engine, stress_configs)), flush=True)
    print(f"\nDurée totale : {time.perf_counter() - started:.0f} s ; charge moyenne en fin de mesure : "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
