#!/usr/bin/env python3
"""Print this CPU's vector instruction sets and the ones CTranslate2 and oneDNN chose.

Whisper's int8 and float32 kernels (CTranslate2's own, oneDNN's matrix products) depend on
them, and so do a few words of a transcript: a CI log that starts with these lines says on
which CPU a failure happened. The choice is read from the libraries' own logs
(``CT2_VERBOSE=1``, ``ONEDNN_VERBOSE=1``) in a child process that loads the embedded model and
decodes one second of faint noise; ``CT2_FORCE_CPU_ISA`` and ``ONEDNN_MAX_CPU_ISA``, when set, are
shown and honoured.

    python tools/cpu_isa.py       # with the project's environment: the libraries' choice too
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

CHILD = """
import numpy as np
from transcribe.asr.engines import transcribe_audio
transcribe_audio((np.random.default_rng(0).standard_normal(16000) * 0.01).astype(np.float32), guards=False,
                 cpu_threads=1)
"""


def main() -> int:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from transcribe.drafts import machine_info

    info = machine_info()
    isa = " ".join(info.get("isa", [])) or "?"
    print(f"Processeur : {info.get('cpu', info['arch'])} ; jeux d'instructions : {isa}")
    for name in ("CT2_FORCE_CPU_ISA", "ONEDNN_MAX_CPU_ISA"):
        if os.environ.get(name):
            print(f"{name}={os.environ[name]}")
    env = dict(os.environ, CT2_VERBOSE="1", ONEDNN_VERBOSE="1")
    try:
        done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"CTranslate2 : non déterminé ({exc})")
        return 0
    log = done.stdout + done.stderr
    if done.returncode != 0:  # this Python has not the project installed (yet)
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        print(f"CTranslate2 : choix non affiché avec {sys.executable} ({last[:160]})")
        return 0
    ct2 = re.search(r"Selected ISA: (\S+)", log)
    gemm = re.search(r"GEMM_S8 backend: (.+)", log)
    onednn = re.search(r"onednn_verbose,info,cpu,isa:(.+)", log)
    print(f"CTranslate2 : ISA {ct2.group(1) if ct2 else '?'} ; int8 : {gemm.group(1).strip() if gemm else '?'}")
    print(f"oneDNN : {onednn.group(1).strip() if onednn else '?'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
