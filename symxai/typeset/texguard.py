"""The LaTeX sandbox: what user text may put into a .tex file.

Every text of a spec that reaches a sheet is one of two kinds:

* **markup** (titles, statements, discussions, course, source): LaTeX text
  and math, passed through a *positive whitelist* of control sequences and
  environments (the math and text markup problems/ uses, and the usual
  relatives).  Anything else -- ``\\input``, ``\\pdfobj``, ``\\csname``,
  ``\\catcode``, ``\\def``, ``^^`` escapes, ``\\begin{filecontents}`` -- is
  refused with its position, before anything is solved or written;
* **plain text** (file names, ids): escaped with :func:`escape_text`, so
  every character prints as itself.

Defence in depth at the TeX level: :data:`TEX_LOCK` is put right after
``\\begin{document}`` of every generated sheet (before any user text); it
redefines the primitives that read files or reach the PDF raw (and their
expl3 aliases ``\\tex_...:D``) as errors, and gives them back only when
``\\end{document}`` starts, for LaTeX's own closing code.  pdflatex also
runs without shell escape and with ``openin_any=p``/``openout_any=p``.

>>> refusals("Let $\\\\phi_1 = \\\\tfrac12$.")
[]
>>> [(r.offset, r.token) for r in refusals(r"A \\immediate\\pdfobj stream file {/etc/passwd}")]
[(2, '\\\\immediate'), (12, '\\\\pdfobj')]
>>> escape_text("a_b%#{x}.yaml")
'a\\\\_b\\\\%\\\\#\\\\{x\\\\}.yaml'
>>> safe_jobname("tub-ml-sheet14-solutions")
'tub-ml-sheet14-solutions'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from symxai.errors import Location, Problem

# Control words allowed in spec text: math and text markup, nothing that reads,
# writes, defines, changes catcodes or builds names.
_MATH = """
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi
rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma
Upsilon Phi Psi Omega
frac dfrac tfrac sqrt binom dbinom tbinom sum prod int iint oint lim limsup liminf sup inf max min
argmax argmin arg det exp log ln sin cos tan sinh cosh tanh arcsin arccos arctan dim ker Pr gcd mod
bmod pmod deg
cdot cdots ldots dots vdots ddots times div pm mp ast star circ bullet odot oplus otimes wedge vee
cap cup setminus sqcup bigcup bigcap bigoplus bigotimes
le leq ge geq ne neq lt gt approx equiv sim simeq cong propto ll gg prec succ preceq succeq
in notin ni subset subseteq supset supseteq emptyset varnothing forall exists nexists neg lnot land lor
infty partial nabla top bot perp parallel mid nmid vert Vert lvert rvert lVert rVert langle rangle
lfloor rfloor lceil rceil backslash prime ell hbar Re Im aleph wp imath jmath
to mapsto rightarrow leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow iff implies
impliedby gets longrightarrow longleftarrow Longrightarrow Longleftarrow longmapsto uparrow downarrow
hookrightarrow rightharpoonup
left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr
hat widehat tilde widetilde bar overline underline vec dot ddot check breve acute grave
overbrace underbrace overset underset stackrel overrightarrow overleftarrow
mathbb mathcal mathbf mathrm mathit mathsf mathtt mathfrak boldsymbol operatorname
displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits
quad qquad colon intercal transpose boxed phantom
"""
_TEXT = """
text textrm textbf textit textsl textsc texttt textsf textup textnormal emph underline
bfseries itshape rmfamily ttfamily sffamily scshape upshape normalfont
tiny scriptsize footnotesize small normalsize large Large LARGE huge Huge
par newline linebreak noindent indent smallskip medskip bigskip item hline cline toprule midrule bottomrule
ldots textendash textemdash textquoteleft textquoteright textbackslash textasciitilde textasciicircum
S P ss ae AE oe OE o O aa AA l L i j dag ddag copyright pounds LaTeX TeX today
hfill hspace vspace enspace thinspace negthinspace nobreakspace
"""
ALLOWED_WORDS = frozenset((_MATH + _TEXT).split())
# Control symbols: spacing, escaped specials, accents, display math.
ALLOWED_SYMBOLS = frozenset(" \t\n,;:!\\{}|[]()%&#$_'\"`^~.=-/>")
ALLOWED_ENVS = frozenset("""
pmatrix bmatrix Bmatrix vmatrix Vmatrix matrix smallmatrix cases aligned gathered split array
align align* equation equation* gather gather* multline multline* itemize enumerate description
center tabular quote
""".split())
# Named in messages: these read, write, run or redefine.
DANGEROUS = frozenset("""
input include includeonly InputIfFileExists IfFileExists openin openout read readline write immediate
closein closeout special catcode csname endcsname expandafter string scantokens detokenize
let futurelet def edef gdef xdef global newcommand renewcommand providecommand DeclareRobustCommand
NewDocumentCommand RenewDocumentCommand usepackage RequirePackage documentclass makeatletter
makeatother directlua latelua pdfobj pdfrefobj pdfximage pdfrefximage pdfmapfile pdfmapline
pdfprimitive primitive pdffiledump pdfmdfivesum pdffilesize pdffilemoddate pdfliteral pdfstartlink
pdfannot pdfcatalog pdfinfo pdfnames pdftrailer uppercase lowercase aftergroup afterassignment
everypar everymath everyeof output mark marks AtEndDocument AtBeginDocument AddToHook
AtBeginShipout lccode uccode font endinput end begingroup endgroup verb url href
includegraphics shipout dump openany errmessage message typeout show showthe
""".split())

# Primitives (and LaTeX commands) made errors at the TeX level for the body of a
# sheet: none is needed there by LaTeX, amsmath, tikz or hyperref (tested on
# every sheet of problems/), they are given back at \end{document}.
LOCKED = (
    "pdfobj", "pdfximage", "pdfmapfile", "pdfmapline", "pdffiledump", "pdfmdfivesum", "pdffilesize",
    "pdffilemoddate", "pdfprimitive", "primitive", "read", "readline", "include", "scantokens",
    "everyeof", "special", "AtEndDocument", "AtBeginDocument", "AddToHook", "AtBeginShipout",
    "AtBeginDvi", "mark", "marks", "markboth", "markright", "pagestyle", "thispagestyle", "usepackage",
    "RequirePackage", "directlua", "latelua",
)

TEX_LOCK = (
    "%% symxai sandbox: the primitives below are errors in the body of this sheet\n"
    "\\makeatletter\n"
    "\\def\\symxai@disabled#1{\\errmessage{symxai sandbox: \\@backslashchar#1 is disabled in sheets}}\n"
    "\\def\\symxai@restore{}\n"
    "\\def\\symxai@lock#1{\\expandafter\\symxai@lockcs\\csname #1\\endcsname{#1}%\n"
    "  \\expandafter\\ifx\\csname tex_#1:D\\endcsname\\relax\\else\n"
    "    \\expandafter\\symxai@lockcs\\csname tex_#1:D\\endcsname{#1}\\fi}\n"
    "\\def\\symxai@lockcs#1#2{\\expandafter\\let\\csname symxai@saved@\\string#1\\endcsname#1%\n"
    "  \\expandafter\\g@addto@macro\\expandafter\\symxai@restore\\expandafter{%\n"
    "    \\expandafter\\global\\expandafter\\let\\expandafter#1\\csname symxai@saved@\\string#1\\endcsname}%\n"
    "  \\gdef#1{\\symxai@disabled{#2}}}\n"
    "\\AddToHook{env/document/end}[symxai]{\\symxai@restore}"
    "\\DeclareHookRule{env/document/end}{symxai}{before}{*}\n"
    f"\\@for\\symxai@name:={','.join(LOCKED)}\\do{{\\expandafter\\symxai@lock\\expandafter{{\\symxai@name}}}}\n"
    "\\makeatother\n"
)

_BEGIN_DOCUMENT = re.compile(r"^[ \t]*\\begin\{document\}[^\n]*\n", re.M)


def lock_document(source: str) -> str:
    """``source`` with :data:`TEX_LOCK` after its first ``\\begin{document}`` line.

    >>> out = lock_document("\\\\documentclass{article}\\n\\\\begin{document}\\nHi\\n\\\\end{document}\\n")
    >>> out.index("symxai sandbox") > out.index("begin{document}") and out.endswith("Hi\\n\\\\end{document}\\n")
    True
    """
    m = _BEGIN_DOCUMENT.search(source)
    if m is None:
        return source
    return source[: m.end()] + TEX_LOCK + source[m.end():]


@dataclass(frozen=True)
class Refusal:
    """One refused piece of a text: 0-based ``offset``, the ``token`` and why."""

    offset: int
    token: str
    message: str


_WORD = re.compile(r"[A-Za-z]+")
_ENV_ARG = re.compile(r"[ \t]*\{([^{}\\]*)\}")
_HELP = "allowed: the math and text markup listed in docs/spec.md"


def refusals(text: str) -> list[Refusal]:
    """Everything in ``text`` the sandbox refuses, in order (empty: the text is safe).

    >>> [r.message for r in refusals(r"\\begin{filecontents}{x}")]
    ["environment 'filecontents' is not allowed (allowed: the math and text markup listed in docs/spec.md)"]
    >>> [r.token for r in refusals("x^^5cinput")]
    ['^^']
    """
    out: list[Refusal] = []
    envs: list[tuple[str, int]] = []
    braces: list[int] = []
    dollars: list[int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 >= n:
                out.append(Refusal(i, "\\", "a lone backslash ends the text"))
                break
            m = _WORD.match(text, i + 1)
            if m is None:  # control symbol
                sym = text[i + 1]
                if sym not in ALLOWED_SYMBOLS:
                    out.append(Refusal(i, "\\" + sym, f"control symbol \\{sym} is not allowed ({_HELP})"))
                elif sym == "^" and text.startswith("^", i + 2):
                    out.append(Refusal(i + 1, "^^", "'^^' character escapes are not allowed"))
                i += 2
                continue
            name = m.group(0)
            token = "\\" + name
            i = m.end()
            if name in ("begin", "end"):
                arg = _ENV_ARG.match(text, i)
                if arg is None:
                    out.append(Refusal(m.start() - 1, token, f"{token} must be followed by {{environment}}"))
                    continue
                env = arg.group(1)
                if env not in ALLOWED_ENVS:
                    out.append(Refusal(m.start() - 1, f"{token}{{{env}}}",
                                       f"environment '{env}' is not allowed ({_HELP})"))
                elif name == "begin":
                    envs.append((env, m.start() - 1))
                elif not envs or envs[-1][0] != env:
                    out.append(Refusal(m.start() - 1, f"{token}{{{env}}}",
                                       f"\\end{{{env}}} does not close " +
                                       (f"\\begin{{{envs[-1][0]}}}" if envs else "any \\begin")))
                else:
                    envs.pop()
                i = arg.end()
                continue
            if name not in ALLOWED_WORDS:
                why = "reads, writes, runs or redefines" if name in DANGEROUS or name.startswith("pdf") else \
                    "is not in the whitelist"
                out.append(Refusal(m.start() - 1, token, f"{token} {why} ({_HELP})"))
            continue
        if c == "^" and text.startswith("^^", i):
            out.append(Refusal(i, "^^", "'^^' character escapes are not allowed"))
            i += 2
            continue
        if c == "{":
            braces.append(i)
        elif c == "}":
            if braces:
                braces.pop()
            else:
                out.append(Refusal(i, "}", "'}' closes no '{'"))
        elif c == "$":
            dollars.append(i)
        elif c == "%":
            out.append(Refusal(i, "%", "'%' starts a TeX comment: write \\% for a percent sign"))
        elif c == "#":
            out.append(Refusal(i, "#", "'#' is TeX's parameter character: write \\# for a hash sign"))
        elif (ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127:
            out.append(Refusal(i, repr(c)[1:-1], f"control character U+{ord(c):04X} is not allowed"))
        i += 1
    for pos in braces:
        out.append(Refusal(pos, "{", "'{' is never closed"))
    for env, pos in envs:
        out.append(Refusal(pos, f"\\begin{{{env}}}", f"\\begin{{{env}}} is never closed"))
    if len(dollars) % 2:
        out.append(Refusal(dollars[-1], "$", "unbalanced '$': math mode is never closed"))
    return sorted(out, key=lambda r: r.offset)


def escape_text(text: str) -> str:
    """``text`` as LaTeX that prints it character by character (for file names, ids).

    Control characters and characters outside Latin-1 become ``?``.

    >>> escape_text("\\\\input{x}^^2f~")
    '\\\\textbackslash{}input\\\\{x\\\\}\\\\textasciicircum{}\\\\textasciicircum{}2f\\\\textasciitilde{}'
    """
    out = []
    for c in text:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 32 or 127 <= ord(c) < 160 or ord(c) > 255:
            out.append("?")
        else:
            out.append(c)
    return "".join(out)


_ESCAPES = {"\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "$": "\\$", "&": "\\&", "#": "\\#",
            "^": "\\textasciicircum{}", "_": "\\_", "%": "\\%", "~": "\\textasciitilde{}",
            "<": "\\textless{}", ">": "\\textgreater{}", "|": "\\textbar{}", '"': "\\textquotedbl{}"}

_JOB_BAD = re.compile(r"[^A-Za-z0-9_-]+")


def safe_jobname(name: str, limit: int = 60) -> str:
    """A TeX job name made of letters, digits, '_' and '-' derived from ``name``.

    A name that had to change gets a short hash, so two names never collide.

    >>> safe_jobname("../x y")
    'x-y-46c740c6'
    """
    clean = _JOB_BAD.sub("-", name).strip("-_")[:limit] or "sheet"
    if clean == name:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{clean}-{digest}"


# Spec fields whose text goes into sheets as LaTeX markup.
_SHEET_FIELDS = ("title", "course", "source")
_TEXT_FIELDS = ("title", "statement", "discussion")


def markup_fields(data) -> list[tuple[str, object]]:
    """(path, value) of every markup text of a loaded spec (a mapping from ``yamlload``)."""
    found: list[tuple[str, object]] = []

    def add(path, value):
        if isinstance(value, str):
            found.append((path, value))

    if not isinstance(data, dict):
        return found
    for key in _SHEET_FIELDS:
        add(key, data.get(key))
    for i, ex in enumerate(data.get("exercises") or []):
        if not isinstance(ex, dict):
            continue
        for key in _TEXT_FIELDS:
            add(f"exercises[{i}].{key}", ex.get(key))
        for j, part in enumerate(ex.get("parts") or []):
            if isinstance(part, dict):
                for key in _TEXT_FIELDS:
                    add(f"exercises[{i}].parts[{j}].{key}", part.get(key))
        rnd = ex.get("random")
        if isinstance(rnd, dict):
            add(f"exercises[{i}].random.statement", rnd.get("statement"))
            for pid, pv in (rnd.get("parts") or {}).items() if isinstance(rnd.get("parts"), dict) else ():
                if isinstance(pv, dict):
                    add(f"exercises[{i}].random.parts.{pid}.statement", pv.get("statement"))
    return found


def check_spec_texts(data, source: str, file: str) -> list[Problem]:
    """A located :class:`Problem` for every refused piece of markup in a loaded spec."""
    lines = source.splitlines()
    problems = []
    for path, value in markup_fields(data):
        for r in refusals(value):
            loc = _locate(value, r, source, file)
            line = lines[loc.line - 1] if 0 < loc.line <= len(lines) else ""
            problems.append(Problem(loc, f"{path}: {r.message}: {r.token[:40]!r}", line))
    return problems


def _locate(value, refusal: Refusal, source: str, file: str) -> Location:
    """Where in the file ``refusal`` is: the token searched for from the value's start."""
    start_loc = getattr(value, "loc", None)
    if start_loc is None or not start_loc.line:
        return Location(file)
    line_starts = [0]
    for m in re.finditer("\n", source):
        line_starts.append(m.end())
    if start_loc.line > len(line_starts):
        return start_loc
    start = line_starts[start_loc.line - 1] + start_loc.column - 1
    # Count earlier occurrences of the same token in the value, so repeats map right.
    nth = value.count(refusal.token, 0, refusal.offset)
    pos = start - 1
    for variant in (refusal.token, refusal.token.replace("\\", "\\\\")):
        pos = start - 1
        for _ in range(nth + 1):
            pos = source.find(variant, pos + 1)
            if pos < 0:
                break
        if pos >= 0:
            break
    if pos < 0:
        return start_loc
    line = max(k for k, s in enumerate(line_starts) if s <= pos)
    return Location(file, line + 1, pos - line_starts[line] + 1)
