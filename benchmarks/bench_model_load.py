"""Loading the embedded model: read in place (what the toolkit does) against its peers.

Three ways to give faster-whisper the model, each loaded in a fresh process (peak memory is
that process's max RSS, from os.wait4; "after" is its resident memory once loaded; CPU is
the time the load took on all cores, steadier than wall time on a busy machine):

- ``copie``: model.bin assembled once on disk beforehand (what the cache held before: 145 MB
  more on disk; the assembly is not timed, it was done once);
- ``en-place``: the toolkit's way, part1 + part2 streamed and hashed into memory at each load;
- ``octets``: CTranslate2's ``files=`` argument, model.bin as one bytes object.

    python benchmarks/bench_model_load.py [--runs 3]

Everything it writes goes to a temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WAYS = ("copie", "en-place", "octets")


def child(way: str, folder: str | None) -> None:
    """One load, one JSON line: load time and resident memory once loaded."""
    from faster_whisper import WhisperModel

    from transcribe.asr import model as asr_model

    start, cpu = time.perf_counter(), time.process_time()
    if way == "copie":
        model = WhisperModel(folder, device="cpu", compute_type="int8")
    elif way == "en-place":
        with asr_model.embedded_ct2_folder() as ct2:
            model = WhisperModel(str(ct2), device="cpu", compute_type="int8")
    else:
        sources = asr_model.package_sources()
        files = {name: sources[name].read_bytes() for name in asr_model.SIDE_FILES}
        files["model.bin"] = b"".join(sources[part].read_bytes() for part in asr_model.PARTS)
        model = WhisperModel("whisper-base", device="cpu", compute_type="int8", files=files)
        del files
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    resident = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    print(json.dumps({"load_s": elapsed, "cpu_s": cpu, "after_mb": resident / 2**20}), flush=True)
    del model


def measure(way: str, folder: str) -> dict:
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, __file__, "--child", way, folder], stdout=out,
                                stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        line = next(line for line in out if line.startswith("{"))
    if status != 0:
        raise SystemExit(f"{way} : échec du sous-processus ({status}).")
    return dict(json.loads(line), peak_mb=usage.ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from transcribe.asr import model as asr_model

    with tempfile.TemporaryDirectory(prefix="bench-model-load-") as tmp:
        copy = Path(tmp) / "whisper-base-ct2"
        copy.mkdir()
        for name, path in asr_model.package_sources().items():
            if name in asr_model.SIDE_FILES:
                (copy / name).write_bytes(path.read_bytes())
        with open(copy / "model.bin", "wb") as out:
            asr_model.write_model_bin(out)
        print(f"Machine : {os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.1f} ; {args.runs} chargements "
              "par manière, chacun dans un processus neuf (médianes)\n")
        rows = {}
        for _ in range(args.runs):  # interleaved, so that a change of load hits every way alike
            for way in WAYS:
                rows.setdefault(way, []).append(measure(way, str(copy)))
    base = {k: statistics.median(r[k] for r in rows["copie"]) for k in ("load_s", "cpu_s", "peak_mb", "after_mb")}
    print("| manière | chargement (s) | CPU (s) | pic (Mo) | après chargement (Mo) | disque en plus | "
          "rapport chargement | rapport CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for way in WAYS:
        med = {k: statistics.median(r[k] for r in rows[way]) for k in ("load_s", "cpu_s", "peak_mb", "after_mb")}
        disk = "145 Mo" if way == "copie" else "0"
        print(f"| {way} | {med['load_s']:.2f} | {med['cpu_s']:.2f} | {med['peak_mb']:.0f} | {med['after_mb']:.0f} | "
              f"{disk} | {med['load_s'] / base['load_s']:.2f}× | {med['cpu_s'] / base['cpu_s']:.2f}× |")
    print(f"\nCharge en fin de mesure : {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
