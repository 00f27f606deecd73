"""`transcribe exercises` lists the bundled corpus."""

import json

from click.testing import CliRunner

from transcribe.cli import main


def test_exercises_json_lists_the_bundled_corpus():
    result = CliRunner().invoke(main, ["exercises", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) == 15
    first = rows[0]
    assert first["id"] == "01-cardiologie-consultation"
    assert first["title"] == "Consultation de cardiologie" and first["specialty"] == "cardiologie"
    assert 30 <= first["duration_s"] <= 120 and first["time_limit_minutes"] == 20


def test_exercises_unknown_folder_is_a_french_error(tmp_path):
    result = CliRunner().invoke(main, ["exercises", "--references", str(tmp_path / "nulle-part")])
    assert result.exit_code == 2
    assert "dossier de références introuvable" in result.stderr


def _check_narrow(text: str, width: int) -> None:
    """Every line fits; every identifier, title word, specialty and difficulty is shown."""
    assert max(len(line) for line in text.splitlines()) <= width
    rows = json.loads(CliRunner().invoke(main, ["exercises", "--json"]).stdout)
    words = text.split()
    for row in rows:
        assert row["id"] in words  # whole, never wrapped
        for word in (row["title"] + " " + row["specialty"] + " " + row["difficulty"]).split():
            assert word in text, word
    assert "Durée" in text and "imparti" in text


def test_exercises_table_fits_80_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = CliRunner().invoke(main, ["exercises"])
    assert result.exit_code == 0
    _check_narrow(result.stdout, 80)
    assert "Consultation de cardiologie" in result.stdout


def test_exercises_piped_output_is_80_columns_and_complete():
    """Piped (not a terminal, no COLUMNS), as `transcribe exercises | less` shows it."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run([sys.executable, "-m", "transcribe", "exercises"], capture_output=True,
                          text=True, env=env, check=True)
    _check_narrow(done.stdout, 80)


def test_exercises_wide_terminal_has_one_column_per_field(monkeypatch):
    monkeypatch.setenv("COLUMNS", "140")
    text = CliRunner().invoke(main, ["exercises"]).stdout
    header = next(line for line in text.splitlines() if "Identifiant" in line)
    for name in ("Titre", "Spécialité", "Durée", "Temps imparti", "Difficulté"):
        assert name in header
    assert max(len(line) for line in text.splitlines()) <= 140
