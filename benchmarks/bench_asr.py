"""Speed of the two Whisper engines on the same weights, audio and beam, measured in one run.

Each configuration runs in its own subprocess (its peak memory is its own; models are
loaded and warmed up before timing). Printed: a table (time, real-time factor, load time,
peak memory, WER of the same files) and the ratios that matter:

- openai-whisper (PyTorch, float32) / faster-whisper (int8 and float32), beam 5 and beam 1;
- the default pipeline's real-time factor (faster-whisper int8 on CPU, beam 5, sequential
  decoding, the exercise's vocabulary), twice (first and last: the run-to-run spread);
- faster-whisper's options: batched pipeline vs sequential, int8 vs float32, 1 vs 2 CPU threads,
  VAD on vs off;
- with Ray installed: a local Ray instance with 1 vs 2 workers (1 thread each) over 4 dictations,
  the per-file cost, and what a cluster of N machines would take.

    python benchmarks/bench_asr.py                 # everything, ≈ 10 min on 2 idle cores
    python benchmarks/bench_asr.py --quick         # 00-court only, a smoke test (≈ 1 min)
    python benchmarks/bench_asr.py --files 04-pediatrie-consultation --json out.json

Without the openai extra, openai-whisper's rows and ratios are skipped with a message.
openai-whisper's converted checkpoint goes to $TRANSCRIBE_CACHE_DIR when set, else to a
temporary cache removed at the end.
Timings are only comparable within one run: run it on an idle machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_FILES = "04-pediatrie-consultation,01-cardiologie-consultation"

# (label, engine, options): options of transcribe_audio, plus "threads" (CPU threads of the engine)
CONFIGS = [
    # the default pipeline: faster-whisper int8 (on CPU), beam 5, sequential decoding
    ("défaut", "faster-whisper", {"beam_size": 5}),
    ("fw-int8-b5-lot8", "faster-whisper", {"beam_size": 5, "compute_type": "int8", "batch_size": 8}),
    ("fw-f32-b5", "faster-whisper", {"beam_size": 5, "compute_type": "float32"}),
    ("fw-f32-b5-lot8", "faster-whisper", {"beam_size": 5, "compute_type": "float32", "batch_size": 8}),
    ("fw-int8-b1", "faster-whisper", {"beam_size": 1, "compute_type": "int8"}),
    ("fw-f32-b1", "faster-whisper", {"beam_size": 1, "compute_type": "float32"}),
    ("ow-b5", "openai-whisper", {"beam_size": 5}),
    ("ow-b1", "openai-whisper", {"beam_size": 1}),
    ("fw-int8-b5-1fil", "faster-whisper", {"beam_size": 5, "compute_type": "int8", "threads": 1}),
    ("fw-int8-b5-sansvad", "faster-whisper", {"beam_size": 5, "compute_type": "int8", "vad": False}),
    # the default again, last: the spread between two runs of one configuration in this run
    ("défaut (bis)", "faster-whisper", {"beam_size": 5}),
]


def worker(args) -> None:
    """Child process: one configuration over the files, one JSON line per file on stdout."""
    from transcribe.asr.audio import load_audio
    from transcribe.asr.engines import load_engine, resolve_engine_model, transcribe_audio, transcription_options
    from transcribe.asr.vocabulary import vocabulary_for
    from transcribe.bundled import audio_dir
    from transcribe.exercise import find_exercise

    options = json.loads(args.options)
    threads = options.pop("threads", None)
    if threads and args.engine == "openai-whisper":
        import torch

        torch.set_num_threads(threads)
    t0 = time.perf_counter()
    path, _ = resolve_engine_model(args.engine, None)
    load_engine(args.engine, path, transcription_options(engine=args.engine, **options))
    load_s = time.perf_counter() - t0
    warm = load_audio(audio_dir() / "00-court.flac")[: 16000 * 3]  # JIT (numba) and caches, untimed
    transcribe_audio(warm, engine=args.engine, **options)
    print(json.dumps({"load_s": round(load_s, 2)}), flush=True)
    for file in args.files:
        try:
            vocabulary = vocabulary_for("exercice", find_exercise(Path(file).stem))
        except Exception:
            vocabulary = None
        t = transcribe_audio(file, engine=args.engine, vocabulary=vocabulary, **options)
        print(json.dumps({"file": file, "duration": t.duration, "elapsed": t.elapsed, "text": t.text,
                          "raw_text": t.raw_text, "words": [w.word for w in t.words]}, ensure_ascii=False), flush=True)


def run_config(label: str, engine: str, options: dict, files: list[Path]) -> dict:
    """One configuration in a child process: per-file results, load time and peak RSS."""
    env = dict(os.environ)
    if options.get("threads"):
        env["TRANSCRIBE_CPU_THREADS"] = env["OMP_NUM_THREADS"] = str(options["threads"])
    cmd = [sys.executable, __file__, "--worker", "--engine", engine, "--options", json.dumps(options)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd + [str(f) for f in files], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        lines = [json.loads(line) for line in out if line.startswith("{")]
        tail = err.read()[-800:]
    if status != 0 or not lines:
        return {"label": label, "engine": engine, "options": options, "error": tail.strip() or f"code {status}"}
    return {"label": label, "engine": engine, "options": options, "load_s": lines[0]["load_s"],
            "files": lines[1:], "peak_rss_mb": usage.ru_maxrss / 1024}


def reference_text(stem: str) -> str:
    """The exercise's written reference, or (00-court has none) its dictated words, commands applied."""
    from transcribe.asr.commands import apply_commands
    from transcribe.bundled import audio_dir
    from transcribe.errors import TranscribeError
    from transcribe.exercise import find_exercise

    try:
        return find_exercise(stem).reference_text()
    except TranscribeError:
        return apply_commands((audio_dir() / f"{stem}.dictee.txt").read_text(encoding="utf-8"))


