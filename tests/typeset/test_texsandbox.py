"""The LaTeX sandbox (issue 21): TeX attacks in spec text are refused, and none leaks or runs.

Every attack of ATTACKS is tried twice:

* through a spec field (statement, title, discussion, course, source, part
  title...): the whitelist refuses it at load time, located (file:line:col);
* straight into a document, bypassing the whitelist (as a user template
  could): the TeX-level lock, ``openin_any=p`` and no shell escape must stop
  it.  A secret planted outside the build folder (absolute path, ``../`` path,
  and an environment variable for ``/proc/self/environ``) must appear in none
  of: the PDF's text, its raw bytes, its decompressed streams (also as hex),
  the TeX log, TeX's terminal output, the error message; no marker file may
  be created.

CI runs these (CI=true turns a missing TeX into a failure, not a skip).
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from symxai.typeset import latex as latex_mod
from symxai.errors import LatexError, SpecError
from symxai.typeset.latex import compile_pdf
from symxai.specs.spec import loads_sheet
from symxai.typeset.texguard import escape_text, lock_document, refusals, safe_jobname

pytestmark = pytest.mark.reliability

ROOT = Path(__file__).resolve().parents[2]

# {ABS}: absolute path of the secret; {REL}: the same file as ../secret.txt from the
# build folder; {MARK}: a file an executing or writing attack would create.
ATTACKS = [
    r"\input{{ABS}}",
    r"\input {ABS} ",
    r"\include{../secret}",
    r"\InputIfFileExists{{ABS}}{}{}",
    r"\IfFileExists{{ABS}}{found}{}",
    r"\openin5={ABS} \read5 to\x \x",
    r"\newread\r\openin\r={REL} \readline\r to\x \x",
    r"\immediate\pdfobj stream file {{ABS}}\pdfrefobj\pdflastobj",
    r"\pdfobj stream file {{REL}}\pdfrefobj\pdflastobj",
    r"\immediate\pdfobj stream attr {/Type/EmbeddedFile} file {{ABS}}\pdfrefobj\pdflastobj",
    r"\immediate\pdfobj stream file {/proc/self/environ}\pdfrefobj\pdflastobj",
    r"\pdfmapfile{{ABS}}",
    r"\pdfmapfile{+{ABS}}",
    r"\pdfmapline{+{ABS}}",
    r"\pdfmapline{=cmr10 cmr10 <{ABS}}",
    r"\pdfximage{{ABS}}\pdfrefximage\pdflastximage",
    r"\pdffiledump length 64{{ABS}}",
    r"\pdffiledump offset 0 length 64{{REL}}",
    r"\pdfmdfivesum file {{ABS}}",
    r"\pdffilesize{{ABS}}",
    r"\pdffilemoddate{{ABS}}",
    r"\pdfprimitive\input{{ABS}}",
    r"\pdfprimitive\pdfobj stream file {{ABS}}\pdfrefobj\pdflastobj",
    r"\csname pdfobj\endcsname stream file {{ABS}}\pdfrefobj\pdflastobj",
    r"\csname tex_pdfobj:D\endcsname stream file {{ABS}}\pdfrefobj\pdflastobj",
    r"\csname tex_primitive:D\endcsname\pdfobj stream file {{ABS}}\pdfrefobj\pdflastobj",
    r"\csname @@input\endcsname {ABS} ",
    r"^^5cinput{{ABS}}",
    r"^^5cimmediate^^5cpdfobj stream file {{ABS}}^^5cpdfrefobj^^5cpdflastobj",
    r"^^5c^^69nput{{ABS}}",
    r"\^^5cinput{{ABS}}",
    r"\catcode`\Z=0 Zinput{{ABS}}",
    r"\catcode33=0 !pdfobj stream file {{ABS}}!pdfrefobj!pdflastobj",
    r"\def\x{\input}\x{{ABS}}",
    r"\let\x\input\x{{ABS}}",
    r"\edef\x{\noexpand\input{{ABS}}}\x",
    r"\gdef\x{\pdfobj stream file {{ABS}}}\immediate\x\pdfrefobj\pdflastobj",
    r"\newcommand\x{\input{{ABS}}}\x",
    r"\renewcommand\emph[1]{\input{{ABS}}}\emph{a}",
    r"\expandafter\input\expandafter{\detokenize{{ABS}}}",
    r"\scantokens{\input{{ABS}}}",
    r"\everyeof{\noexpand}\edef\x{\scantokens{\input{{ABS}}}}\x",
    r"\makeatletter\@@input {ABS} \makeatother",
    r"\makeatletter\@input{{ABS}}\makeatother",
    r"\immediate\write18{cat {ABS} > {MARK}}",
    r"\write18{touch {MARK}}",
    r"\immediate\openout5={MARK} \immediate\write5{x}\immediate\closeout5",
    r"\newwrite\w\immediate\openout\w=../pwned.tex \immediate\write\w{x}\immediate\closeout\w",
    r"\special{pdf:include {ABS}}",
    r"\directlua{os.execute('touch {MARK}')}",
    r"\begin{filecontents}{{MARK}}x\end{filecontents}",
    r"\usepackage{verbatim}\verbatiminput{{ABS}}",
    r"\includegraphics{{ABS}}",
    r"\href{run:{ABS}}{click}",
    r"\url{file://{ABS}}",
    r"\AtEndDocument{\input{{ABS}}}",
    r"\AddToHook{enddocument}{\input{{ABS}}}",
    r"\AddToHook{enddocument/afterlastpage}{\immediate\pdfobj stream file {{ABS}}}",
    r"\mark{\noexpand\input{{ABS}}}\markright{\noexpand\input{{ABS}}}",
    r"\lowercase{\input{{ABS}}}",
    r"\uppercase{\INPUT{{ABS}}}",
    r"\input|\"cat {ABS}\"",
    r"\openin5=|\"cat {ABS}\" \read5 to\x \x",
    r"\font\x={ABS} \x a",
    r"\globaldefs=1 \def\input{x}",
    r"\pdfstartlink attr{/A<</S/Launch/F({ABS})>>}x\pdfendlink",
    r"$\mathrm{\input{{ABS}}}$",
    r"\begin{tabular}{@{\input{{ABS}}}l}x\end{tabular}",
    r"\text{\pdfobj stream file {{ABS}}}",
    r"\end{document}\input{{ABS}}",
    "\\input{{ABS}}\x00",
]

PREAMBLE = ("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n\\usepackage{amsmath,amssymb}\n"
            "\\usepackage[hidelinks]{hyperref}\n\\begin{document}\n")


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """A secret outside the build folder, reachable as {ABS}, {REL} and in the environment."""
    secret = "SYMXAISECRET" + secrets.token_hex(8).upper()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tmpdir))  # build folders go to tmp/symxai-tex-*
    (tmpdir / "secret.txt").write_text(secret + "\n")
    (tmpdir / "secret.tex").write_text(secret + "\n")
    monkeypatch.setenv("SYMXAI_PLANTED_SECRET", secret)
    captured = tmp_path / "captured"
    captured.mkdir()
    original = latex_mod._passes

    def capture(build, jobname, fmt, deadline):  # keep the log and terminal output to search them
        ok, out = original(build, jobname, fmt, deadline)
        (captured / "terminal.txt").write_text(out)
        for f in build.iterdir():
            if f.suffix in (".log", ".aux", ".out"):
                shutil.copy(f, captured / f.name)
        return ok, out

    monkeypatch.setattr(latex_mod, "_passes", capture)
    return {"secret": secret, "ABS": str(tmpdir / "secret.txt"), "REL": "../secret.txt",
            "MARK": str(tmp_path / "pwned"), "captured": captured, "tmp": tmp_path}


def fill(attack: str, p: dict) -> str:
    for key in ("ABS", "REL", "MARK"):
        attack = attack.replace("{" + key + "}", p[key])
    return attack


def pdf_bytes_decoded(pdf: Path) -> bytes:
    """The raw PDF followed by every stream it holds, inflated where it is compressed."""
    data = pdf.read_bytes()
    out = [data]
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[m.end():]))
        except zlib.error:
            pass
    return b"".join(out)


def leaks(secret: str, pdf: Path | None, message: str, captured: Path) -> list[str]:
    """Where the secret (or its hex) shows up; empty when nowhere."""
    needles = [secret.encode(), secret.encode().hex().encode(), secret.encode().hex().upper().encode()]
    found = []
    if pdf is not None and pdf.exists():
        blob = pdf_bytes_decoded(pdf)
        found += [f"pdf bytes ({n[:12]!r})" for n in needles if n in blob]
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        flat = text.replace("\n", "").replace(" ", "")
        found += ["pdf text" for n in needles if n.decode() in flat]
    for f in captured.iterdir():
        blob = f.read_bytes()
        found += [f.name for n in needles if n in blob]
    found += ["error message" for n in needles if n.decode() in message]
    return found


# --- the whitelist, through spec fields -------------------------------------------------

FIELDS = ["statement", "title", "discussion", "course", "source", "part-title", "part-statement",
          "part-discussion"]


def spec_with(field: str, text: str) -> str:
    """A small valid spec with ``text`` (a YAML block scalar) in ``field``."""
    def block(indent):
        return "|\n" + "\n".join(" " * indent + line for line in text.splitlines())

    values = {"course": '"C"', "source": '"S"', "title": "Shapley", "statement": '"Compute $\\\\phi_1$."',
              "discussion": '"Fine."', "part-title": "A", "part-statement": '"Part."', "part-discussion": '"Done."'}
    indent = {"course": 2, "source": 2}.get(field, 10 if field.startswith("part-") else 6)
    values[field] = block(indent)
    return f"""id: attack
