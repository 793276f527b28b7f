"""Layout: symxai reads every LaTeX log, an overfull box is a warning or (strict) a build
error, long displays are broken by the printer, and the corpus builds with no box over 1 pt."""

from __future__ import annotations

import re

import pytest
import sympy

from symxai.errors import LayoutError
from symxai.solve.model import Line, Step, Tex
from symxai.solve.pipeline import build
from symxai.expr.printing import aligned
from symxai.expr.texwidth import LINE_WIDTH, width
from symxai.expr.texbreak import break_term, summands
from symxai.typeset.texlog import overfull_boxes

from tests.conftest import PROBLEMS, ROOT

SPEC = ROOT / "tests" / "specs" / "shapley-sheet.yaml"


# --- the log reader -----------------------------------------------------------------------

LOG = r"""
Overfull \hbox (665.56717pt too wide) detected at line 6
[]\OT1/cmr/m/n/10.95 $[]$
Overfull \hbox (0.8pt too wide) in paragraph at lines 2--3
Overfull \hbox (88.88586pt too wide) in paragraph at lines 9--10
Overfull \vbox (12.5pt too high) has occurred while \output is active
"""
SOURCE = "\n".join([
    r"\section*{Exercise 1: Shapley values \hfill\normalsize[4 points]}",  # 1
    "text", "text",  # 2, 3
    r"\section*{Exercise 2: LRP on a \emph{two-layer} network}",  # 4
    r"\subsection*{(b) Relevances}",  # 5
    "x", "", "", "y", "z"])  # 6..10


def test_log_reader_names_the_exercise_and_part_of_each_box():
    boxes = overfull_boxes(LOG, SOURCE)
    assert [(b.box, b.line) for b in boxes] == [("h", 6), ("h", 9), ("v", 0)]  # 0.8 pt is within 1 pt
    assert boxes[0].where == "Exercise 2: LRP on a two-layer network, (b) Relevances"
    assert "665.6 pt too wide" in str(boxes[0])
    assert boxes[2].where == "the sheet"


def test_log_reader_ignores_boxes_up_to_the_tolerance():
    assert overfull_boxes(r"Overfull \hbox (1.0pt too wide) detected at line 3", SOURCE) == []
    assert len(overfull_boxes(r"Overfull \hbox (1.01pt too wide) detected at line 3", SOURCE)) == 1


# --- an overlong equation is caught ---------------------------------------------------------

def _overlong(monkeypatch):
    """Make the Shapley engine show an unbreakable display 150 factors long."""
    from symxai.methods.shap_family.shapley import Shapley
    original = Shapley.solve
    product = Tex(" ".join(f"a_{{{i}}}" for i in range(150)))

    def long(self, problem):
        sol = original(self, problem)
        sol.steps.append(Step(text="A deliberately overlong display.", lines=[Line(product, kind="formula")]))
        return sol
    monkeypatch.setattr(Shapley, "solve", long)


def test_an_overlong_equation_fails_a_strict_build_and_writes_nothing(tex, tmp_path, monkeypatch):
    _overlong(monkeypatch)
    out = tmp_path / "out"
    with pytest.raises(LayoutError) as err:
        build([SPEC], out, strict_layout=True)
    message = str(err.value)
    assert "solutions.tex: Exercise 1" in message and "pt too wide" in message
    assert not any(out.glob("*/*.pdf"))  # no partial output


def test_an_overlong_equation_is_a_warning_naming_the_exercise_by_default(tex, tmp_path, monkeypatch):
    _overlong(monkeypatch)
    said = []
    written = build([SPEC], tmp_path / "out", strict_layout=False, log=said.append)
    assert any(p.suffix == ".pdf" for p in written)
    warnings = [s for s in said if s.startswith("warning:")]
    assert warnings and all("Exercise 1" in w and "pt too wide" in w for w in warnings)


def test_the_environment_variable_makes_the_build_strict(tex, tmp_path, monkeypatch, cli):
    _overlong(monkeypatch)
    monkeypatch.setenv("SYMXAI_STRICT_LAYOUT", "1")
    result = cli("build", SPEC, "-o", tmp_path / "out")
    assert result.exit_code == LayoutError.exit_code and "overfull" in result.output
    monkeypatch.setenv("SYMXAI_STRICT_LAYOUT", "0")
    result = cli("build", SPEC, "-o", tmp_path / "out2")
    assert result.exit_code == 0 and "warning:" in result.output


# --- the corpus ------------------------------------------------------------------------------

def test_every_spec_in_problems_builds_with_no_overfull_box(tex, tmp_path):
    """The whole corpus, strictly: a line past the margin anywhere is a LayoutError here."""
    written = build([PROBLEMS], tmp_path / "out", strict_layout=True)
    assert sum(p.suffix == ".pdf" for p in written) == 2 * len(list(PROBLEMS.glob("*.yaml")))


# --- the line breaker ------------------------------------------------------------------------

def _unbroken(lines: list[str]) -> str:
    text = " ".join(lines).replace("{}+", "+").replace("{}-", "-")
    return re.sub(r"\\(big|Big)([lr])", lambda m: "\\left" if m.group(2) == "l" else "\\right", text)


