"""Bench systems and dictations: every combination of the options, audio found by id, memory kept."""

from transcribe.bench.runner import (ItemRun, System, SystemRun, discover, keep_measured_peak, load_run,
                                     save_run, systems_from_options)


def test_every_combination_in_order():
    systems = systems_from_options(["faster-whisper", "openai-whisper"], [], [1, 5], "both", True)
    assert len(systems) == 8
    assert systems[0] == System("faster-whisper", None, 1, True, True) == System("faster-whisper", None, 1, "exercice")
    assert [s.name for s in systems[:4]] == ["faster-whisper_base_b1_exercice", "faster-whisper_base_b1_sansbiais",
                                             "faster-whisper_base_b5_exercice", "faster-whisper_base_b5_sansbiais"]
    assert systems_from_options(["faster-whisper"], ["/m/whisper-small-ct2"], [5, 5], "non", False)[0].name == \
        "faster-whisper_whisper-small-ct2_b5_sansbiais_sanscmd"
    with_and_without = systems_from_options(["faster-whisper"], [], [5], "specialite", True, (True, False))
    assert [s.name for s in with_and_without] == ["faster-whisper_base_b5_specialite",
                                                  "faster-whisper_base_b5_specialite_sansgardes"]
    assert [s.to_dict()["guards"] for s in with_and_without] == [True, False]


def test_biasing_modes_and_their_reference_label():
    systems = systems_from_options(["faster-whisper"], [], [5], ["tous", "exercice", "non"], True)
    assert [(s.bias, s.uses_reference) for s in systems] == [
        ("aucun", False), ("specialite", False), ("exercice", True)]
    assert [s.name for s in systems] == ["faster-whisper_base_b5_sansbiais", "faster-whisper_base_b5_specialite",
                                         "faster-whisper_base_b5_exercice"]
    assert System("faster-whisper").bias == "specialite"
    assert systems[2].to_dict()["uses_reference"] is True


def test_each_mode_gives_its_vocabulary_to_the_child_process(mini_exercise):
    from transcribe.asr.vocabulary import specialty_lists
    from transcribe.bench.runner import _job

    [d] = discover(mini_exercise.parent, need_audio=False)
    cardio = specialty_lists()["cardiologie"]
    vocab = {mode: _job(System("faster-whisper", bias=mode), [d], True, ["Kardégic"])["items"][0]["vocabulary"]
             for mode in ("aucun", "specialite", "exercice")}
    assert vocab == {"aucun": None, "specialite": ["Kardégic"] + cardio,
                     "exercice": ["fibrillation atriale", "amlodipine", "Kardégic"] + cardio[:9]}


def test_audio_dir_overrides_the_bundled_audio(mini_exercise, tmp_path):
    refs = mini_exercise.parent
    audio = tmp_path / "sons"
    audio.mkdir()
    assert discover(refs, audio) == []  # no audio, nothing to run
    (audio / "mini.wav").write_bytes(b"RIFF")
    [d] = discover(refs, audio)
    assert d.id == "mini" and d.audio == audio / "mini.wav"
    assert [d.id for d in discover(refs, audio, need_audio=False)] == ["mini"]


def test_memory_measured_earlier_is_kept_for_a_cached_run(tmp_path):
    system = System("faster-whisper")
    fresh = SystemRun(system, [ItemRun("a", "x", duration=1.0, elapsed=0.5)], wall=12.0, peak_rss_mb=500.0,
                      peak_measured=True)
    save_run(fresh, tmp_path)
    cached = SystemRun(system, [ItemRun("a", "x", from_cache=True)], wall=1.0, peak_rss_mb=60.0)
    kept = keep_measured_peak(cached, load_run(system, tmp_path))
    assert (kept.peak_rss_mb, kept.wall, kept.peak_measured) == (500.0, 12.0, True)
    other = SystemRun(system, [], wall=2.0, peak_rss_mb=70.0)
    assert keep_measured_peak(other, None).peak_rss_mb == 70.0


def test_unreadable_audio_is_a_failed_dictation_not_a_crash(mini_exercise, tmp_path, monkeypatch):
    import csv

    from click.testing import CliRunner

    from transcribe.cli import main

    monkeypatch.setenv("TRANSCRIBE_CACHE_DIR", str(tmp_path / "cache"))
    audio = tmp_path / "sons"
    audio.mkdir()
    (audio / "mini.wav").write_bytes(b"pas un fichier audio")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["bench", str(audio), "--references", str(mini_exercise.parent),
                                       "--out", str(out)])
    assert result.exit_code == 1, result.output
    with open(out / "bench.csv", encoding="utf-8") as handle:
        rows = {r["exercice"]: r for r in csv.DictReader(handle)}
    assert "mini.wav" in rows["mini"]["erreur"] and rows["mini"]["wer"] == ""
    assert rows["CORPUS"]["erreur"] == "1 dictée(s) en échec"
    assert (out / "runs" / "faster-whisper_base_b5_specialite.json").is_file()