title: Attack sheet
course: {values['course']}
source: {values['source']}
exercises:
  - id: shapley
    title: {values['title']}
    method: shapley
    symbols: {{x1: real, x2: real}}
    statement: {values['statement']}
    discussion: {values['discussion']}
    params:
      f: Max(x1, x2)
      inputs: [x1, x2]
      point: [1, 2]
      baseline: [0, 0]
    parts:
      - id: a
        title: {values['part-title']}
        statement: {values['part-statement']}
        discussion: {values['part-discussion']}
"""


def test_the_spec_template_is_valid():
    for field in FIELDS:
        loads_sheet(spec_with(field, "Plain $x_1$ text."), "ok.yaml")


@pytest.mark.parametrize("i", range(len(ATTACKS)))
def test_attack_is_refused_in_a_spec_field_with_its_location(i):
    attack = fill(ATTACKS[i], {"ABS": "/etc/passwd", "REL": "../secret.txt", "MARK": "/tmp/pwned"})
    assert refusals(attack), attack
    field = FIELDS[i % len(FIELDS)]
    text = spec_with(field, attack.replace("\x00", ""))  # the YAML reader refuses NUL itself
    with pytest.raises(SpecError) as info:
        loads_sheet(text, "attack.yaml")
    first = info.value.problems[0]
    assert first.location.file == "attack.yaml" and first.location.line > 0 and first.location.column > 0
    line = text.splitlines()[first.location.line - 1]
    assert first.source_line == line
    if "\\" in first.message:  # a refused control sequence: the column points at it
        token = re.search(r": '(.*)'$", first.message).group(1).replace("\\\\", "\\")
        assert line[first.location.column - 1:].startswith(token), (str(first), token)


def test_validate_cli_reports_file_line_column_and_exit_2(cli, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(spec_with("statement", "Fine $x$ and \\immediate\\pdfobj stream file {/etc/passwd}"))
    r = cli("validate", spec)
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    m = re.search(r"bad\.yaml:(\d+):(\d+): .*immediate", r.output)
    assert m, r.output
    src = spec.read_text().splitlines()[int(m.group(1)) - 1]
    assert src[int(m.group(2)) - 1:].startswith("\\immediate\\pdfobj")


def test_build_refuses_before_writing(cli, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text(spec_with("title", "\\input{/etc/passwd}"))
    r = cli("build", spec, "-o", tmp_path / "out", "--tex-only")
    assert r.exit_code == 2 and "input" in r.output
    assert not (tmp_path / "out").exists()


def test_every_spec_of_the_corpus_passes_the_whitelist():
    for f in sorted((ROOT / "problems").glob("*.yaml")) + sorted((ROOT / "tests" / "specs").glob("*.yaml")):
        loads_sheet(f.read_text(), str(f))  # raises SpecError on a refusal


@pytest.mark.parametrize("text", [
    r"$f(\boldsymbol{x}) = \min(x_1, \max(x_2, x_3))$",
    r"\[ \phi_i = \sum_{S \subseteq F \setminus \{i\}} \frac{|S|!\,(d-|S|-1)!}{d!} \bigl(v(S \cup \{i\}) - v(S)\bigr) \]",
    r"$\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$ and \emph{this}, 50\% off",
    r"\begin{itemize}\item one \item two\end{itemize}",
    r"$\|x\|_2^2$, $\mathbb{E}[X]$, $\operatorname{ReLU}(z)$, $\tilde{x}_i$, $x^\top$",
])
def test_ordinary_markup_is_allowed(text):
    assert refusals(text) == []


def test_unbalanced_markup_is_refused_with_position():
    assert [(r.offset, r.token) for r in refusals("a } b")] == [(2, "}")]
    assert [r.token for r in refusals(r"\begin{pmatrix} 1 \end{bmatrix}")] == [r"\begin{pmatrix}", r"\end{bmatrix}"]
    assert [r.token for r in refusals("$x")] == ["$"]


# --- the TeX level: attacks straight into a document ------------------------------------

@pytest.mark.parametrize("i", range(len(ATTACKS)))
def test_attack_neither_leaks_nor_runs_at_the_tex_level(i, tex, planted):
    attack = fill(ATTACKS[i], planted).replace("\x00", "")
    source = lock_document(PREAMBLE + f"Before. {attack}\n\nAfter.\n\\end{{document}}\n")
    out = planted["tmp"] / "out.pdf"
    message = ""
    try:
        compile_pdf(source, out)
    except LatexError as exc:
        message = str(exc)
    assert leaks(planted["secret"], out, message, planted["captured"]) == [], attack
    assert not Path(planted["MARK"]).exists(), attack
    assert not (planted["tmp"] / "tmp" / "pwned.tex").exists(), attack


def test_the_leak_detector_finds_an_unlocked_leak(tex, planted):
    """Without the lock \\pdfobj copies the file into the PDF (openin_any=p does not stop it): found."""
    attack = fill(r"\immediate\pdfobj stream file {{ABS}}\pdfrefobj\pdflastobj", planted)
    out = planted["tmp"] / "open.pdf"
    compile_pdf(PREAMBLE + f"x {attack}\n\\end{{document}}\n", out)
    assert leaks(planted["secret"], out, "", planted["captured"])
    out2 = planted["tmp"] / "hex.pdf"  # what \pdffiledump would print (it honours openin_any=p)
    compile_pdf(PREAMBLE + f"x {planted['secret'].encode().hex().upper()}\n\\end{{document}}\n", out2)
    assert "pdf text" in leaks(planted["secret"], out2, "", planted["captured"])


def test_the_lock_comes_before_any_user_text_and_sheets_still_build(tex, tmp_path):
    from symxai.solve.pipeline import build
    build([ROOT / "problems" / "tub-ml-sheet14.yaml"], tmp_path)
    tex_source = (tmp_path / "tub-ml-sheet14" / "tub-ml-sheet14-solutions.tex").read_text()
    begin = tex_source.index("\\begin{document}")
    assert begin < tex_source.index("symxai sandbox") < tex_source.index("\\section*")
    assert (tmp_path / "tub-ml-sheet14" / "tub-ml-sheet14-solutions.pdf").read_bytes().startswith(b"%PDF-")


# --- file names and ids ----------------------------------------------------------------

def test_hostile_file_name_is_printed_as_text_and_builds(tex, tmp_path, planted):
    name = "x^^2f..^^2fsecret_%#&$~{}\\input.yaml"
    spec = tmp_path / name
    spec.write_text((ROOT / "tests" / "specs" / "shapley-sheet.yaml").read_text())
    from symxai.solve.pipeline import build
    build([spec], tmp_path / "out")
    pdf = tmp_path / "out" / "test-shapley-sheet" / "test-shapley-sheet-exercises.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert name in text.replace("\n", "")
    assert leaks(planted["secret"], pdf, "", planted["captured"]) == []


def test_escape_text_and_job_names():
    assert refusals(escape_text("a^^5cinput{x}%#&$~_\\")) == []
    assert safe_jobname("sheet-1_a") == "sheet-1_a"
    for bad in ("../x", "a b", "x\n", "^^2f", "a" * 300, ""):
        job = safe_jobname(bad)
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", job) and len(job) <= 70, job
    assert safe_jobname("a/b") != safe_jobname("a-b")


# --- templates ------------------------------------------------------------------------

@pytest.mark.parametrize("expr", ["lipsum.__globals__", "''.__class__.__mro__",
                                  "cycler.__init__.__globals__.os.popen('id').read()",
                                  "sheet.__class__.__init__.__globals__"])
def test_user_template_cannot_reach_python(expr, tmp_path):
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "exercises.tex.j2").write_text(f"((( {expr} )))\n")
    r = subprocess.run([sys.executable, "-m", "symxai", "build", str(ROOT / "problems" / "tub-ml-sheet14.yaml"),
                        "-o", str(tmp_path / "out"), "--tex-only", "--templates", str(tpl)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "sandboxed" in r.stderr
    assert not (tmp_path / "out" / "tub-ml-sheet14").exists()


def test_reliability_summary():
    """The counts docs/output.md and the README quote: every attack refused by the whitelist."""
    refused = sum(bool(refusals(fill(a, {"ABS": "/x", "REL": "../x", "MARK": "/m"}))) for a in ATTACKS)
    assert len(ATTACKS) >= 50 and refused == len(ATTACKS)