def test_a_long_sum_breaks_at_its_signs_within_the_limit_and_keeps_every_term():
    x = sympy.symbols("x1:13")
    w = sympy.symbols("w1:13")
    code = aligned(Line(sympy.Symbol("y"), sum(wi * xi * sympy.Heaviside(wi + xi) for wi, xi in zip(w, x))))
    rows = code.split("\\\\\n")
    assert len(rows) > 2
    assert all(width(r.split("&", 1)[1]) <= LINE_WIDTH for r in rows)
    assert all(r.lstrip().startswith("&\\quad {}+") for r in rows[1:])
    assert _unbroken([r.split("&", 1)[1].replace("\\quad ", "") for r in rows]).count("H") == 12


def test_a_bracketed_sum_is_opened_and_a_long_fraction_becomes_a_slash():
    inner = " + ".join(f"a_{{{i}}} b_{{{i}}}" for i in range(12))
    lines = break_term(f"x_{{1}} \\left({inner}\\right)", 30)
    assert len(lines) > 1 and lines[0].startswith("x_{1} \\bigl(") and lines[-1].endswith("\\bigr)")
    assert _unbroken(lines).split() == f"x_{{1}} \\left({inner}\\right)".split()
    lines = break_term(f"R \\frac{{c}}{{{inner}}}", 30)
    assert len(lines) > 1 and "/" in lines[0] and "\\frac" not in "".join(lines)
    assert all(width(ln) <= 30 for ln in lines)


def test_the_breaker_never_cuts_inside_braces_or_scripts():
    code = r"e^{a + b + c + d + e + f + g + h + i + j + k + l} + \sqrt{m + n + o + p + q + r + s + t + u}"
    assert summands(code) == [r"e^{a + b + c + d + e + f + g + h + i + j + k + l}",
                              r"+ \sqrt{m + n + o + p + q + r + s + t + u}"]
    assert break_term(code, 10) == [summands(code)[0], "{}" + summands(code)[1]]


def test_a_short_line_is_left_alone():
    assert aligned(Line(sympy.Symbol("x"), 2 * sympy.Symbol("x"))) == "x &= 2 x"
    assert break_term("a + b", LINE_WIDTH) == ["a + b"]


# --- network figures -------------------------------------------------------------------------

def _network_figures(spec):
    from symxai.solve.pipeline import solve_file

    sheet, results = solve_file(spec)
    for key, (solution, _) in results.items():
        for step in solution.steps:
            if step.figure is not None and step.figure.template == "network":
                yield key, step.figure.data


@pytest.mark.parametrize("name", ["tub-ml-sheet14", "tub-ml-sheet11", "tub-ml1-lecture14"])
def test_no_label_of_a_corpus_network_figure_overlaps_anything(name):
    from symxai.typeset.netlayout import collisions, place

    figures = list(_network_figures(PROBLEMS / f"{name}.yaml"))
    assert figures
    for key, data in figures:
        placed = place(data)
        assert collisions(placed) == [], key
        assert all(0.15 <= e["t"] <= 0.75 for e in placed["edges"])  # on its own edge, away from the arrow


def test_the_measure_catches_labels_at_a_fixed_spot_of_every_edge():
    """The old drawing (every weight at 0.3 of its edge, relevances under the neuron) is what
    hid w23 and w24 in lecture 14 Ex 7: the measure must see it."""
    from symxai.typeset.netlayout import collisions, node_centres, place

    key, data = next(_network_figures(PROBLEMS / "tub-ml1-lecture14.yaml"))
    fixed = place(data)
    centres = node_centres(fixed["levels"])
    for level in fixed["levels"]:
        for node in level:
            node["x"], node["y"] = centres[node["id"]]
    for e in fixed["edges"]:
        (x0, y0), (x1, y1) = centres[e["from"]], centres[e["to"]]
        e["lx"], e["ly"] = x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0)
    found = collisions(fixed)
    assert any("w_{23}" in f for f in found) and any("w_{24}" in f for f in found)


def test_the_quick_rejection_of_segment_box_changes_no_answer():
    """netlayout._segment_box rejects a segment beside the box before clipping; on random segments and
    boxes (and ones just touching a side) it says what plain Liang-Barsky clipping says."""
    import random

    from symxai.typeset.netlayout import _segment_box

    def clipped(seg, box):
        (x0, y0), (x1, y1) = seg
        lo, hi = 0.0, 1.0
        for p, q in ((x0 - x1, x0 - box[0]), (x1 - x0, box[2] - x0), (y0 - y1, y0 - box[1]), (y1 - y0, box[3] - y0)):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            lo, hi = (max(lo, t), hi) if p < 0 else (lo, min(hi, t))
            if lo > hi:
                return False
        return True

    rng = random.Random(3)
    for _ in range(20000):
        box = sorted(rng.uniform(0, 10) for _ in range(2)), sorted(rng.uniform(0, 10) for _ in range(2))
        box = (box[0][0], box[1][0], box[0][1], box[1][1])
        edge = rng.choice([box[0], box[2]])
        seg = ((rng.uniform(-2, 12), rng.uniform(-2, 12)),
               (edge if rng.random() < 0.2 else rng.uniform(-2, 12), rng.uniform(-2, 12)))
        assert _segment_box(seg, box) == clipped(seg, box), (seg, box)
