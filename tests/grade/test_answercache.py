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
    other = sympy.Symbol("x") + 1  # another x than the task's: its text would read as the task's x,
    kept = answercache.to_text(other, {"x": x})  # so it is kept as a tree, which names its own x
    assert isinstance(kept, list) and sympy.srepr(answercache.from_text(kept, {"x": x})) == sympy.srepr(other)
    with pytest.raises(answercache.NotCacheable):  # a mutable matrix reads back immutable
        answercache.to_text(sympy.Matrix([1, 2]), {})
    with pytest.raises(answercache.NotCacheable):  # a function the tree does not know
        answercache.to_text(sympy.Function("f")(x), {"x": x})


def test_trees_keep_what_text_cannot():
    """An unevaluated product (LRP's -a2*(a1 - a2), printed a2*(a2 - a1)) and a general formula's own
    symbols (Taylor's x_i, mu_i, a vector norm) are kept as trees rebuilt with their exact arguments."""
    import sympy

    from symxai.methods.expansion.radial import Norm

    a1, a2 = sympy.symbols("a1 a2", nonnegative=True)
    lrp = sympy.Piecewise((sympy.Mul(-1, a2, a1 - a2, evaluate=False), (a1 > a2) & (a2 > 0)), (0, True))
    x, mu = sympy.MatrixSymbol("x", 3, 1), sympy.MatrixSymbol("mu", 3, 1)
    taylor = (sympy.Symbol("x_i", real=True) - 1) ** 2 * Norm(x - mu) / sympy.exp(1)
    matrix = sympy.ImmutableMatrix([[sympy.Rational(1, 3), sympy.pi], [sympy.E, sympy.Mul(-1, a1 - 1, evaluate=False)]])
    for value in (lrp, taylor, matrix, sympy.Mul(2, x - mu, evaluate=False)):
        kept = answercache.to_text(value, {"a1": a1, "a2": a2})
        back = answercache.from_text(json.loads(json.dumps(kept)), {})
        assert isinstance(kept, list) and type(back) is type(value) and sympy.srepr(back) == sympy.srepr(value)


@pytest.mark.parametrize("tree", [["F", "eval", [["Integer", "1"]]], ["F", "Function", [["Str", "f"]]],
                                  ["Integer", "1" * 5000], ["Symbol", "x", {"real": "yes"}], ["F", "Add"], "x +",
                                  ["Matrix", 2, 2, [["Integer", "1"]]], [["Integer", "1"]]])
def test_an_authentic_entry_with_a_bad_tree_is_ignored(cache, tree):
    """An entry whose MAC is right but whose tree names a class outside the whitelist, or is
    malformed, gives no context: the check solves, as on a miss."""
    check(SHEET14, "shapley", {"phi_1": "2/3"})
    (entry,) = entries(cache)
    body = json.loads(json.loads(entry.read_text())["body"])
    body["answers"]["phi_1"] = tree
    text = json.dumps(body, sort_keys=True)
    entry.write_text(json.dumps({"body": text, "mac": answercache._mac((cache / "key").read_bytes(), text)}))
    assert answercache.load(SHEET14.read_text(), "shapley") is not None  # authentic
    assert answercache.context(SHEET14.read_text(), _task()) is None  # but not readable
    assert check(SHEET14, "shapley", {"phi_1": "2/3"}).exit_code == 0


def test_general_formula_hit_gives_the_report_of_a_miss(cache, monkeypatch):
    """Taylor-RBF's general answer phi_i names symbols the spec does not declare (x_i, mu_i, the
    vectors x, mu): it is kept as a tree, and a hit solves nothing."""
    from symxai.methods.expansion.taylor import Taylor

    right = {"phi_i": "(mu_i - x_i)**2*(norm(x - mu) - theta)/norm(x - mu)**2"}
    wrong = {"phi_i": "((mu_i - x_i)**2*(norm(x - mu) - theta)/norm(x - mu)**2)+1"}
    plain = [check(SHEET14, "taylor-rbf", a, cache=False).as_dict() for a in (right, wrong)]
    missed = [check(SHEET14, "taylor-rbf", a).as_dict() for a in (right, wrong)]
    assert len(entries(cache)) == 1

    def refuse(self, problem):
        raise AssertionError("solved although the cache had the exercise")
    monkeypatch.setattr(Taylor, "solve", refuse)
    hits = [check(SHEET14, "taylor-rbf", a).as_dict() for a in (right, wrong)]
    assert plain == missed == hits
    assert hits[0]["right"] and not hits[1]["right"]


def test_lrp_hit_samples_as_a_miss_does(cache):
    """LRP's sampler counts its draws: the symbols the grader may move are computed on a hit as on a
    miss (one draw), so the counterexample a wrong answer is shown is the same (it once was not)."""
    wrong = {"R_1": "(Piecewise((x1 - x2/2, x1 > x2), (x1/2, true)))+1"}
    plain = check(SHEET14, "lrp-max.C", wrong, cache=False).as_dict()
    missed = check(SHEET14, "lrp-max.C", wrong).as_dict()
    assert len(entries(cache)) == 1
    assert plain == missed == check(SHEET14, "lrp-max.C", wrong).as_dict()
    assert plain["answers"][0]["status"] == "wrong"


