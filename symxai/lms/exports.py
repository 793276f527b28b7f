"""Writing a batch's LMS files: Moodle XML, STACK questions, QTI 2.1 package (see docs/lms.md)."""

from __future__ import annotations

from pathlib import Path

def write_exports(batch: Batch, *, moodle=None, stack=None, qti=None, moodle_style="cloze", tolerance=1e-3,
                  figure_format="png", log=None) -> list[Path]:
    """Write the LMS files asked for; answers an export cannot grade are reported through ``log``."""
    from symxai.typeset.latex import write_atomic

    if (moodle or stack or qti) and batch.variants and not batch.variants[0].extras:
        from symxai.batch.variants import VariantError
        raise VariantError("LMS exports need the batch generated with lms=True (worked solutions, figures, points)")
    written, skipped = [], []
    if moodle:
        from symxai.lms.moodle import quiz
        export = quiz(batch, style=moodle_style, tolerance=tolerance, figure_format=figure_format)
        skipped += export.skipped
        Path(moodle).parent.mkdir(parents=True, exist_ok=True)
        written.append(write_atomic(Path(moodle), export.text))
    if stack:
        from symxai.lms.stack import stack_xml
        Path(stack).parent.mkdir(parents=True, exist_ok=True)
        written.append(write_atomic(Path(stack), stack_xml(batch, figure_format=figure_format)))
    if qti:
        from symxai.lms.qti import package
        data, left = package(batch, tolerance=tolerance)
        skipped += left
        Path(qti).parent.mkdir(parents=True, exist_ok=True)
        written.append(write_atomic(Path(qti), data))
    if log:
        for line in dict.fromkeys(skipped):
            log(f"note: {line}")
    return written
