"""The example corrected drafts (examples/post-edition/) against their hand-written key."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from transcribe.bundled import examples_dir
from transcribe.cli import main

# apprenant, exercice: erreurs du brouillon, corrigées, oubliées, mal corrigées, introduites, critiques laissées
KEY = {
    ("lea", "01-cardiologie-consultation"): (41, 32, 8, 1, 3, 0),
    ("marc", "02-pneumologie-consultation"): (31, 26, 5, 0, 2, 2),
    ("nadia", "03-neurologie-consultation"): (53, 44, 9, 0, 2, 1),
    ("theo", "05-echographie-abdominale"): (57, 50, 7, 0, 3, 1),
}
FOLDER = examples_dir() / "post-edition"


def test_the_key_file_says_the_same():
    table = {}
    for line in (FOLDER / "CORRIGE.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| (\w+) \| ([\w-]+) \|((?: \d+ \|){6})$", line)
        if m:
            table[(m[1], m[2])] = tuple(int(x) for x in m[3].replace("|", " ").split())
    assert table == KEY
    assert sorted(p.relative_to(FOLDER).as_posix() for p in FOLDER.glob("*/*.txt")) == sorted(
        f"{learner}/{exercise}.txt" for learner, exercise in KEY)


@pytest.mark.parametrize("learner,exercise", sorted(KEY))
def test_example_matches_its_key(learner, exercise):
    result = CliRunner().invoke(main, ["score", str(FOLDER / learner / f"{exercise}.txt"), "--exercise", exercise,
                                       "--draft", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    pe = data["post_edit"]
    found = (pe["draft_errors"], pe["corrected"], pe["missed"], pe["miscorrected"], pe["introduced"],
             len(pe["missed_critical"]))
    assert found == KEY[(learner, exercise)]
    origins = [e["origin"] for e in data["errors"]]
    assert origins.count("apprenant") == pe["introduced"]
