"""Checking given answers (a student's) against the engine's derivation.

Each answer gets a verdict: "right", "wrong" or "undecided" (cannot decide:
never counted as right), and a wrong one gets diagnoses that name the mistake
(``symxai.grade.feedback``, the method's misconception catalogue).  Intermediate
quantities (Shapley coalition values ``v_12``) can be checked by name too.

>>> report = check("problems/tub-ml-sheet14.yaml", "shapley", {"phi_1": "2/3", "phi_2": "1/3"})
>>> [(v.name, v.status) for v in report.verdicts], report.exit_code
([('phi_1', 'right'), ('phi_2', 'wrong')], 1)
>>> check("problems/tub-ml-sheet14.yaml", "shapley", {"phi_1": "3/4"}).verdicts[0].diagnoses[0].label
'equal-weights'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from symxai.grade.equivalence import Verdict, compare, settled_exactly
from symxai.grade.isolate import GUARD, OutOfTime, isolated
from symxai.errors import ExpressionError, UsageError
from symxai.grade.feedback import Diagnosis, rank
from symxai.grade.grading import constants, exact_verdict

DIAGNOSE = True  # tests of the verdict alone may switch feedback off


@dataclass
class AnswerVerdict:
    name: str
    given: str
    status: str  # "right", "wrong", "undecided", "too-long", "unreadable"
    message: str
    verdict: Verdict | None = None
    diagnoses: list = field(default_factory=list)  # feedback.Diagnosis, most likely first
    intermediate: bool = False  # a checked intermediate quantity, not an answer of the exercise
    read: str = ""  # the answer as symxai read it, in the plain notation of `solve`
    read_latex: str = ""  # the same in the LaTeX of the solution sheets

    def lines(self) -> list[str]:
        first = self.message
        if self.read and first.startswith(f"{self.name}: "):  # the reading first, so a misreading shows
            first = f"{self.name} = {self.read}: {first[len(self.name) + 2:]}"
        return [first] + [f"  - {d.message} [{d.label}]" for d in self.diagnoses]

    def as_dict(self) -> dict:
        return {"name": self.name, "given": self.given, "read": self.read, "read_latex": self.read_latex,
                "status": self.status, "message": self.message, "intermediate": self.intermediate,
                "diagnoses": [{"label": d.label, "message": d.message} for d in self.diagnoses]}


@dataclass
class CheckReport:
    file: str
    target: str
    assume: list[str] = field(default_factory=list)
    verdicts: list[AnswerVerdict] = field(default_factory=list)
    notes: list = field(default_factory=list)  # diagnoses about the answers together (efficiency)

    @property
    def exit_code(self) -> int:
        if any(v.status == "unreadable" for v in self.verdicts):
            return 2
        return 0 if self.verdicts and all(v.status == "right" for v in self.verdicts) else 1

    def lines(self) -> list[str]:
        out = [line for v in self.verdicts for line in v.lines()]
        return out + [f"{self.target}: {d.message} [{d.label}]" for d in self.notes]

    def _repr_markdown_(self) -> str:  # Jupyter (symxai.notebook)
        from symxai.notebook import report_markdown
        return report_markdown(self)

    def _repr_html_(self) -> str:
        from symxai.notebook import report_html
        return report_html(self)

    def as_dict(self) -> dict:
        return {"file": self.file, "target": self.target, "assume": self.assume,
                "right": self.exit_code == 0, "exit_code": self.exit_code,
                "answers": [v.as_dict() for v in self.verdicts],
                "notes": [{"label": d.label, "message": d.message} for d in self.notes]}


HANDFUL = 9  # numbers a counterexample shows of one vector or matrix


def _fmt(value) -> str:
    """A value at a counterexample for a person: vectors as tuples, matrices as rows, a handful of numbers.

    >>> import numpy as np
    >>> _fmt(np.array([[1.0], [2.5]])), _fmt(np.eye(2)), _fmt(np.arange(49.0).reshape(7, 7))
    ('(1, 2.5)', '[[1, 0], [0, 1]]', 'a 7x7 matrix [[0, 1, 2, ...], [7, 8, 9, ...], ...]')
    """
    import numpy as np

    if isinstance(value, np.ndarray):
        a = value if value.ndim == 2 else value.reshape(-1, 1)
        num = lambda x: f"{float(x):.6g}"  # noqa: E731
        if 1 in a.shape:  # a vector
            flat = a.reshape(-1)
            if flat.size <= HANDFUL:
                return "(" + ", ".join(num(x) for x in flat) + ")"
            return "(" + ", ".join(num(x) for x in flat[:4]) + f", ... {flat.size} entries)"
        if a.size <= HANDFUL:
            return "[" + ", ".join("[" + ", ".join(num(x) for x in row) + "]" for row in a) + "]"
        rows = ["[" + ", ".join(num(x) for x in row[:3]) + (", ...]" if a.shape[1] > 3 else "]") for row in a[:2]]
        return f"a {a.shape[0]}x{a.shape[1]} matrix [" + ", ".join(rows) + ", ...]"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return "{" + ", ".join(_fmt(v) for v in value) + "}"
    return str(value)


def _message(name: str, verdict: Verdict, given: str = "", reveal: bool = True) -> str:
    if verdict.status == "right":
        return f"{name}: right ({verdict.how})"
    if verdict.status == "undecided":
        return f"{name}: cannot decide ({verdict.how}); this is not a confirmation"
    if verdict.status == "too-long":
        return f"{name}: took too long ({verdict.how}); this is not a confirmation"
    if verdict.how != "sampled":
        return f"{name}: wrong: {verdict.how}"
    g, e = _fmt(verdict.given_value), _fmt(verdict.expected_value)
    d = verdict.difference
    amount = "" if not d else "less than 1e-300" if d <= 1e-300 else f"{d:.3g}"
    by = f" (they differ by {amount})" if verdict.difference and g == e else ""
    if verdict.counterexample:
        at = ", ".join(f"{k} = {_fmt(v)}" for k, v in list(verdict.counterexample.items())[:6])
        if not reveal:
            return f"{name}: wrong: at {at} your answer gives {g}, which is not the correct value"
        return f"{name}: wrong: at {at} your answer gives {g}, the correct one {e}{by}"
    shown = " ".join(given.split())[:60] or g
    return f"{name}: wrong: {shown} is not the value of {name}{by.replace(' (they differ', ' (it differs')}"


READ_LIMIT = 3.0  # seconds to read one answer: the guard around the parser's own bounds


def _validate(text: str, names: dict, name=None, functions=None) -> None:
    """In the child: parse and apply the work budgets; send back nothing but success or the error."""
    from symxai.expr.answertext import parse_answer
    from symxai.grade.budget import within_budget

    within_budget(parse_answer(text, names, name=name, functions=functions))


def read_answer(text: str, names: dict, time_limit: float = READ_LIMIT, *, name=None, functions=None):
    """Read an answer: first in a killable child that parses it and applies the work budgets
    (``symxai.grade.budget``) and sends back only "fine" or the error, then here, by the same bounded
    parser.  No SymPy tree ever crosses the process boundary (unpickling one can take exponential
    time: a tower of 16 logarithms takes minutes).  ``name`` (the answer's) lets a pasted
    ``name = value`` read as its value.

    >>> read_answer("2/3", {})
    2/3
    """
    from symxai.expr.answertext import parse_answer

    try:
        isolated(_validate, time_limit, text, names, name, functions)
    except OutOfTime:
        raise ExpressionError(f"the answer could not be read within {time_limit:g} s") from None
    except RuntimeError as exc:
        raise ExpressionError(f"the answer could not be read ({exc})") from None
    return parse_answer(text, names, name=name, functions=functions)


def _transposed_reading(text: str, names: dict, expected):
    """When a product's shapes do not match and one matrix transposed fixes it (``A w`` for
    ``A^T w``): (that matrix's name, its shape, the answer read with it transposed), else None."""
    import re

    from symxai.grade.equivalence import shape_of

    for key, obj in names.items():
        if not (getattr(obj, "is_MatrixExpr", False) or getattr(obj, "is_Matrix", False)) or \
                obj.shape[0] == obj.shape[1] or not re.search(rf"(?<![A-Za-z0-9_\\]){re.escape(key)}(?![A-Za-z0-9_])", text):
            continue
        try:
            value = read_answer(text, {**names, key: obj.T})
        except ExpressionError:
            continue
        if shape_of(value) == shape_of(expected) or {shape_of(value), shape_of(expected)} <= {(), (1, 1)}:
            return key, obj.shape, value
    return None


def parse_conditions(assume, names) -> list:
    from symxai.expr.exprparse import parse_condition

    conditions = []
    for text in assume:
        try:
            conditions.append(parse_condition(text, names))
        except ExpressionError as exc:
            raise UsageError(f"cannot read --assume {text[:80]!r}: {exc}") from None
    return conditions


class _TaskContext:
    """The engine's side of one task, computed once and only as far as needed."""

    def __init__(self, task):
        self.task = task
        self.stateful = False  # whether computing a piece changed the problem's state (answercache)
        self.solution = self._watched(task.method.solve, task.problem)
        self._intermediates = self._catalogue = self._siblings = self._movable = None
        self._verdicts: dict = {}  # {answer: [{"seed", "how", "tree"}]}: right verdicts of answers checked alone (answercache)

    def _watched(self, fn, *args):
        """``fn(*args)``, noting whether it changed the problem's visible state (a sampler's counter):
        a check that skips the computation (a cache hit) would then sample differently."""
        before = problem_state(self.task.problem)
        out = fn(*args)
        if before is None or problem_state(self.task.problem) != before:
            self.stateful = True
        return out

    @property
    def intermediates(self) -> dict:
        if self._intermediates is None:
            from symxai.misconceptions import intermediates
            self._intermediates = self._watched(intermediates, self.task.method, self.task.problem, self.solution)
        return self._intermediates

    @property
    def catalogue(self) -> list:
        if self._catalogue is None:
            from symxai.misconceptions import catalogue
            self._catalogue = self._watched(catalogue, self.task.method, self.task.problem, self.solution)
        return self._catalogue

    def answer_value(self, name):
        return self.solution.answers[name].value

    def answer_tolerance(self, name):
        answer = self.solution.answers.get(name)
        return None if answer is None else answer.tolerance

    def expected(self, name):
        if name in self.task.answers:
            return self.answer_value(name)
        return self.intermediates[name][0]

    def tolerance(self, name):
        """The engine's own tolerance for a numerically computed answer, else the exercise's stated one
        (``tolerance:`` of the part or exercise), else None: exact comparison."""
        tolerance = self.answer_tolerance(name)
        if tolerance is not None:
            return tolerance
        return setting(self.task, "tolerance")

    def others(self, name, symbolic: bool) -> dict:
        """Other quantities of the exercise a wrong answer may have been confused with."""
        out = {n: self.answer_value(n) for n in self.task.answers if n != name}
        if symbolic:
            out.update((n, v) for n, (v, _) in self.intermediates.items() if n != name)
        out.update(self.siblings)
        return out

    @property
    def siblings(self) -> dict:
        """The answers of the exercise's other parts, as "R_1 of lrp-max.B"."""
        if self._siblings is None:
            self._siblings = self._watched(self._solve_siblings)
        return self._siblings

    def _solve_siblings(self) -> dict:
        out = {}
        for sibling in self.task.sheet.tasks:
            if sibling.exercise is self.task.exercise and sibling is not self.task:
                solved = sibling.method.solve(sibling.problem)
                out.update((f"{n} of {sibling.key}", solved.answers[n].value) for n in sibling.answers)
        return out

    @property
    def movable(self) -> set:
        """The symbols probe points may move: those the method samples from the declared domain."""
        if self._movable is None:
            from symxai.grade.probes import free_to_move
            self._movable = free_to_move(self.task.method, self.task.problem, self.task.symbols)
        return self._movable

    def right_verdict(self, name, seed, value):
        """The verdict of the tree ``value`` for ``name`` checked alone, when known (a cache entry)."""
        return None

    def note_right(self, name, seed, verdict: Verdict, value) -> None:
        """Keep a right verdict of the tree ``value`` checked alone (``_alone``) for the cache: it is a
        function of the spec text, symxai's code, SymPy, the seed and that tree, which key it."""
        if verdict.status == "right" and isinstance(verdict.how, str) and not verdict.counterexample and \
                verdict.given_value is None and verdict.expected_value is None and verdict.difference is None:
            from symxai.grade.answercache import MAX_VERDICTS, tree_digest

            new = {"seed": int(seed), "how": str(verdict.how), "tree": tree_digest(value)}
            kept = [v for v in self._verdicts.get(str(name), []) if (v["tree"], v["seed"]) != (new["tree"], new["seed"])]
            kept.append(new)
            self._verdicts[str(name)] = kept[-MAX_VERDICTS:]

    def warm(self, parsed=()) -> None:
        """Compute what every diagnosis needs once, before each answer is diagnosed in its own child
        process (which would otherwise recompute it, and spend its time budget on it).  ``parsed``:
        the answers given (a cached context needs them to know whether a law applies)."""
        _ = self.catalogue, self.siblings, self.intermediates


def problem_state(problem) -> str | None:
    """The visible state of a problem: a dataclass's repr (its lazily filled caches are repr=False);
    None when it cannot be told."""
    import dataclasses

    if not dataclasses.is_dataclass(problem):
        return None
    try:
        return repr(problem)
    except Exception:  # noqa: BLE001
        return None


def setting(task, key):
    """A grading setting of the spec (``tolerance``, ``reveal``): the part's, else the exercise's, else None."""
    value = (task.part or {}).get(key, task.exercise.get(key))
    if key == "tolerance" and value is not None:
        from symxai.expr.exprparse import parse
        try:
            value = float(parse(str(value), {}))
        except (ExpressionError, TypeError, ValueError):
            raise UsageError(f"{task.key}: tolerance must be a number, not {str(value)[:40]!r}") from None
        if not 0 <= value < 1:
            raise UsageError(f"{task.key}: tolerance must be a relative error in [0, 1), not {value:g}")
    return value


def _known_names(ctx: _TaskContext, name: str) -> bool:
    return name in ctx.task.answers or name in ctx.intermediates


def _general_names(ctx, name, names) -> dict:
    """The scope for typing answer ``name``: when the answer is a general formula (phi_i = w_i x_i,
    w_k = 2(mu_c - mu_k), in any dimension), the entries and vectors it names replace the spec's
    instance meaning of those names (the bold x of a d = 3 instance), so that the formula the sheet
    prints can be typed back; any other answer keeps ``names``."""
    from symxai.expr.numeval import free_parameters

    if name not in ctx.task.answers:
        return names
    own = {str(s): s for s in free_parameters(ctx.answer_value(name))}
    if all(n in names and names[n] == s for n, s in own.items()):
        return names
    return {**names, **own}


def check_task(task, given: dict[str, str], conditions=(), *, assume=(), seed: int = 0,
               strict: bool = True, feedback: bool | None = None, narrow=(), reveal: bool | None = None,
               ctx: _TaskContext | None = None) -> CheckReport:
    """Check ``given`` ({name: text}) for a loaded task.  With ``strict``, an unreadable
    answer raises UsageError; otherwise it is reported with status "unreadable".

    ``conditions`` decide the verdict (``symxai check --assume``: the student checks one case);
    ``narrow`` are a student's assumptions that only narrow the feedback (``check-sheet``: a wrong
    answer that is right in the assumed case is told so, and earns nothing).  ``reveal``: whether
    a counterexample shows the correct value (default: the spec's ``reveal``, else yes).  ``ctx``: the
    engine's side when already known (``symxai.grade.answercache``), else it is solved here."""
    if reveal is None:
        reveal = setting(task, "reveal") is not False
    ctx = ctx or _TaskContext(task)
    report = CheckReport(str(task.sheet.path), task.key, list(assume))
    from symxai.expr.answertext import answer_scope, box_names, shown

    names, functions = answer_scope(task)
    names.update(box_names({n: ctx.answer_value(n) for n in task.answers}, names))
    parsed, preset = {}, {}
    for name, text in given.items():
        if not _known_names(ctx, name):
            extra = sorted(ctx.intermediates)
            hint = f"; intermediate quantities: {', '.join(extra[:12])}{', ...' if len(extra) > 12 else ''}" if extra else ""
            raise UsageError(f"{task.key} has no answer '{name}' (its answers: {', '.join(task.answers)}{hint})")
        try:
            parsed[name] = read_answer(text, _general_names(ctx, name, names), name=name, functions=functions)
        except ExpressionError as exc:
            fixed = _transposed_reading(text, names, ctx.expected(name)) if "shape" in exc.message else None
            if fixed is not None:  # a missing transpose is a wrong answer with a hint, not unreadable text
                key, (rows, cols), _ = fixed
                preset[name] = Diagnosis("transpose", f"{key} is {rows}×{cols}: did you mean "
                                         f"{_with_transpose(text, key)}?")
                preset[name].message = preset[name].message.replace("**", "^")
                continue
            if strict:
                raise UsageError(f"cannot read the answer {name}={text[:80]!r}: {exc}") from None
            report.verdicts.append(AnswerVerdict(name, text, "unreadable", f"{name}: cannot read: {exc.message}"))

    def sample(rng):
        return task.method.sample(task.problem, task.symbols, rng)

    for name, diagnosis in preset.items():
        report.verdicts.append(AnswerVerdict(
            name, given[name], "wrong", f"{name}: wrong: the shapes of the product do not fit",
            Verdict("wrong", "shape"), [diagnosis], intermediate=name not in task.answers))
    alone = _alone(ctx, given, parsed, preset, conditions)
    known = ctx.right_verdict(alone, seed, parsed[alone]) if alone is not None else None
    decided = {alone: known} if known is not None else decide_all(ctx, parsed, conditions, sample, seed)
    if alone is not None and known is None:
        ctx.note_right(alone, seed, decided[alone], parsed[alone])
    for name, value in parsed.items():
        verdict = decided[name]
        report.verdicts.append(AnswerVerdict(name, given[name], verdict.status,
                                             _message(name, verdict, shown(value), reveal), verdict,
                                             intermediate=name not in task.answers, read=shown(value),
                                             read_latex=shown(value, latex=True)))
    order = list(given)
    report.verdicts.sort(key=lambda v: order.index(v.name))
    if DIAGNOSE if feedback is None else feedback:
        _add_feedback(ctx, report, parsed, conditions, sample, seed)
    if narrow:
        _assumed_case(ctx, report, parsed, tuple(conditions) + tuple(narrow), sample, seed)
    return report


def _alone(ctx, given, parsed, preset, conditions):
    """The name of the one answer of a check that gives only it, read, without assumptions; else None.
    Its verdict is then the same on every run for the same tree and seed (the problem is freshly
    built, solving it moves no sampler: ``_TaskContext.stateful``), and a right one is kept in the
    check cache keyed by the tree (``answercache.tree_digest``); nothing after a right verdict draws
    from the sampler."""
    if conditions or preset or len(given) != 1 or len(parsed) != 1:
        return None
    ((name, value),) = parsed.items()
    return name if name in ctx.task.answers else None


def _assumed_case(ctx, report, parsed, conditions, sample, seed) -> None:
    """Tell a student whose answer is right only in the case they assumed (no points for it)."""
    for v in report.verdicts:
        if v.status == "right" or v.name not in parsed:
            continue
        verdict = decide_one(ctx, v.name, parsed[v.name], conditions, sample, seed)
        if verdict.status == "right":
            v.diagnoses.insert(0, Diagnosis("assumed-case", "right in the case you assumed, but the exercise "
                                            "asks for every case: assumptions come from the exercise, not "
                                            "from the answers file"))
            del v.diagnoses[2:]


def _with_transpose(text: str, key: str) -> str:
    import re
    return re.sub(rf"(?<![A-Za-z0-9_\\]){re.escape(key)}(?![A-Za-z0-9_])", f"{key}^T", " ".join(text.split()))


def _by_property(method, problem, name, value):
    return method.accepts(problem, name, value)


def _has_property_check(method) -> bool:
    """Whether ``method`` overrides ``Method.accepts`` (no child process is started for those that do not)."""
    from symxai.methods.base import Method

    return getattr(type(method), "accepts", Method.accepts) is not Method.accepts


def _numpy_here() -> None:
    """Import numpy in this process before forking a child that samples or diagnoses: children inherit
    it, where each would otherwise import it again (``symxai.lazy``: nothing imports it before)."""
    import numpy  # noqa: F401


def _rationals_apart(expected, given) -> bool:
    """Two different rational numbers (or explicit matrices of them of one shape): their difference is a
    nonzero rational, which ``compare``'s exact step never calls 0, so its child would only cost a fork."""
    if getattr(expected, "is_Matrix", False) and getattr(given, "is_Matrix", False):
        pairs = list(zip(expected, given)) if expected.shape == given.shape else []
    else:
        pairs = [(expected, given)]
    return bool(pairs) and all(getattr(e, "is_Rational", False) is True and getattr(g, "is_Rational", False) is True
                               for e, g in pairs) and any(e != g for e, g in pairs)


def _settled(ctx, name, value, conditions) -> Verdict | None:
    """The verdict of an answer that is exactly the engine's tree (``equivalence.settled_exactly``),
    found here without a child process, the sampler or numpy; None: ``compare`` decides.  Asked only
    where ``compare`` would be next (after a method's property check, which comes first), and not where
    the sampler counts its draws (``Method.sampler_counts_draws``: skipping ``ctx.movable``'s draw
    would move every later one)."""
    if ctx.task.method.sampler_counts_draws(ctx.task.problem):
        return None
    return settled_exactly(ctx.expected(name), value, conditions, ctx.tolerance(name))


def decide_one(ctx, name, value, conditions, sample, seed) -> Verdict:
    """The verdict for one parsed answer, decided in a child process under the last guard.  An answer
    that is exactly the engine's tree is settled here (:func:`_settled`); one without symbols goes first
    to a child that runs only ``compare``'s exact step and imports no numpy (``grading.exact_verdict``)."""
    expected = ctx.expected(name)
    if name in ctx.task.answers and _has_property_check(ctx.task.method):
        try:  # (the property checks are exact SymPy: numpy is not imported for them)
            judged = isolated(_by_property, GUARD, ctx.task.method, ctx.task.problem, name, value)
        except (OutOfTime, RuntimeError):
            judged = None
        if judged is not None:
            ok, why = judged
            return Verdict("right", "has the property the exercise asks for") if ok else Verdict("wrong", why)
    settled = _settled(ctx, name, value, conditions)
    if settled is not None:  # nor is ctx.movable computed: the sampler keeps no count of its draws here
        return settled
    if not conditions and not ctx.task.method.sampler_counts_draws(ctx.task.problem) and constants(expected, value) \
            and not _rationals_apart(expected, value):
        try:  # compare's exact step alone, in a child that imports no numpy (a right 1 - 1/3, (1-e)/(1+e))
            exact = isolated(exact_verdict, GUARD, expected, value, ctx.tolerance(name))
        except OutOfTime:  # compare would spend the same time in the same step
            return Verdict("too-long", f"no result within {GUARD:g} s: simplify the answer and try again")
        except RuntimeError:
            exact = None
        if exact is not None:
            return exact
    _numpy_here()
    try:  # a child process: an expression that hogs the interpreter is stopped too
        return isolated(compare, GUARD, expected, value, ctx.task.symbols, conditions, sample=sample,
                        seed=seed, tolerance=ctx.tolerance(name), movable=ctx.movable)
    except OutOfTime:
        return Verdict("too-long", f"no result within {GUARD:g} s: simplify the answer and try again")
    except RuntimeError as exc:
        return Verdict("undecided", f"the answer cannot be evaluated ({exc})")


def _compare_each(ctx, parsed, conditions, sample, seed) -> list:
    out = []  # in the order of ``parsed`` (its keys may be located YAML text, not plain data)
    for name, value in parsed.items():
        try:
            out.append(compare(ctx.expected(name), value, ctx.task.symbols, conditions, sample=sample, seed=seed,
                                tolerance=ctx.tolerance(name), movable=ctx.movable))
        except Exception:  # noqa: BLE001 - decided again on its own, where its error means what it always did
            out.append(None)
    return out


def decide_all(ctx, parsed: dict, conditions, sample, seed) -> dict:
    """Verdicts for every parsed answer: one child process for all of them (a fork costs tens of
    milliseconds, which a web worker pays per check).  An answer the batch could not decide (an
    error, a runaway that hit the guard, an aborted child) is decided again on its own by
    :func:`decide_one`, so its verdict is exactly the one-answer verdict; so are all answers of a
    method with a property check."""
    if len(parsed) < 2 or _has_property_check(ctx.task.method):
        return {name: decide_one(ctx, name, value, conditions, sample, seed) for name, value in parsed.items()}
    settled = {name: _settled(ctx, name, value, conditions) for name, value in parsed.items()}
    rest = {name: value for name, value in parsed.items() if settled[name] is None}  # the batch as before
    if rest:
        _numpy_here()
    try:
        batch = dict(zip(rest, isolated(_compare_each, GUARD, ctx, rest, conditions, sample, seed))) if rest else {}
    except (OutOfTime, RuntimeError):
        batch = {}
    return {name: settled[name] or batch.get(name) or decide_one(ctx, name, value, conditions, sample, seed)
            for name, value in parsed.items()}


def _diagnose_one(ctx, name, given, conditions, sample, seed) -> list:
    from symxai.grade.feedback import diagnose
    from symxai.misconceptions import Misconception
    from symxai.expr.numeval import free_parameters

    expected = ctx.expected(name)
    interior = getattr(ctx.task.method, "interior_sample", None)
    if interior is not None:  # a mistake is named by where it matters, not by what it says on a kink
        def sample(rng):
            return interior(ctx.task.problem, ctx.task.symbols, rng)
    table = [(r.label, r.message, r.values[name]) for r in ctx.catalogue
             if isinstance(r, Misconception) and name in r.values]
    return diagnose(expected, given, ctx.task.symbols, conditions, name=name,
                    others=ctx.others(name, bool(free_parameters(expected))), catalogue=table,
                    sample=sample, seed=seed)


def _feedback_of(ctx, wrong, parsed, conditions, sample, seed) -> tuple[list, list]:
    """In one child: the diagnoses of every wrong answer and the laws the answers break.

    One child for the whole search (not one per answer): feedback is a bonus bounded by work, and a
    fork costs tens of milliseconds, which a web worker pays per check.
    """
    from symxai.misconceptions import Law

    diagnoses = [_diagnose_one(ctx, name, parsed[name], conditions, sample, seed) for name in wrong]
    broken = []
    for law in (r for r in ctx.catalogue if isinstance(r, Law)):
        if all(n in parsed for n in law.names):
            residual = law.residual({n: parsed[n] for n in law.names})
            if compare(residual, 0, ctx.task.symbols, conditions, sample=sample, seed=seed).status == "wrong":
                broken.append((str(law.label), str(law.message)))  # plain text: a catalogue's may be located YAML
    return diagnoses, broken


def _add_feedback(ctx, report, parsed, conditions, sample, seed) -> None:
    wrong = [v for v in report.verdicts if v.status == "wrong"]
    if not wrong:
        return
    ctx.warm(parsed)  # the engine's side, computed once here: the same for every answer and every machine
    _numpy_here()
    names = [v.name for v in wrong if v.name in parsed]  # the others carry a preset diagnosis (a missing transpose)
    try:  # a diagnosis search bounded by work; the guard only stops a runaway
        found, broken = isolated(_feedback_of, GUARD, ctx, names, parsed, conditions, sample, seed)
        diagnoses = dict(zip(names, found))  # names stay in this process: they may be located YAML text
    except (OutOfTime, RuntimeError):
        diagnoses, broken = {}, []
    for v in wrong:
        if v.name in parsed:
            v.diagnoses = diagnoses.get(v.name, [])
    counts = Counter(d.label for v in wrong for d in v.diagnoses)
    for v in wrong:  # a misconception that explains several answers is the likelier one
        v.diagnoses = rank(v.diagnoses, counts)
    report.notes.extend(Diagnosis(label, message) for label, message in broken)


def check(path, target: str, given: dict[str, str], assume=(), *, seed: int = 0,
          cache: bool | None = None) -> CheckReport:
    """Check ``given`` answers ({name: text}) for ``target`` (EXERCISE or EXERCISE.PART).

    ``cache`` (default: on unless ``SYMXAI_NO_CHECK_CACHE=1``): keep the solved exercise between runs
    (``symxai.grade.answercache``); the report is the same with and without it."""
    from pathlib import Path

    from symxai.grade import answercache
    from symxai.specs.spec import load_sheet, loads_sheet

    use = answercache.enabled() if cache is None else cache
    text = None
    if use:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass  # load_sheet reports it
    # only this exercise is built and solved; an entry for this very text (an authentic one: only a
    # check whose build found no problem writes one) lets the build skip checks that only find problems
    entry = answercache.load(text, target) if text is not None else None
    order = answercache.order(entry)  # a hit builds the exercise only when something needs it
    sheet = load_sheet(path, only=target) if text is None else loads_sheet(
        text, str(Path(path)), target, known_valid=entry is not None, lazy={target: order} if order else None)
    task = sheet.task(target)
    if not given:
        raise UsageError(f"give at least one answer as NAME=EXPR (answers of {task.key}: {', '.join(task.answers)})")
    conditions = parse_conditions(assume, task.symbols.names())
    if text is None:
        return check_task(task, given, conditions, assume=assume, seed=seed)
    ctx = answercache.context(text, task, entry if task.key == target else None) or _TaskContext(task)
    report = check_task(task, given, conditions, assume=assume, seed=seed, ctx=ctx)
    if getattr(ctx, "_full", None) is not None and ctx._full.stateful:  # a hit that had to solve, which moved
        return check(path, target, given, assume, seed=seed, cache=False)  # the sampler: the miss's report
    try:
        answercache.remember(text, task, ctx)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache; the report stands
        pass
    return report
