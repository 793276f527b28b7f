"""Verification: every engine answer against the method's independent numeric reference.

Where answers hold free symbols the comparison runs at several random
parameter points that respect the declared assumptions (seeded, so a build is
reproducible); where they are numbers, once.  Then at probe points
(``symxai.grade.probes``) on the zero sets of the answers' denominators and at the
edges of the domain (a nonnegative parameter at 0), where a formula may be 0/0
although the quantity is defined (kinks are the method's sampler's business:
LRP samples every region and its boundaries).  Parameters only: symbols the
method sets itself (inputs placed in regions, probabilities) keep their values.  A disagreement beyond the tolerance fails the check and names the
point; so does an engine answer that is undefined where the reference is not.
Points where the reference itself is undefined (raises, or gives nan) are
skipped: the quantity does not exist there.
"""

from __future__ import annotations

from symxai.lazy import numpy as np

from symxai.solve.model import Check, Solution, Verification
from symxai.expr.numeval import evaluate, free_parameters


def _error(engine, reference) -> float:
    if isinstance(engine, bool) or isinstance(reference, bool):
        return 0.0 if bool(engine) == bool(reference) else float("inf")
    if isinstance(engine, list) or isinstance(reference, list):
        return _set_error(engine, reference)
    e, r = np.asarray(engine, dtype=float), np.asarray(reference, dtype=float)
    if e.size != r.size:
        return float("inf")
    e, r = e.reshape(-1), r.reshape(-1)
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(r))):
        return 0.0 if np.array_equal(e, r) else float("inf")
    return float(np.max(np.abs(e - r) / np.maximum(1.0, np.abs(r))))


def _set_error(engine, reference) -> float:
    engine, reference = list(engine), list(reference)
    if len(engine) != len(reference):
        return float("inf")
    worst, left = 0.0, list(reference)
    for e in engine:
        errors = [_error(e, r) for r in left]
        k = int(np.argmin(errors))
        worst = max(worst, errors[k])
        left.pop(k)
    return worst


def _show(v) -> str:
    if isinstance(v, np.ndarray):
        return np.array2string(v.reshape(-1), precision=6)
    if isinstance(v, float):
        return f"{v:.10g}"
    return str(v)


def verify(task, solution: Solution, *, seed: int = 0, points: int | None = None) -> Verification:
    """Compare each asked answer of ``solution`` with the method's reference."""
    method, problem = task.method, task.problem
    answers = {name: solution.answers[name] for name in task.answers}
    free = set().union(*(free_parameters(a.value) for a in answers.values())) if answers else set()
    n = 1 if not free else (points or method.points)
    rng = np.random.default_rng(seed)
    worst = {name: 0.0 for name in answers}
    failure: dict[str, str] = {}
    last: dict[str, tuple] = {}
    bases = []
    for _ in range(n):
        values = method.sample(problem, task.symbols, rng) if free else {}
        bases.append(values)
        reference = method.reference(problem, values)
        for name, answer in answers.items():
            if name in failure:
                continue
            engine = evaluate(answer.value, values)
            err = _error(engine, reference[name])
            tol = answer.tolerance if answer.tolerance is not None else method.tolerance(problem, name)
            worst[name] = max(worst[name], err)
            last[name] = (engine, reference[name])
            if not err <= tol:
                at = ", ".join(f"{k}={_show(v)}" for k, v in values.items()) or "the given values"
                failure[name] = (f"engine {_show(engine)} but reference {_show(reference[name])} at {at}")
    if free:
        _probe(task, answers, bases, worst, failure, last)
    checks = []
    for name, answer in answers.items():
        tol = answer.tolerance if answer.tolerance is not None else method.tolerance(problem, name)
        engine, ref = last.get(name, (None, None))
        how = getattr(method, "reference_name_for", lambda _: method.reference_name)(problem)
        checks.append(Check(name, name not in failure, n, worst[name], tol, how,
                            failure.get(name, ""), engine, ref))
    return Verification(checks)



def _probe(task, answers, bases, worst, failure, last) -> None:
    from symxai.grade.probes import free_to_move, probe_points

    method, problem = task.method, task.problem
    exprs = [a.value for a in answers.values()]
    movable = free_to_move(method, problem, task.symbols, inputs=False)
    # a problem that leaves its boundaries out (LRP's ``boundaries: false``) is not probed on them
    singular = getattr(problem, "boundaries", True) is not False
    if not singular:
        return
    for values in probe_points(exprs, task.symbols, bases, singular=True, far=False, movable=movable,
                               kinks_too=False):
        try:
            reference = method.reference(problem, values)
        except (ArithmeticError, ValueError, np.linalg.LinAlgError):
            continue  # the quantity itself is not defined here
        for name, answer in answers.items():
            if name in failure or name not in reference:
                continue
            ref = reference[name]
            if not isinstance(ref, (bool, list)) and not np.all(np.isfinite(np.asarray(ref, dtype=float))):
                continue
            engine = evaluate(answer.value, values)
            tol = answer.tolerance if answer.tolerance is not None else method.tolerance(problem, name)
            err = _error(engine, ref)
            if not err <= tol:
                at = ", ".join(f"{k}={_show(v)}" for k, v in values.items()) or "the given values"
                failure[name] = f"engine {_show(engine)} but reference {_show(ref)} at {at} (a probe point)"
                last[name] = (engine, ref)
            else:
                worst[name] = max(worst[name], err)
