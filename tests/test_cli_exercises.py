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