def test_spoken_rates_score_whisper_raw_text_against_the_dictated_words():
    from transcribe.bench.evaluate import spoken_rates

    assert spoken_rates("Bonjour virgule monsieur point", "bonjour, virgule Monsieur") == (4, 1, 0.25)
    assert spoken_rates("", "") == (0, 0, 0.0)


def test_limit_seconds_leaves_out_longer_dictations(mini_exercise, tmp_path):
    from pathlib import Path

    from click.testing import CliRunner

    from transcribe.cli import main

    audio = tmp_path / "sons"
    audio.mkdir()
    (audio / "mini.flac").symlink_to(Path(__file__).resolve().parent.parent / "audio_samples" / "00-court.flac")
    result = CliRunner().invoke(main, ["bench", str(audio), "--references", str(mini_exercise.parent),
                                       "--limit-seconds", "5", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "aucune dictée" in result.output  # the 10 s clip is left out, nothing runs


def test_unknown_compare_name_is_a_usage_error_before_any_run(mini_exercise, tmp_path):
    from click.testing import CliRunner

    from transcribe.cli import main

    audio = tmp_path / "sons"
    audio.mkdir()
    (audio / "mini.wav").write_bytes(b"jamais lu")
    result = CliRunner().invoke(main, ["bench", str(audio), "--references", str(mini_exercise.parent), "--beam", "1",
                                       "--beam", "5", "--compare", "faster-whisper_base_b1_specialite", "xyz",
                                       "--exercises", "mini", "--out", str(tmp_path / "o")], catch_exceptions=False)
    assert result.exit_code == 2 and "xyz" in result.output
    assert not (tmp_path / "o").exists()


def test_partly_cached_run_keeps_the_higher_peak():
    system = System("faster-whisper")
    full = SystemRun(system, [], wall=100.0, peak_rss_mb=560.0, peak_measured=True)
    partial = SystemRun(system, [], wall=10.0, peak_rss_mb=400.0, peak_measured=True)
    assert keep_measured_peak(partial, full).peak_rss_mb == 560.0


def test_exercise_mode_is_labelled_as_reference_information_in_every_output():
    import csv
    import io
    import json

    from transcribe.bench import outputs
    from transcribe.bench.evaluate import ItemResult, SystemResult, corpus_figures

    items = [ItemResult("a", ref_words=10, word_errors=2, wer=0.2)]
    results = [SystemResult(System("faster-whisper", bias=mode).name, System("faster-whisper", bias=mode), items,
                            corpus_figures(items, 100)) for mode in ("aucun", "specialite", "exercice")]
    rows = list(csv.DictReader(io.StringIO(outputs.csv_text(results))))
    assert [(r["biais"], r["info_reference"]) for r in rows if r["exercice"] == "CORPUS"] == [
        ("aucun", "non"), ("specialite", "non"), ("exercice", "oui")]
    assert [row[1] for row in outputs.summary_rows(results)] == ["aucun", "spécialité", "exercice (référence)"]
    md = outputs.markdown_text(results, [], [], {"samples": 100, "seed": 0})
    assert "| faster-whisper_base_b5_exercice | exercice (référence) |" in md
    assert "**Attention** — biais « exercice (référence) » : le vocabulaire donné au décodeur vient de l'exercice" in md
    data = json.loads(outputs.json_text(results, [], [], {}))
    assert data["reference_information"]["systems"] == ["faster-whisper_base_b5_exercice"]
    assert [s["system"]["uses_reference"] for s in data["systems"]] == [False, False, True]
    assert outputs.rich_table(results).caption.startswith("Attention — biais « exercice (référence) »")
    assert "Attention" not in outputs.markdown_text(results[:2], [], [], {"samples": 100, "seed": 0})


def test_the_guards_option_reaches_the_decoder(monkeypatch, tmp_path):
    from transcribe.asr import cache
    from transcribe.bench import worker

    calls = []

    def fake_cached(audio, **options):
        calls.append(options)
        raise RuntimeError("stop")

    monkeypatch.setattr(cache, "transcribe_cached", fake_cached)
    audio = tmp_path / "a.flac"
    audio.write_bytes(b"x")
    system = System("faster-whisper", guards=False).to_dict()
    assert worker.transcribe_one({"id": "a", "audio": str(audio)}, system, True) == {"id": "a", "error": "stop"}
    assert calls[0]["guards"] is False