def wer(result: dict) -> float:
    """Micro-averaged lenient WER (jiwer) of the texts against the written references."""
    import jiwer

    from transcribe.views import lenient_text

    refs = [lenient_text(reference_text(Path(r["file"]).stem)) for r in result["files"]]
    hyps = [lenient_text(r["text"]) or "<vide>" for r in result["files"]]
    return jiwer.wer(refs, hyps)


def seconds(result: dict) -> tuple[float, float]:
    """(audio seconds, transcription seconds) over the files."""
    return sum(r["duration"] for r in result["files"]), sum(r["elapsed"] for r in result["files"])


def ray_scaling(files: list[Path], workers: int) -> float | None:
    """Wall seconds to transcribe ``files`` (no cache) on a local Ray instance of ``workers`` × 1 thread."""
    from transcribe.asr.cluster import Request, open_pool
    from transcribe.asr.vocabulary import vocabulary_for
    from transcribe.bundled import audio_dir
    from transcribe.exercise import find_exercise

    requests = []
    for f in files:
        try:
            vocabulary = vocabulary_for("exercice", find_exercise(f.stem))
        except Exception:
            vocabulary = None
        requests.append(Request(f, use_cache=False, options={"beam_size": 5, "vocabulary": vocabulary}))
    warm = Request(audio_dir() / "00-court.flac", use_cache=False, options={"beam_size": 5})
    with open_pool(None, workers, 1) as pool:
        pool.run([warm] * workers)  # each worker loads its model, untimed
        start = time.perf_counter()
        outcomes = pool.run(requests)
        wall = time.perf_counter() - start
    return None if any(o.error for o in outcomes) else wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="faster-whisper", help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--files", dest="names", default=DEFAULT_FILES,
                        help=f"dictées (identifiants séparés par des virgules ; défaut : {DEFAULT_FILES})")
    parser.add_argument("--quick", action="store_true", help="00-court seulement (essai rapide)")
    parser.add_argument("--json", type=Path, help="écrit tous les résultats dans ce fichier")
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    from transcribe.bundled import audio_dir

    names = ["00-court"] if args.quick else [n.strip() for n in args.names.split(",") if n.strip()]
    files = [audio_dir() / f"{n}.flac" for n in names]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        sys.exit(f"fichier(s) audio introuvable(s) : {', '.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="bench-asr-cache-") as cache:
        os.environ["TRANSCRIBE_CACHE_DIR"] = os.environ.get("TRANSCRIBE_CACHE_DIR") or cache
        measure(args, names, files)


def openai_whisper_missing() -> str | None:
    """The French install line when the openai extra is missing, else None."""
    from transcribe.asr.extras import require_openai_whisper
    from transcribe.errors import TranscribeError

    try:
        require_openai_whisper()
    except TranscribeError as exc:
        return str(exc)
    return None


def measure(args, names: list[str], files: list[Path]) -> None:
    """Every configuration, the ratios, Ray's scaling; printed as they come."""
    missing = openai_whisper_missing()
    openai = missing is None
    started = time.perf_counter()
    print(f"Machine : {os.cpu_count()} processeur(s) logique(s), charge moyenne {os.getloadavg()[0]:.1f} au départ ; "
          f"modèle embarqué whisper-base ; dictées : {', '.join(names)}.", flush=True)
    if missing:
        print(f"{missing}\n→ openai-whisper non mesuré : ses lignes et les rapports avec lui sont omis.", flush=True)
    print("\n| configuration | moteur | calcul | faisceau | fils | lot | VAD | audio (s) | temps (s) | RTF "
          "| chargement (s) | RSS max (Mo) | WER |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    rows = {}
    for label, engine, options in CONFIGS:
        if engine == "openai-whisper" and not openai:
            continue
        res = run_config(label, engine, options, files)
        if "error" in res:
            print(f"| {label} | {engine} | échec : {res['error'].splitlines()[-1][:200]} |", flush=True)
            continue
        rows[label] = res
        audio_s, busy = seconds(res)
        compute = options.get("compute_type") or ("int8" if engine == "faster-whisper" else "float32")
        print(f"| {label} | {engine} | {compute} | {options['beam_size']} | {options.get('threads') or os.cpu_count()} | "
              f"{options.get('batch_size') or '–'} | {'non' if options.get('vad') is False else 'auto'} | "
              f"{audio_s:.1f} | {busy:.1f} | {busy / audio_s:.3f} | {res['load_s']:.1f} | {res['peak_rss_mb']:.0f} | "
              f"{wer(res):.3f} |", flush=True)

    def ratio(slow: str, fast: str) -> str:
        if slow not in rows or fast not in rows:
            return "non mesuré"
        return f"{seconds(rows[slow])[1] / seconds(rows[fast])[1]:.2f}×"

    print("\nRapports de temps de transcription (même audio, mêmes poids) :")
    print(f"  openai-whisper / pipeline par défaut (faster-whisper int8), faisceau 5 : {ratio('ow-b5', 'défaut')} "
          f"(objectif ≥ 6×)")
    print(f"  openai-whisper / faster-whisper int8,    faisceau 1 : {ratio('ow-b1', 'fw-int8-b1')}")
    print(f"  openai-whisper / faster-whisper float32, faisceau 5 : {ratio('ow-b5', 'fw-f32-b5')}")
    print(f"  openai-whisper / faster-whisper float32, faisceau 1 : {ratio('ow-b1', 'fw-f32-b1')}")
    print(f"  openai-whisper / faster-whisper int8 par lots de 8, faisceau 5 : {ratio('ow-b5', 'fw-int8-b5-lot8')}")
    print(f"  faster-whisper séquentiel / par lots de 8, int8,    faisceau 5 : {ratio('défaut', 'fw-int8-b5-lot8')}")
    print(f"  faster-whisper séquentiel / par lots de 8, float32, faisceau 5 : {ratio('fw-f32-b5', 'fw-f32-b5-lot8')}")
    print(f"  faster-whisper int8 / float32, séquentiel, faisceau 5 : {ratio('défaut', 'fw-f32-b5')}")
    print(f"  faster-whisper int8 / float32, lots de 8,  faisceau 5 : {ratio('fw-int8-b5-lot8', 'fw-f32-b5-lot8')}")
    print(f"  faster-whisper 1 fil / {os.cpu_count()} fils, int8, faisceau 5 : {ratio('fw-int8-b5-1fil', 'défaut')}")
    print(f"  faster-whisper avec VAD (auto) / sans VAD, int8, faisceau 5 : {ratio('défaut', 'fw-int8-b5-sansvad')}")
    runs = [seconds(rows[label]) for label in ("défaut", "défaut (bis)") if label in rows]
    if runs:
        rtfs = " puis ".join(f"{busy / audio_s:.3f}" for audio_s, busy in runs)
        print(f"  pipeline par défaut (faster-whisper int8, faisceau 5, séquentiel, vocabulaire de l'exercice) : "
              f"RTF {rtfs} (objectif ≤ 0,15)")
    if "fw-f32-b1" in rows and "ow-b1" in rows:
        for a, b in zip(rows["fw-f32-b1"]["files"], rows["ow-b1"]["files"]):
            same = [w.strip() for w in a["words"]] == [w.strip() for w in b["words"]]
            print(f"  mots identiques, faisceau 1 float32, {Path(a['file']).stem} : {'oui' if same else 'non'}")
    if importlib.util.find_spec("ray") is None:
        print("\nRay n'est pas installé (extra [cluster]) : passage à l'échelle non mesuré.")
    elif not args.quick:
        ray_files = files * 2  # 4 dictations: enough work for 2 workers
        audio_s = seconds(rows["défaut"])[0] * 2 if "défaut" in rows else None
        walls = {n: ray_scaling(ray_files, n) for n in (1, 2)}
        print(f"\nRay, instance locale, {len(ray_files)} transcriptions (réglages par défaut, faisceau 5, 1 fil par processus) :")
        for n, wall in walls.items():
            print(f"  {n} processus : {'échec' if wall is None else f'{wall:.1f} s'}")
        if walls[1] and walls[2]:
            per_file = walls[1] / len(ray_files)
            print(f"  accélération 2 processus / 1 : {walls[1] / walls[2]:.2f}× ; coût par fichier à 1 fil : "
                  f"{per_file:.1f} s" + (f" (RTF {walls[1] / audio_s:.3f})" if audio_s else ""))
            print(f"  estimation pour un cluster de N machines de {os.cpu_count()} cœurs (un processus à 1 fil par "
                  f"cœur) : temps ≈ {per_file:.1f} s × fichiers / ({os.cpu_count()} × N)")
    print(f"\nDurée totale : {time.perf_counter() - started:.0f} s ; charge moyenne en fin de mesure : "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(list(rows.values()), ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