def test_a_hit_builds_the_same_problem_without_checks_that_only_find_problems(cache, monkeypatch):
    """Grad-CAM's build checks Z != 0 (a simplify, only to report a problem); with an entry for this
    very spec text the check's build skips it, builds the identical problem and gives the miss's report."""
    from symxai.methods.saliency import gradcam_options
    from symxai.specs.spec import loads_sheet

    spec = ROOT / "problems" / "yale-hw1.yaml"
    text = spec.read_text()
    plain, known = (loads_sheet(text, str(spec), "gradcam.b", known_valid=k) for k in (False, True))
    assert [repr(t.problem) for t in plain.tasks] == [repr(t.problem) for t in known.tasks]
    right = {"alpha": "(2*exp(1)/(exp(1) + 1), (1 - exp(1))/(exp(1) + 1))"}
    wrong = {"alpha": "(1, 2)"}
    reference = [check(spec, "gradcam.b", a, cache=False).as_dict() for a in (right, wrong)]
    missed = [check(spec, "gradcam.b", a).as_dict() for a in (right, wrong)]
    assert answercache.load(text, "gradcam.b") is not None

    def refuse(*args):
        raise AssertionError("Z was computed although this spec text is known to build")
    monkeypatch.setattr(gradcam_options, "_explained_gradient", refuse)
    hits = [check(spec, "gradcam.b", a).as_dict() for a in (right, wrong)]
    assert reference == missed == hits and hits[0]["right"] and not hits[1]["right"]


LRP_A = "Piecewise((x1 - x2, x1 > x2), (0, true))"


def test_the_engines_own_tree_checked_alone_keeps_its_right_verdict(cache, monkeypatch):
    """LRP samples every answer (its sampler counts draws): the right verdict of a tree checked alone
    (the engine's own, or another reading of it) is kept, so a hit draws no point; its report is the
    miss's, and any other check (another seed, another tree, two answers, an assumption) is decided as
    always, and a right one alone is kept in turn."""
    from symxai.methods.propagation.lrp import Lrp

    right = {"R_1": LRP_A}
    plain = check(SHEET14, "lrp-max.A", right, cache=False).as_dict()
    assert "random admissible points" in plain["answers"][0]["message"]
    assert check(SHEET14, "lrp-max.A", right).as_dict() == plain  # the miss keeps the verdict
    (entry,) = entries(cache)
    body = json.loads(json.loads(entry.read_text())["body"])
    from symxai.expr.answertext import parse_answer

    tree = answercache.tree_digest(parse_answer(LRP_A, load_task("lrp-max.A").symbols.names()))
    assert body["verdicts"] == {"R_1": [{"seed": 0, "how": plain["answers"][0]["message"].split("(", 1)[1][:-1],
                                         "tree": tree}]}
    others = [({"R_1": LRP_A}, (), 1), ({"R_1": "Piecewise((x1 - x2, x2 < x1), (0, true))"}, (), 0),
              ({"R_1": LRP_A, "R_2": "Piecewise((x2, x1 > x2), (x2, true))"}, (), 0),
              ({"R_1": LRP_A}, ("x1 > 0",), 0)]
    expected = [check(SHEET14, "lrp-max.A", a, assume, seed=s, cache=False).as_dict() for a, assume, s in others]
    sample = Lrp.sample

    def refuse(*args):
        raise AssertionError("sampled although the verdict was kept")
    monkeypatch.setattr(Lrp, "sample", refuse)
    assert check(SHEET14, "lrp-max.A", right).as_dict() == plain
    monkeypatch.setattr(Lrp, "sample", sample)
    assert [check(SHEET14, "lrp-max.A", a, assume, seed=s).as_dict() for a, assume, s in others] == expected
    monkeypatch.setattr(Lrp, "sample", refuse)  # the other tree and the other seed, alone, are kept now
    assert [check(SHEET14, "lrp-max.A", a, assume, seed=s).as_dict() for a, assume, s in others[:2]] == expected[:2]
    other = {"R_1": "Piecewise((x1 - x2, x1 - x2 > 0), (0, true))"}  # another tree, also right
    monkeypatch.setattr(Lrp, "sample", sample)
    first = check(SHEET14, "lrp-max.A", other).as_dict()
    assert first == check(SHEET14, "lrp-max.A", other, cache=False).as_dict() and first["right"]
    monkeypatch.setattr(Lrp, "sample", refuse)
    assert check(SHEET14, "lrp-max.A", other).as_dict() == first
    body = json.loads(json.loads(entry.read_text())["body"])
    assert sorted(v["seed"] for v in body["verdicts"]["R_1"]) == [0, 0, 1]  # (x2 < x1 reads as x1 > x2)


