"""Child process of the bench: one system over dictations, so its peak memory is its own."""

from __future__ import annotations

import json
import resource
import sys
import time


def transcribe_one(item: dict, system: dict, use_cache: bool) -> dict:
    """One dictation through the transcript cache: texts, timings, or the error message."""
    from ..asr.audio import audio_hash
    from ..asr.cache import transcribe_cached

    start = time.perf_counter()
    try:
        sha = audio_hash(item["audio"])  # what was transcribed, to notice audio replaced during a bench
        transcript, hit = transcribe_cached(
            item["audio"], engine=system["engine"], model=system["model"], use_cache=use_cache,
            beam_size=system["beam"], vocabulary=item.get("vocabulary"),
            commands=system["commands"], guards=system.get("guards", True))
    except Exception as exc:  # one bad dictation never stops the system
        return {"id": item["id"], "error": str(exc) or type(exc).__name__}
    return {"id": item["id"], "text": transcript.text, "raw_text": transcript.raw_text,
            "duration": transcript.duration, "elapsed": transcript.elapsed,
            "wall": round(time.perf_counter() - start, 3), "from_cache": hit, "audio_sha256": sha}


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    """Read {system, items, use_cache, result} on stdin, write {results, peak_rss_mb} to the result file."""
    job = json.load(sys.stdin)
    results = []
    for item in job["items"]:
        result = transcribe_one(item, job["system"], job.get("use_cache", True))
        results.append(result)
        print(json.dumps({"progress": result["id"]}), file=sys.stderr, flush=True)
    data = {"results": results, "peak_rss_mb": peak_rss_mb()}
    if job.get("result"):  # a file: a large result never blocks on a pipe the parent is not reading
        with open(job["result"], "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
    else:
        json.dump(data, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
