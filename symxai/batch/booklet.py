"""One exercises booklet and one solutions booklet per batch: every variant, one LaTeX run each.

Each variant's sheet is rendered as usual (``templates/exercises.tex.j2``,
``solutions.tex.j2``); the booklet (``templates/booklet.tex.j2``) keeps the
shared preamble once and puts every variant's body on its own pages, the
header of each page naming the variant id, its variant seed and the batch
seed.  The booklet is compiled by ``symxai.typeset.latex.compile_pdf`` like any sheet.

>>> src = "\\\\documentclass{article}\\n\\\\begin{document}\\nHi\\n\\\\end{document}\\n"
>>> split_document(src)
('\\\\documentclass{article}\\n', '\\nHi\\n')
"""

from __future__ import annotations

from symxai.errors import SymxaiError

KINDS = ("exercises", "solutions")


def split_document(source: str) -> tuple[str, str]:
    """A LaTeX document as (preamble, body)."""
    begin, end = "\\begin{document}", "\\end{document}"
    if begin not in source or end not in source:
        raise SymxaiError("a rendered sheet has no document environment")
    head, rest = source.split(begin, 1)
    return head, rest.rsplit(end, 1)[0]


def booklet_source(batch, kind: str) -> str:
    """The LaTeX source of the ``kind`` ('exercises' or 'solutions') booklet of ``batch``."""
    from symxai.typeset.render import environment
    from symxai.typeset.texguard import TEX_LOCK, lock_document

    if kind not in KINDS:
        raise ValueError(f"booklet kind must be one of {KINDS}, got {kind!r}")
    if not batch.variants or kind not in batch.variants[0].sources:
        raise SymxaiError("the batch was generated without rendering (render=False): no sheets for a booklet")
    preamble = split_document(batch.variants[0].sources[kind])[0]
    # each sheet's body starts with the sandbox lock; the booklet is locked once, after its own header
    variants = [{"id": v.id, "seed": v.variant_seed, "body": split_document(v.sources[kind])[1].replace(TEX_LOCK, "", 1)}
                for v in batch.variants]
    title = f"{kind} booklet"
    return lock_document(environment().get_template("booklet.tex.j2").render(
        preamble=preamble.rstrip(), variants=variants, seed=batch.seed, title=title))


def booklet_name(batch, kind: str) -> str:
    """``<sheet>-<exercise>-seed<S>-<kind>``: the booklet's file stem (a valid LaTeX job name)."""
    stem = batch.file.rsplit(".", 1)[0]
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in f"{stem}-{batch.exercise}-seed{batch.seed}-{kind}")
