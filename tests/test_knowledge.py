"""The loader accepts the real file and rejects each kind of broken one with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from actions.knowledge import KNOWLEDGE_DIR, KnowledgeError, load_career, load_knowledge

REAL_FILE = KNOWLEDGE_DIR / "production-technician.yml"


def _document() -> dict:
    return yaml.safe_load(REAL_FILE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, document: dict, name: str = "career.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_real_file_has_the_articles_structure(career):
    assert len(career.skills) == 5
    assert len(career.pathways) == 2
    assert len(career.jobs) == 4
    assert len(career.responsibilities) == 7
    for job in career.jobs:
        assert job.salary.amount > 0 and job.salary.currency == "GBP"
        assert job.salary.period == "year"


def test_source_is_credited(career):
    assert career.source.author == "Indeed Editorial Team"
    assert career.source.published == "2022-11-11"


def test_unquoted_date_is_accepted(tmp_path):
    text = REAL_FILE.read_text(encoding="utf-8").replace('"2022-11-11"', "2022-11-11")
    path = tmp_path / "career.yml"
    path.write_text(text, encoding="utf-8")
    assert load_career(path).source.published == "2022-11-11"


def _broken(document: dict, breakage: str) -> dict:
    if breakage == "missing salary":
        del document["jobs"][1]["salary"]
    elif breakage == "salary not a number":
        document["jobs"][2]["salary"]["amount"] = "about thirty thousand"
    elif breakage == "unknown key":
        document["jobs"][0]["salry"] = 1
    elif breakage == "negative salary":
        document["jobs"][0]["salary"]["amount"] = -5
    elif breakage == "duplicate alias":
        document["jobs"][1]["aliases"].append(document["jobs"][0]["aliases"][0])
    elif breakage == "duplicate id":
        document["skills"][1]["id"] = document["skills"][0]["id"]
    elif breakage == "duration reversed":
        document["pathways"][1]["duration"]["min_months"] = 99
    return document


@pytest.mark.parametrize(
    "breakage, place, problem",
    [
        ("missing salary", "jobs[1]", "'salary' is a required property"),
        ("salary not a number", "jobs[2].salary.amount", "is not of type 'number'"),
        ("unknown key", "jobs[0]", "'salry' was unexpected"),
        ("negative salary", "jobs[0].salary.amount", "less than or equal to the minimum"),
        ("duplicate alias", "jobs[1].aliases", "also names jobs[0]"),
        ("duplicate id", "skills[1].id", "is used twice"),
        ("duration reversed", "pathways[1].duration", "min_months is above max_months"),
    ],
)
def test_broken_file_names_file_place_and_problem(tmp_path, breakage, place, problem):
    path = _write(tmp_path, _broken(_document(), breakage))
    with pytest.raises(KnowledgeError) as error:
        load_career(path)
    message = str(error.value)
    assert str(path) in message
    assert f"{place}:" in message
    assert problem in message


def test_bad_yaml_is_reported_with_its_line(tmp_path):
    path = tmp_path / "career.yml"
    path.write_text("id: x\njobs: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"(?s)career\.yml: is not valid YAML.*line 3"):
        load_career(path)


def test_empty_directory_is_reported(tmp_path):
    with pytest.raises(KnowledgeError, match="no knowledge files"):
        load_knowledge(tmp_path)


def test_a_second_career_is_just_another_file(tmp_path):
    document = _document()
    _write(tmp_path, document, "production-technician.yml")
    other = _document()
    other["id"] = "assembly_line_worker"
    other["title"] = "Assembly line worker"
    _write(tmp_path, other, "assembly-line-worker.yml")
    assert set(load_knowledge(tmp_path)) == {"production_technician", "assembly_line_worker"}


def test_action_server_refuses_to_start_on_a_broken_file(tmp_path):
    _write(tmp_path, _broken(_document(), "salary not a number"))
    env = {**os.environ, "CAREERS_KNOWLEDGE_DIR": str(tmp_path), "RASA_TELEMETRY_ENABLED": "false"}
    result = subprocess.run(
        [sys.executable, "-c", "import actions.actions"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "jobs[2].salary.amount" in result.stderr
    assert "is not of type 'number'" in result.stderr
    assert "Traceback" not in result.stderr