def test_a_kept_verdict_of_the_wrong_form_is_ignored(cache):
    check(SHEET14, "lrp-max.A", {"R_1": LRP_A})
    (entry,) = entries(cache)
    body = json.loads(json.loads(entry.read_text())["body"])
    body["verdicts"]["R_1"][0]["seed"] = "0"
    text = json.dumps(body, sort_keys=True)
    entry.write_text(json.dumps({"body": text, "mac": answercache._mac((cache / "key").read_bytes(), text)}))
    assert answercache.context(SHEET14.read_text(), load_task("lrp-max.A")) is None
    assert check(SHEET14, "lrp-max.A", {"R_1": LRP_A}).as_dict() == check(SHEET14, "lrp-max.A", {"R_1": LRP_A},
                                                                         cache=False).as_dict()


def load_task(key):
    from symxai.specs.spec import load_sheet
    return load_sheet(SHEET14, only=key).task(key)


def test_a_symbol_rebuilt_with_its_assumptions_in_another_order_is_the_same_tree():
    """Two equal symbols whose assumptions were given in another order print differently (srepr): a
    value built on the one still reads back as identical (an LRP sibling part declares its own a1)."""
    import sympy

    a = sympy.Symbol("a1", real=True, nonnegative=True)
    b = sympy.Symbol("a1", nonnegative=True, real=True)
    value = sympy.Mul(-1, b, a - b, evaluate=False)
    kept = answercache.to_text(value, {"a1": a})
    assert answercache.same_tree(answercache.from_text(kept, {"a1": a}), value)
    assert not answercache.same_tree(sympy.Add(a, 1, evaluate=False), sympy.Add(1, a, evaluate=False))


def test_lrp_wrong_answer_hit_completes_its_entry_once(cache, monkeypatch):
    """A wrong LRP answer after a right one: the first check solves what feedback needs and keeps it
    (every piece, the sibling part's answers too), so the next one solves nothing."""
    from symxai.methods.propagation.lrp import Lrp

    sheet = ROOT / "problems" / "tub-ml-sheet11.yaml"
    right = ("Piecewise((a1**2*a2*gamma*(gamma + 1)/((a1*gamma + a2)*(a1*gamma + a1 - a2)), a1 > a2 and a2 > 0), "
             "(0, a2 = 0 and a1 > a2), (a1, true))")
    wrong = {"R_1": f"({right})+1"}
    plain = check(sheet, "lrp-min.A", wrong, cache=False).as_dict()
    check(sheet, "lrp-min.A", {"R_1": right})
    assert check(sheet, "lrp-min.A", wrong).as_dict() == plain
    assert {"siblings", "catalogue", "intermediates"} <= set(answercache.load(sheet.read_text(), "lrp-min.A"))

    def refuse(self, problem):
        raise AssertionError("solved although the cache had the exercise")
    monkeypatch.setattr(Lrp, "solve", refuse)
    assert check(sheet, "lrp-min.A", wrong).as_dict() == plain


def test_a_hit_of_the_engines_own_tree_builds_no_problem(cache, monkeypatch):
    """The entry keeps the answer names, so a hit loads the spec without building the exercise
    (spec.LazyTask); a right check of the engine's tree never needs it, a wrong one builds it."""
    from symxai.methods.shap_family.shapley import Shapley

    right, wrong = {"phi_1": "2/3"}, {"phi_1": "3/4"}
    missed = [check(SHEET14, "shapley", a).as_dict() for a in (right, wrong)]
    data = json.loads(json.loads(entries(cache)[0].read_text())["body"])
    assert data["order"] == ["phi_1", "phi_2", "phi_3"]
    built = []
    real = Shapley.build

    def counted(self, ctx, params):
        built.append(ctx.known_valid)
        return real(self, ctx, params)
    monkeypatch.setattr(Shapley, "build", counted)
    assert check(SHEET14, "shapley", right).as_dict() == missed[0] and built == []
    assert check(SHEET14, "shapley", wrong).as_dict() == missed[1] and built == [True]


@pytest.mark.parametrize("target", ["lrp-max.C", "taylor-rbf", "prototypes"])
def test_lazy_tasks_build_what_the_eager_loader_builds(target):
    """A lazily built task (a later part after the problems of the earlier ones) has the problem and
    the answer names of the eager loader's task."""
    from symxai.specs.spec import LazyTask, loads_sheet

    text = SHEET14.read_text(encoding="utf-8")
    eager = loads_sheet(text, str(SHEET14), target)
    lazy = loads_sheet(text, str(SHEET14), target, known_valid=True, lazy={target: eager.task(target).answers})
    assert all(isinstance(t, LazyTask) and not t._built for t in lazy.tasks)
    assert [t.key for t in lazy.tasks] == [t.key for t in eager.tasks]
    for e, t in zip(reversed(eager.tasks), reversed(lazy.tasks)):  # the last first: it builds the others
        assert repr(t.problem) == repr(e.problem) and t.answers == e.answers


def test_an_entry_without_a_usable_order_builds_eagerly():
    assert answercache.order({"answers": {"a": "1"}, "order": ["a", "a"]}) is None
    assert answercache.order({"answers": {"a": "1"}, "order": ["b"]}) is None
    assert answercache.order({"answers": {"a": "1"}}) is None
    assert answercache.order({"answers": {"a": "1", "b": "2"}, "order": ["b", "a"]}) == ["b", "a"]
