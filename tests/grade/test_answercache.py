"""The between-run check cache (symxai/grade/answercache.py): a hit gives the report of a miss,
a tampered or foreign entry is ignored, an edit of the spec or of symxai invalidates it."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from symxai.grade import answercache
from symxai.grade.check import check

ROOT = Path(__file__).resolve().parents[2]
SHEET14 = ROOT / "problems" / "tub-ml-sheet14.yaml"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The cache on, in a private folder of this test (conftest turns it off for every other test)."""
    monkeypatch.delenv("SYMXAI_NO_CHECK_CACHE", raising=False)
    monkeypatch.setenv("SYMXAI_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "check"


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def no_solving(monkeypatch):
    """Make any solve of the Shapley exercise fail: a check that still works did not solve."""
    from symxai.methods.shap_family.shapley import Shapley

    def refuse(self, problem):
        raise AssertionError("solved although the cache had the exercise")
    monkeypatch.setattr(Shapley, "solve", refuse)


def test_the_suite_runs_without_the_cache():
    assert os.environ.get("SYMXAI_NO_CHECK_CACHE") == "1" and not answercache.enabled()


def test_hit_gives_the_report_of_a_miss_right_and_wrong(cache, monkeypatch):
    right, wrong = {"phi_1": "2/3"}, {"phi_1": "3/4", "phi_2": "1/3"}
    plain = [check(SHEET14, "shapley", a, cache=False).as_dict() for a in (right, wrong)]
    assert entries(cache) == []
    missed = [check(SHEET14, "shapley", a).as_dict() for a in (right, wrong)]
    assert len(entries(cache)) == 1
    data = json.loads(json.loads(entries(cache)[0].read_text())["body"])
    assert {"answers", "catalogue"} <= set(data)
    no_solving(monkeypatch)
    hits = [check(SHEET14, "shapley", a).as_dict() for a in (right, wrong)]
    assert plain == missed == hits
    assert hits[0]["right"] and not hits[1]["right"]
    assert [d["label"] for d in hits[1]["answers"][0]["diagnoses"]][:1] == ["equal-weights"]


def test_a_law_that_applies_is_tested_with_the_real_catalogue(cache):
    every = {"phi_1": "1/3", "phi_2": "1/3", "phi_3": "1/6"}  # do not add up to 1: efficiency
    plain = check(SHEET14, "shapley", every, cache=False).as_dict()
    check(SHEET14, "shapley", {"phi_1": "3/4"})  # a miss that caches the catalogue (its law by name)
    hit = check(SHEET14, "shapley", every).as_dict()
    assert hit == plain and "efficiency" in [n["label"] for n in hit["notes"]]


@pytest.mark.parametrize("tamper", ["answer", "mac", "garbage", "foreign key", "symlink"])
def test_a_tampered_entry_is_ignored(cache, tmp_path, tamper):
    check(SHEET14, "shapley", {"phi_1": "2/3"})
    (entry,) = entries(cache)
    outer = json.loads(entry.read_text())
    if tamper == "answer":  # the right answer replaced by a wrong one, the MAC left as it was
        body = json.loads(outer["body"])
        body["answers"]["phi_1"] = "3/4"
        outer["body"] = json.dumps(body, sort_keys=True)
        entry.write_text(json.dumps(outer))
    elif tamper == "mac":
        outer["mac"] = "0" * 64
        entry.write_text(json.dumps(outer))
    elif tamper == "garbage":
        entry.write_bytes(b"\x00not json")
    elif tamper == "foreign key":  # a well-formed entry authenticated with another key
        body = json.loads(outer["body"])
        body["answers"]["phi_1"] = "3/4"
        text = json.dumps(body, sort_keys=True)
        entry.write_text(json.dumps({"body": text, "mac": answercache._mac(b"k" * 32, text)}))
    else:  # an entry that is a link to a file elsewhere
        target = tmp_path / "elsewhere.json"
        target.write_text(entry.read_text().replace("2/3", "3/4"))
        entry.unlink()
        entry.symlink_to(target)
    assert answercache.context(SHEET14.read_text(), _task()) is None
    report = check(SHEET14, "shapley", {"phi_1": "2/3", "phi_2": "1/6"}).as_dict()
    assert report == check(SHEET14, "shapley", {"phi_1": "2/3", "phi_2": "1/6"}, cache=False).as_dict()
    assert [a["status"] for a in report["answers"]] == ["right", "right"]
    wrong = check(SHEET14, "shapley", {"phi_1": "3/4"}).as_dict()
    assert wrong["answers"][0]["status"] == "wrong"


def _task():
    from symxai.specs.spec import load_sheet
    return load_sheet(SHEET14, only="shapley").task("shapley")


def test_an_edit_of_the_spec_invalidates(cache, tmp_path):
    spec = tmp_path / "sheet.yaml"
    shutil.copy(SHEET14, spec)
    assert check(spec, "shapley", {"phi_1": "2/3"}).exit_code == 0
    text = spec.read_text()
    assert "f: Min(x1, Max(x2, x3))" in text
    spec.write_text(text.replace("f: Min(x1, Max(x2, x3))", "f: Max(x1, Max(x2, x3))", 1))
    edited = check(spec, "shapley", {"phi_1": "2/3"}).as_dict()  # now phi_1 = 1/3
    assert edited == check(spec, "shapley", {"phi_1": "2/3"}, cache=False).as_dict()
    assert edited["answers"][0]["status"] == "wrong" and len(entries(cache)) == 2
    assert check(spec, "shapley", {"phi_1": "1/3"}).exit_code == 0


def test_a_change_of_symxai_invalidates(cache, monkeypatch):
    check(SHEET14, "shapley", {"phi_1": "2/3"})
    monkeypatch.setattr(answercache, "code_hash", lambda: "another version of symxai")
    assert answercache.load(SHEET14.read_text(), "shapley") is None
    check(SHEET14, "shapley", {"phi_1": "2/3"})
    assert len(entries(cache)) == 2


def test_an_unsafe_folder_or_key_is_refused(cache):
    check(SHEET14, "shapley", {"phi_1": "2/3"})
    assert stat.S_IMODE(os.stat(cache).st_mode) & 0o077 == 0
    key = cache / "key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    key.chmod(0o644)  # readable by others: anyone could forge entries
    assert answercache.load(SHEET14.read_text(), "shapley") is None
    key.chmod(0o600)
    assert answercache.load(SHEET14.read_text(), "shapley") is not None
    cache.chmod(0o777)  # writable by others
    try:
        assert answercache.folder() is None
        assert answercache.load(SHEET14.read_text(), "shapley") is None
        assert check(SHEET14, "shapley", {"phi_1": "2/3"}).exit_code == 0
    finally:
        cache.chmod(0o700)


def test_no_cache_flag_and_variable(cache, cli, monkeypatch):
    result = cli("check", SHEET14, "shapley", "phi_1=2/3", "--no-cache")
    assert result.exit_code == 0 and entries(cache) == []
    monkeypatch.setenv("SYMXAI_NO_CHECK_CACHE", "1")
    assert cli("check", SHEET14, "shapley", "phi_1=3/4").exit_code == 1 and entries(cache) == []
    monkeypatch.delenv("SYMXAI_NO_CHECK_CACHE")
    first = cli("check", SHEET14, "shapley", "phi_1=3/4")
    assert len(entries(cache)) == 1
    second = cli("check", SHEET14, "shapley", "phi_1=3/4")
    assert first.output == second.output and first.exit_code == second.exit_code == 1


def test_values_that_do_not_read_back_identically_are_not_cached():
    import sympy

    x = sympy.Symbol("x", positive=True)
    assert answercache.to_text(x + sympy.Rational(1, 2), {"x": x}) == "x + 1/2"
    with pytest.raises(answercache.NotCacheable):  # another x than the task's
        answercache.to_text(sympy.Symbol("x") + 1, {"x": x})
    with pytest.raises(answercache.NotCacheable):  # a mutable matrix reads back immutable
        answercache.to_text(sympy.Matrix([1, 2]), {})


def test_lrp_hit_samples_as_a_miss_does(cache):
    """LRP's sampler counts its draws: the symbols the grader may move are computed on a hit as on a
    miss (one draw), so the counterexample a wrong answer is shown is the same (it once was not)."""
    wrong = {"R_1": "(Piecewise((x1 - x2/2, x1 > x2), (x1/2, true)))+1"}
    plain = check(SHEET14, "lrp-max.C", wrong, cache=False).as_dict()
    missed = check(SHEET14, "lrp-max.C", wrong).as_dict()
    assert len(entries(cache)) == 1
    assert plain == missed == check(SHEET14, "lrp-max.C", wrong).as_dict()
    assert plain["answers"][0]["status"] == "wrong"
