"""Figures for the LMS exports: TikZ pictures as PNG or SVG, all of a batch in one LaTeX run.

Every ``tikzpicture`` becomes one page of a ``standalone`` document compiled
by ``symxai.typeset.latex.compile_pdf`` (the project's sandboxed LaTeX: no shell
escape, no file access outside its build folder); poppler's ``pdftoppm``
(PNG, one call for all pages) or ``pdftocairo -svg`` (one call per page)
converts the pages.  Identical pictures are compiled once.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from symxai.errors import LatexError

PREAMBLE = r"""\documentclass[tikz,border=4pt]{standalone}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{amsmath,amssymb}
\usepackage{xcolor}
\usetikzlibrary{positioning,arrows.meta}
\begin{document}
"""

FORMATS = ("png", "svg")


def figure_document(pictures: list[str]) -> str:
    """The standalone LaTeX source with one page per picture.

    >>> figure_document([r"\\begin{tikzpicture}\\end{tikzpicture}"]).count("tikzpicture")
    2
    """
    return PREAMBLE + "\n".join(pictures) + "\n\\end{document}\n"


def render(pictures: list[str], fmt: str = "png", *, dpi: int = 130) -> list[bytes]:
    """The image bytes of each picture (in order); LatexError when LaTeX or poppler fails or is missing."""
    if fmt not in FORMATS:
        raise ValueError(f"figure format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if not pictures:
        return []
    from symxai.typeset.latex import compile_pdf

    unique = list(dict.fromkeys(pictures))
    tool = "pdftoppm" if fmt == "png" else "pdftocairo"
    if shutil.which(tool) is None:
        raise LatexError(f"{tool} (poppler-utils) is needed to export figures: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory(prefix="symxai-fig-") as tmp:
        pdf = compile_pdf(figure_document(unique), Path(tmp) / "figures.pdf", jobname="figures")
        images = []
        if fmt == "png":
            _run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(Path(tmp) / "p")])
            pages = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
            images = [p.read_bytes() for p in pages]
        else:
            for k in range(1, len(unique) + 1):
                out = Path(tmp) / f"p-{k}.svg"
                _run(["pdftocairo", "-svg", "-f", str(k), "-l", str(k), str(pdf), str(out)])
                images.append(out.read_bytes())
    if len(images) != len(unique):
        raise LatexError(f"expected {len(unique)} figure page(s), got {len(images)}")
    by_source = dict(zip(unique, images))
    return [by_source[p] for p in pictures]


def _run(command: list[str]) -> None:
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise LatexError(f"{command[0]} failed: {proc.stderr.strip()[:500]}")
