"""LaTeX math as MathML for the browser (Chromium and Firefox render MathML natively).

Math comes from two trusted places only: the specs the server was started
with and symxai's own printer (``printing.tex``) applied to parsed answers.
A student's text is never converted: it is parsed by the whitelist parser
first and only its printed form reaches this module.

>>> math("x^2")
'<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>'
>>> prose("Let $x < y$ & so on.").count("<math")
1
>>> "&lt;" in prose("a <b>")
True
>>> math(r"\\boldsymbol{x} + \\boldsymbol{\\mu}").count("\U0001D499"), "\U0001D741" in math(r"\\boldsymbol{\\mu}")
(1, True)
"""

from __future__ import annotations

import html
import re

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\[(.+?)\\\]|\\\((.+?)\\\)", re.S)
_MTEXT = re.compile(r"(<mtext[^>]*>)(.*?)(</mtext>)", re.S)
_BARE = re.compile(r"&(?!#x?[0-9A-Fa-f]+;|[A-Za-z]+;)|<|>")
# commands latex2mathml does not know, written with ones it does
_REWRITE = [(re.compile(r"\\(arg|argmax|argmin)\b"), r"\\operatorname{\1}"),
            (re.compile(r"\\(bigl|bigr|Bigl|Bigr|biggl|biggr)\b"), r"\\\1"),
            (re.compile(r"\\displaystyle\b"), "")]


_VARIANT = re.compile(r'<mi mathvariant="(bold-italic|bold)">([^<]+)</mi>')
_GREEK = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡϴΣΤΥΦΧΨΩ∇αβγδεζηθικλμνξοπρςστυφχψω"
_STARTS = {"bold": (0x1D400, 0x1D41A, 0x1D6A8), "bold-italic": (0x1D468, 0x1D482, 0x1D71C)}


def _styled(variant: str, text: str) -> str:
    """Letters in Unicode's mathematical bold (italic) range: Chromium's MathML Core renders
    ``mathvariant`` only for "normal", so the style is carried by the characters themselves."""
    upper, lower, greek = _STARTS[variant]
    out = []
    for ch in html.unescape(text):
        if "A" <= ch <= "Z":
            out.append(chr(upper + ord(ch) - 65))
        elif "a" <= ch <= "z":
            out.append(chr(lower + ord(ch) - 97))
        elif ch in _GREEK:
            out.append(chr(greek + _GREEK.index(ch)))
        else:
            out.append(html.escape(ch))
    return "".join(out)


def _unicode_variants(markup: str) -> str:
    return _VARIANT.sub(lambda m: f"<mi>{_styled(m.group(1), m.group(2))}</mi>", markup)


def _escape_mtext(markup: str) -> str:
    def fix(m):
        return m.group(1) + _BARE.sub(lambda b: {"&": "&amp;", "<": "&lt;", ">": "&gt;"}[b.group(0)], m.group(2)) + m.group(3)
    return _MTEXT.sub(fix, markup)


def math(latex: str, display: bool = False) -> str:
    """One formula as a ``<math>`` element; the LaTeX source in ``<code>`` if it cannot be converted."""
    from latex2mathml.converter import convert

    source = latex.strip()
    for pattern, repl in _REWRITE:
        source = pattern.sub(repl, source)
    try:
        out = convert(source, display="block" if display else "inline")
    except Exception:  # the converter's errors are of many kinds; the page shows the source instead
        return f'<code class="tex">{html.escape(latex)}</code>'
    return _unicode_variants(_escape_mtext(out))


def _split(latex: str, sep: str) -> list[str]:
    """``latex`` split at ``sep`` ('&' or '\\\\') outside braces and environments."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(latex):
        if latex.startswith("\\begin", i):
            depth += 1
        elif latex.startswith("\\end", i):
            depth -= 1
        c = latex[i]
        if c == "\\" and not (depth == 0 and latex.startswith(sep, i)):
            i += 2  # an escaped character or a command's first letter
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and latex.startswith(sep, i):
            parts.append(latex[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(latex[start:])
    return parts


def aligned(lines: list[str]) -> str:
    """Lines of an align environment (``lhs &= rhs``, rows split by ``\\\\``) as one MathML table.

    >>> aligned(["x &= 2"]).count("<mtd")
    2
    """
    rows = [row for line in lines for row in _split(line, "\\\\") if row.strip()]
    cells = []
    for row in rows:
        cols = _split(row, "&")
        lhs, rhs = (cols[0], "".join(cols[1:])) if len(cols) > 1 else ("", cols[0])
        cells.append((lhs, rhs))
    out = []
    for lhs, rhs in cells:
        tds = []
        for text, align in ((lhs, "right"), (rhs, "left")):
            inner = _inner(math(text, display=True)) if text.strip() else ""
            tds.append(f'<mtd columnalign="{align}" style="text-align:{align}"><mstyle displaystyle="true">{inner}</mstyle></mtd>')
        out.append("<mtr>" + "".join(tds) + "</mtr>")
    return ('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mtable columnspacing="0">'
            + "".join(out) + "</mtable></math>")


def _inner(markup: str) -> str:
    if not markup.startswith("<math"):
        return f"<mtext>{html.escape(re.sub(r'<[^>]+>', '', markup))}</mtext>"
    return markup[markup.index(">") + 1:markup.rindex("</math>")]


_TEXT_COMMANDS = [(re.compile(r"\\(emph|textit)\{([^{}]*)\}"), r"<em>\2</em>"),
                  (re.compile(r"\\textbf\{([^{}]*)\}"), r"<strong>\1</strong>"),
                  (re.compile(r"\\(_|%|&|#|\$)"), r"\1"), (re.compile(r"\\ "), " "),
                  (re.compile(r"~"), "\u00a0"), (re.compile(r"---"), "\u2014"), (re.compile(r"--"), "\u2013")]


def _text(text: str) -> str:
    out = html.escape(text, quote=False)
    for pattern, repl in _TEXT_COMMANDS:
        out = pattern.sub(repl, out)
    return out


def prose(text: str) -> str:
    """LaTeX prose (text with ``$...$``, ``\\[...\\]``) as HTML: text escaped, math as MathML,
    blank lines as paragraph breaks."""
    pieces, pos = [], 0
    for m in _MATH.finditer(text):
        pieces.append(_text(text[pos:m.start()]))
        display = m.group(1) is not None or m.group(3) is not None
        pieces.append(math(next(g for g in m.groups() if g is not None), display=display))
        pos = m.end()
    pieces.append(_text(text[pos:]))
    paragraphs = re.split(r"\n\s*\n", "".join(pieces).strip())
    return "".join(f"<p>{p}</p>" for p in paragraphs if p.strip())
