"""Benchmark the two Whisper engines on the bundled dictations: speed, memory, WER, biasing.

Each configuration (engine × beam × biasing) runs in its own subprocess so that its peak
memory (max RSS, from os.wait4) is its own; models are loaded and warmed up before timing.

    python benchmarks/bench_asr.py                          # speed on 00-court + 04, WER on all
    python benchmarks/bench_asr.py --speed-samples 00-court --wer-samples 00-court,01-cardiologie-consultation

openai-whisper's converted checkpoint goes to $TRANSCRIBE_CACHE_DIR when set, else to a
temporary cache removed at the end. Without the openai extra, only faster-whisper is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from transcribe import bundled  # noqa: E402

AUDIO = bundled.audio_dir()
REFERENCES = bundled.references_dir()


def worker(args) -> None:
    """Child process: transcribe the files with one configuration, one JSON line per file."""
    import numpy as np

    from transcribe.asr.audio import load_audio
    from transcribe.asr.biasing import exercise_vocabulary
    from transcribe.asr.engines import load_engine, resolve_engine_model, transcribe_audio, transcription_options
    from transcribe.exercise import find_exercise

    options = {"beam_size": args.beam, "compute_type": args.compute_type}
    t0 = time.perf_counter()
    path, _ = resolve_engine_model(args.engine, None)
    load_engine(args.engine, path, transcription_options(engine=args.engine, **options))
    load_s = time.perf_counter() - t0
    warm = load_audio(AUDIO / "00-court.flac")[: 16000 * 3]  # JIT (numba) and caches, untimed
    transcribe_audio(warm, engine=args.engine, **options)
    print(json.dumps({"load_s": round(load_s, 2)}), flush=True)
    for file in args.files:
        vocabulary = None
        if args.bias and (REFERENCES / f"{Path(file).stem}.txt").is_file():
            vocabulary = exercise_vocabulary(find_exercise(Path(file).stem))
        elif args.bias and Path(file).stem == "00-court":
            vocabulary = ["hypertension artérielle", "amlodipine", "électrocardiogramme", "fibrillation atriale"]
        t = transcribe_audio(file, engine=args.engine, vocabulary=vocabulary, **options)
        print(json.dumps({"file": file, "duration": t.duration, "elapsed": t.elapsed, "text": t.text,
                          "raw_text": t.raw_text, "words": [w.word for w in t.words],
                          "dropped": len(t.dropped)}, ensure_ascii=False), flush=True)
    del np


def run_config(engine: str, beam: int, bias: bool, files: list[Path], compute_type: str | None, env) -> dict:
    """Run one configuration in a child process; returns its per-file results and peak RSS."""
    cmd = [sys.executable, __file__, "--worker", "--engine", engine, "--beam", str(beam),
           "--bias", "1" if bias else "0"] + (["--compute-type", compute_type] if compute_type else [])
    cmd += [str(f) for f in files]
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        lines = [json.loads(line) for line in out if line.startswith("{")]
    if status != 0:
        raise RuntimeError(f"{engine} beam {beam}: échec du sous-processus ({status}).")
    return {"engine": engine, "beam": beam, "bias": bias, "compute_type": compute_type,
            "load_s": lines[0]["load_s"], "files": lines[1:], "peak_rss_mb": usage.ru_maxrss / 1024}


def reference_text(stem: str, kind: str = "written") -> str:
    """The written reference (references/<id>.txt), or the dictée with its commands applied."""
    from transcribe.asr.commands import apply_commands

    ref = REFERENCES / f"{stem}.txt"
    if kind == "written" and ref.is_file():
        return ref.read_text(encoding="utf-8-sig")
    return apply_commands((AUDIO / f"{stem}.dictee.txt").read_text(encoding="utf-8"))


def lenient(text: str) -> str:
    try:
        from transcribe.views import lenient_text

        return lenient_text(text)
    except Exception:
        import re

        return " ".join(re.findall(r"[\w']+", text.lower()))


def hypothesis(result: dict, commands: bool) -> str:
    from transcribe.asr.commands import apply_commands

    return apply_commands(result["raw_text"]) if commands else result["raw_text"]


def wer(results: list[dict], commands: bool = True, kind: str = "written") -> float:
    """Micro-averaged lenient WER (jiwer) against the written reference or the dictée."""
    import jiwer

    refs = [lenient(reference_text(Path(r["file"]).stem, kind)) for r in results]
    hyps = [lenient(hypothesis(r, commands)) or "<vide>" for r in results]
    return jiwer.wer(refs, hyps)


def print_wer_rows(res: dict) -> None:
    for commands in (False, True):
        print(f"| {'oui' if res['bias'] else 'non'} | {'oui' if commands else 'non'} | "
              f"{wer(res['files'], commands, 'written'):.3f} | {wer(res['files'], commands, 'dictee'):.3f} |",
              flush=True)
    dropped = sum(r["dropped"] for r in res["files"])
    if dropped:
        print(f"  ({dropped} segment(s) écarté(s) : écho de l'invite ou boucle)", flush=True)


WER_HEADER = "| biais | commandes | WER (référence écrite) | WER (dictée, commandes appliquées) |\n|---|---|---|---|"


def rescore(path: Path) -> None:
    """Print the WER tables again from a --json file (current command rules, both references)."""
    for res in json.loads(path.read_text(encoding="utf-8")):
        print(f"\n{res['engine']} {res.get('compute_type') or ''} faisceau {res['beam']} "
              f"({len(res['files'])} fichiers)")
        print(WER_HEADER)
        print_wer_rows(res)


def samples(spec: str) -> list[Path]:
    if spec == "all":
        return sorted(AUDIO.glob("*.flac"))
    return [AUDIO / f"{name.strip()}.flac" for name in spec.split(",") if name.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="faster-whisper")
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--bias", type=int, default=1)
    parser.add_argument("--compute-type", default=None)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--speed-samples", default="00-court,04-pediatrie-consultation")
    parser.add_argument("--wer-samples", default="all")
    parser.add_argument("--beams", default="1,5")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-wer", action="store_true")
    parser.add_argument("--json", type=Path, help="write every result to this file")
    parser.add_argument("--rescore", type=Path, help="recompute the WER tables of a --json file")
    args = parser.parse_args()
    if args.rescore:
        rescore(args.rescore)
        return
    if args.worker:
        worker(args)
        return

    with tempfile.TemporaryDirectory(prefix="bench-asr-cache-") as cache:
        env = dict(os.environ, TRANSCRIBE_CACHE_DIR=os.environ.get("TRANSCRIBE_CACHE_DIR") or cache)
        os.environ.update(env)
        measure(args, env)


def openai_whisper_missing() -> str | None:
    """The French install line when the openai extra is missing, else None."""
    from transcribe.asr.engines import require_openai_whisper
    from transcribe.errors import TranscribeError

    try:
        require_openai_whisper()
    except TranscribeError as exc:
        return str(exc)
    return None


def measure(args, env) -> None:
    missing = openai_whisper_missing()
    if missing:
        print(f"{missing}\n→ mesures de faster-whisper seules (int8 contre float32).", file=sys.stderr, flush=True)
    all_results = []
    print(f"Machine : {os.cpu_count()} cœurs ; modèle embarqué whisper-base ; charge moyenne "
          f"{os.getloadavg()[0]:.1f} (d'autres processus faussent les temps absolus, moins les rapports)", flush=True)
    if not args.skip_speed:
        files = samples(args.speed_samples)
        audio_s = None
        rows = {}
        print("\n## Vitesse (biais activé, commandes appliquées)\n", flush=True)
        print("| moteur | calcul | faisceau | audio (s) | temps (s) | RTF | chargement (s) | RSS max (Mo) | WER |")
        print("|---|---|---|---|---|---|---|---|---|", flush=True)
        configs = [("faster-whisper", b, None) for b in map(int, args.beams.split(","))]
        configs += [("faster-whisper", 1, "float32")]
        if not missing:
            configs += [("openai-whisper", b, None) for b in map(int, args.beams.split(","))]
        for engine, beam, ctype in configs:
            res = run_config(engine, beam, True, files, ctype, env)
            all_results.append(res)
            audio_s = sum(r["duration"] for r in res["files"])
            wall = sum(r["elapsed"] for r in res["files"])
            rows[(engine, beam, ctype)] = (wall, res)
            label = ctype or ("int8" if engine == "faster-whisper" else "float32")
            print(f"| {engine} | {label} | {beam} | {audio_s:.1f} | {wall:.1f} | {wall / audio_s:.3f} | "
                  f"{res['load_s']:.1f} | {res['peak_rss_mb']:.0f} | {wer(res['files']):.3f} |", flush=True)
        print("\nRapports openai-whisper / faster-whisper (temps de transcription, même faisceau) :")
        for beam in map(int, args.beams.split(",")):
            fw, ow = rows.get(("faster-whisper", beam, None)), rows.get(("openai-whisper", beam, None))
            if fw and ow:
                print(f"  faisceau {beam} : {ow[0] / fw[0]:.2f}× (faster-whisper int8 vs openai-whisper float32)")
        fw32, ow1 = rows.get(("faster-whisper", 1, "float32")), rows.get(("openai-whisper", 1, None))
        if fw32 and ow1:
            print(f"  faisceau 1, tous deux float32 : {ow1[0] / fw32[0]:.2f}×")
            for a, b in zip(fw32[1]["files"], ow1[1]["files"]):
                same = [w.strip() for w in a["words"]] == [w.strip() for w in b["words"]]
                print(f"  mots identiques à faisceau 1 (float32) sur {Path(a['file']).stem} : {'oui' if same else 'non'}")
            fw8 = rows.get(("faster-whisper", 1, None))
            if fw8:
                for a, b in zip(fw8[1]["files"], ow1[1]["files"]):
                    same = [w.strip() for w in a["words"]] == [w.strip() for w in b["words"]]
                    print(f"  mots identiques à faisceau 1 (faster-whisper int8) sur {Path(a['file']).stem} : "
                          f"{'oui' if same else 'non'}")
    if not args.skip_wer:
        files = samples(args.wer_samples)
        print(f"\n## WER indulgente (faster-whisper int8, faisceau 5, {len(files)} dictées)\n", flush=True)
        print(WER_HEADER, flush=True)
        for bias in (False, True):
            res = run_config("faster-whisper", 5, bias, files, None, env)
            all_results.append(res)
            print_wer_rows(res)
    print(f"\nCharge moyenne en fin de mesure : {os.getloadavg()[0]:.1f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(all_results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
