"""docs/spec.md works as written: every tutorial's commands run, every example exercise builds."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.conftest import ROOT

DOC = (ROOT / "docs" / "spec.md").read_text()
BLOCKS = re.findall(r"^```(yaml|console)\n(.*?)^```", DOC, re.M | re.S)
TUTORIALS = [(m.group(1), m.group(2)) for kind, body in BLOCKS if kind == "yaml"
             for m in [re.match(r"# (\S+\.yaml)\n(.*)", body, re.S)] if m]


def _examples() -> list[str]:
    """Every example of the page as a sheet: whole sheets, and exercise entries wrapped in one."""
    out = []
    for kind, body in BLOCKS:
        if kind != "yaml" or body.startswith("# "):
            continue
        if body.startswith("id:"):
            out.append(body)
        elif body.lstrip().startswith("- id:"):
            out.append("id: docs-example\ntitle: An example of docs/spec.md\nexercises:\n" + body)
    return out


def test_the_page_has_tutorials_and_an_example_per_method():
    from symxai import methods

    assert len(TUTORIALS) >= 3
    documented = set(re.findall(r"^    method: (\S+)$", "\n".join(_examples()), re.M))
    assert documented == set(methods.names()), "give a new method an example: symxai/starters/METHOD.yaml"


@pytest.mark.parametrize("index", range(len(_examples())))
def test_every_example_validates_and_builds(cli, tmp_path, index):
    spec = tmp_path / "example.yaml"
    spec.write_text(_examples()[index])
    result = cli("validate", spec)
    assert result.exit_code == 0, result.output
    result = cli("build", spec, "-o", tmp_path / "out", "--tex-only")
    assert result.exit_code == 0, result.output


def test_every_tutorial_runs_end_to_end(cli, tmp_path, monkeypatch, tex):
    monkeypatch.chdir(tmp_path)
    for name, body in TUTORIALS:
        (tmp_path / name).write_text(body)
    commands = [line[len("$ symxai "):] for kind, body in BLOCKS if kind == "console"
                for line in body.splitlines() if line.startswith("$ symxai ")]
    assert len(commands) >= 4 * len(TUTORIALS)
    for command in commands:
        result = cli(*shlex.split(command))
        assert result.exit_code == 0, (command, result.output)
    for name, _ in TUTORIALS:
        sheet = name[:-5]
        assert (tmp_path / "output" / sheet / f"{sheet}-exercises.pdf").is_file()
        assert (tmp_path / "output" / sheet / f"{sheet}-solutions.pdf").is_file()
