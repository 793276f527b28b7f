"""QTI 2.1 package, booklets, the issue's command end to end, degenerate variants, statement printing."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from xml.etree import ElementTree as ET

import pytest
import sympy

from symxai.batch.degenerate import DEAD, ZERO, all_zero, dead_network, has_pole
from symxai.lms.moodle import check_quiz
from symxai.lms.moodlecheck import symbolic_shortanswers
from symxai.lms.qti import check_package, package
from symxai.batch.variants import generate
from tests.lmsfixtures import LRP, SHEET, lrp_batch, need, shapley_batch


def test_qti_package_is_structurally_valid():
    need("pdflatex")
    for batch in (shapley_batch(), lrp_batch()):
        data, skipped = package(batch)
        assert check_package(data) == [] and skipped == []
    data, _ = package(shapley_batch(), tolerance=0.01)
    z = zipfile.ZipFile(io.BytesIO(data))
    items = [n for n in z.namelist() if n.startswith("items/")]
    assert len(items) == 60
    item = ET.fromstring(z.read(items[0]))
    ns = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
    value = item.findtext(f"{ns}responseDeclaration/{ns}correctResponse/{ns}value")
    assert float(value) == pytest.approx(float(shapley_batch().variants[0].answers["shapley"]["phi_1"]))
    assert item.find(f".//{ns}equal").get("tolerance") == "0.01 0.01"
    # the checker fails a package with a missing file or a wrong correct response
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as out:
        for n in z.namelist():
            if n != items[1]:
                out.writestr(n, z.read(n).replace(b"<value>0</value>", b"<value>x</value>") if n == items[0] else z.read(n))
    problems = " ".join(check_package(broken.getvalue()))
    assert "is not in the package" in problems


def test_issue_command_writes_both_xml_files_and_two_booklets(tmp_path):
    need("pdflatex")
    out = tmp_path / "DIR"
    run = subprocess.run([sys.executable, "-m", "symxai", "variants", SHEET, "shapley", "--count", "20", "--seed", "7",
                          "--moodle", str(tmp_path / "m.xml"), "--stack", str(tmp_path / "s.xml"), "--booklet",
                          "-o", str(out), "-j", "2"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    m, s = (tmp_path / "m.xml").read_text(), (tmp_path / "s.xml").read_text()
    assert check_quiz(m) == [] and check_quiz(s) == [] and symbolic_shortanswers(m) == []
    assert len(ET.fromstring(s).findall("question[@type='stack']")) == 20
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert pdfs == ["tub-ml-sheet14-shapley-seed7-exercises.pdf", "tub-ml-sheet14-shapley-seed7-solutions.pdf"]
    assert not list(out.glob("*/*.pdf"))  # per-variant PDFs are optional, off with --booklet
    text = subprocess.run(["pdftotext", str(out / pdfs[0]), "-"], capture_output=True, text=True).stdout
    batch = shapley_batch()
    for v in batch.variants:  # every variant, with its id and seed in a page header
        assert f"{v.id}: variant seed {v.variant_seed}, batch seed 7" in text
    sol = subprocess.run(["pdftotext", str(out / pdfs[1]), "-"], capture_output=True, text=True).stdout
    assert sol.count("How the answers were checked") == 20  # every variant carries its checks table


def test_degenerate_variants_are_rejected_with_their_reason():
    x = sympy.Symbol("x", nonnegative=True)
    assert all_zero({"a": sympy.Integer(0)}) and not all_zero({"a": x})
    assert has_pole({"r": x / (x - 1)}) and not has_pole({"r": x / (x + 1)})
    assert dead_network([sympy.ImmutableMatrix([[-1, -1], [0, -2]]), sympy.ImmutableMatrix([[1, 1]])], nonnegative=True)
    assert not dead_network([sympy.ImmutableMatrix([[1, -1], [0, 2]]), sympy.ImmutableMatrix([[1, 1]])], nonnegative=True)
    batch = lrp_batch()
    reasons = set(batch.rejected)
    assert reasons & {DEAD, ZERO}, batch.summary()
    assert "degenerate:" in batch.summary()
    assert all(not all_zero(v.answers["lrp-net"]) for v in batch.variants)
    kept = generate(LRP, "lrp-net", count=3, seed=1, render=False, degenerate=True)
    assert any(all_zero(v.answers["lrp-net"]) for v in kept.variants)
    assert not any(k.startswith("degenerate") for k in kept.rejected)


def test_statement_prints_an_expression_param_properly(tmp_path):
    text = open(SHEET).read()
    head = text[:text.index("    random:")]
    head = head.replace("      f: Min(x1, Max(x2, x3))", "      f: 3*x1*x2 - x3")
    spec = tmp_path / "lin.yaml"
    spec.write_text(head + """\
    random:
      generate:
        a: {integer: {range: [2, 4]}}
        b: {integer: {grid: [-1]}}
        p: {point: {dim: 3, range: [1, 4]}}
      params:
        f: "$a*x1*x2 + $b*x3"
        point: $p
      statement: |
        The model $f(\\boldsymbol{x}) = [[f]]$ is evaluated at $\\boldsymbol{x} = [[p]]$. Give $\\phi_1, \\phi_2, \\phi_3$.
""")
    batch = generate(spec, "shapley", count=2, seed=3, render=False)
    for v in batch.variants:
        a = v.values["a"]
        assert f"{a} x_{{1}} x_{{2}} - x_{{3}}" in v.spec, v.spec
        assert "+ -" not in v.spec and "(-1)" not in v.spec.split("statement:")[1].split("params:")[0]
