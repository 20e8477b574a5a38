"""`footprint check` finds everything `footprint declare` would refuse, short of writing output:
the same exit status and the same message for every bad study we know (tests/test_bad_input.py
and the absurd values), and both accept the good ones."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from footprint.cli import app

from .conftest import EXAMPLES, TINY_STUDY, edit_study
from .test_bad_input import CASES
from .test_reliability_absurd_values import ABSURD

runner = CliRunner()
ALL = {**{name: edits for name, (edits, *_rest) in CASES.items()}, **{name: edits for name, (edits, _) in ABSURD.items()}}


def error_line(output: str) -> str:
    return " ".join(line for line in output.splitlines() if line.startswith("error") or line.startswith(" ")).split("error:", 1)[-1].strip()


@pytest.mark.parametrize("case", ALL, ids=list(ALL))
def test_check_refuses_what_declare_refuses(tmp_path, case):
    path = edit_study(tmp_path, TINY_STUDY, ALL[case])
    declared = runner.invoke(app, ["declare", str(path), "--out", str(tmp_path / "out")])
    checked = runner.invoke(app, ["check", str(path)])
    assert declared.exit_code != 0
    assert checked.exit_code == declared.exit_code, (checked.output, declared.output)
    assert error_line(checked.output) == error_line(declared.output)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("study", [TINY_STUDY, EXAMPLES / "lithium-carbonate-brine-cl.toml"], ids=lambda p: p.stem)
def test_check_accepts_what_declare_accepts_and_writes_nothing(tmp_path, study):
    before = set(tmp_path.iterdir())
    checked = runner.invoke(app, ["check", str(study)])
    assert checked.exit_code == 0 and "ok" in checked.output
    assert set(tmp_path.iterdir()) == before
    assert runner.invoke(app, ["declare", str(study), "--out", str(tmp_path / "out")]).exit_code == 0
