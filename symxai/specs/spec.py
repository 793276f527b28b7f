"""Exercise specs: the sheet schema, loading, and instantiation into tasks.

A sheet holds exercises; an exercise names a method with parameters and may
have parts whose parameters override the exercise's (a variant is an
override).  Loading reports every problem of a file at once.

>>> sheet = load_sheet("problems/tub-ml-sheet14.yaml")
>>> sheet.task("shapley").answers
['phi_1', 'phi_2', 'phi_3']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy

from symxai import methods
from symxai.specs.constraints import CONSTRAINT
from symxai.errors import Location, Problem, SpecError, UsageError
from symxai.methods.base import BuildContext, Method
from symxai.specs.schema import AnyOf, Anything, Bool, Choice, Expr, Field, Int, ListOf, MapOf, Name, Record, Text, usable
from symxai.specs.generators import GENERATOR
from symxai.specs.limits import MAX_DIMENSION, MAX_POINTS
from symxai.specs.symbols import ASSUMPTIONS, SymbolDecl, SymbolTable, declaration_problems
from symxai.typeset.texguard import check_spec_texts
from symxai.specs.yamlload import Map, loads_partial

_ASSUME = ListOf(Choice(*ASSUMPTIONS))
_NUMBERS = Choice("fractions", "decimals")
_NUMBERS_DOC = ("how the solution prints exact numbers: fractions (3/20), or decimals (0.15) for every "
                "fraction with a finite decimal expansion of at most 6 places, as a source that writes decimals")
SYMBOL = AnyOf(
    Choice(*ASSUMPTIONS),
    _ASSUME,
    Record({
        "shape": Field(ListOf(AnyOf(Int(minimum=1, maximum=MAX_DIMENSION), Name(),
                                    expected=f"a size 1..{MAX_DIMENSION} or a dimension name"), 1, 2),
                       doc="[n] for a vector, [n, m] for a matrix; n, m numbers or declared names"),
        "assume": Field(_ASSUME, doc="assumptions: " + ", ".join(ASSUMPTIONS)),
        "range": Field(ListOf(Expr(), 2, 2), doc="interval [lo, hi] for random values in verification"),
        "description": Field(Text()),
    }),
    expected="an assumption, a list of assumptions, or a mapping with shape/assume",
)

PART = Record({
    "id": Field(Name(ident=True), required=True, doc="part id, used as EXERCISE.PART"),
    "title": Field(Text()),
    "points": Field(Int(minimum=0, maximum=MAX_POINTS)),
    "statement": Field(Text(), doc="what this part asks, LaTeX allowed"),
    "params": Field(MapOf(Anything()),
                    doc="overrides of the exercise's method parameters"),
    "method": Field(Name(ident=True), doc="a method of this part's own (e.g. reasoned for a discussion "
                                          "question); its params are then the part's alone"),
    "answers": Field(ListOf(Name(), 1)),
    "discussion": Field(Text(), doc="reasoned text appended to this part's solution"),
    "tolerance": Field(Expr(), doc="relative tolerance for this part's answers (default: exact comparison)"),
    "reveal": Field(Bool(), doc="check-sheet may show the correct value at a counterexample (default false)"),
    "figure": Field(Bool(), doc="show the method's figure (an LRP network) on the exercise sheet (default: as the exercise)"),
    "numbers": Field(_NUMBERS, doc=_NUMBERS_DOC + " (default: as the exercise)"),
    "names": Field(MapOf(Anything()), doc="names a typed answer may use besides the symbols: "
                   "quantities of the statement (eta: 3/sqrt(d)), vectors ([x1, x2, x3]), {function: logistic}"),
})

RANDOM = Record({
    "generate": Field(MapOf(GENERATOR), required=True, doc="named generators of random values"),
    "params": Field(MapOf(Anything()), doc="overrides of params in a variant; $name is a generated value"),
    "parts": Field(MapOf(Record({"params": Field(MapOf(Anything())), "statement": Field(Text())}), key=Name(ident=True)),
                   doc="per part id: overrides of its params and statement in a variant"),
    "statement": Field(Text(), doc="the statement of a variant; [[name]] prints a generated value"),
    "constraints": Field(ListOf(CONSTRAINT, 1), doc="conditions every accepted variant meets"),
    "tries": Field(Int(minimum=1), doc="candidates to try before giving up (default 20 per variant, at least 50)"),
}, doc="random variants (symxai variants); the fixed params stay the default instance")

EXERCISE = Record({
    "id": Field(Name(ident=True), required=True),
    "title": Field(Text(), required=True),
    "points": Field(Int(minimum=0, maximum=MAX_POINTS)),
    "statement": Field(Text(), required=True, doc="the exercise in prose, LaTeX math allowed"),
    "method": Field(Name(ident=True), required=True, doc="one of: symxai methods"),
    "symbols": Field(MapOf(SYMBOL), doc="every name the expressions use"),
    "params": Field(MapOf(Anything()),
                    doc="the method's parameters"),
    "answers": Field(ListOf(Name(), 1), doc="the answer names asked for (default: all the method gives)"),
    "discussion": Field(Text(), doc="reasoned text appended to the solution"),
    "tolerance": Field(Expr(), doc="relative tolerance when checking answers, e.g. 1e-3 for numbers read off "
                       "a table (default: exact comparison wherever the answer is exact)"),
    "reveal": Field(Bool(), doc="check-sheet may show the correct value at a counterexample (default false; "
                    "symxai check shows it unless this is false)"),
    "figure": Field(Bool(), doc="show the method's figure (an LRP network) on the exercise sheet (default true)"),
    "numbers": Field(_NUMBERS, doc=_NUMBERS_DOC + " (default: as the sheet)"),
    "parts": Field(ListOf(PART, 1)),
    "names": Field(MapOf(Anything()), doc="names a typed answer may use besides the symbols: "
                   "quantities of the statement (eta: 3/sqrt(d)), vectors ([x1, x2, x3]), {function: logistic}"),
    "random": Field(RANDOM, doc="how to draw variants of this exercise (see docs/variants.md)"),
})

SHEET = Record({
    "id": Field(Name(ident=True), required=True, doc="output folder name"),
    "title": Field(Text(), required=True),
    "course": Field(Text()),
    "source": Field(Text(), doc="where the facts come from"),
    "numbers": Field(_NUMBERS, doc=_NUMBERS_DOC + " (default fractions)"),
    "exercises": Field(ListOf(EXERCISE, 1), required=True),
}, doc="A symxai exercise sheet")


@dataclass
class Task:
    """One exercise, or one part of it: the unit that is solved, verified and checked."""

    sheet: "Sheet"
    exercise: Map
    part: Map | None
    method: Method
    symbols: SymbolTable
    problem: Any
    answers: list[str]
    loc: Location

    @property
    def key(self) -> str:
        return self.exercise["id"] + (f".{self.part['id']}" if self.part is not None else "")

    @property
    def statement(self) -> str:
        return (self.part or {}).get("statement", "")

    @property
    def discussion(self) -> str:
        return (self.part or {}).get("discussion") or (self.exercise.get("discussion") if self.part is None else "")

    @property
    def numbers(self) -> str:
        """How the solution prints exact numbers, "fractions" or "decimals": the part's setting, else
        the exercise's, else the sheet's."""
        for level in (self.part or {}, self.exercise, self.sheet.data):
            if "numbers" in level:
                return level["numbers"]
        return "fractions"


class LazyTask(Task):
    """A task of a check-cache hit (``loads_sheet(..., lazy=...)``): its problem is built on first use.

    A check of the engine's own tree (the cached right verdict) never needs the built problem; any
    other use builds it exactly as the eager loader would (the same parameters, after the problems of
    the exercise's earlier parts)."""

    def __init__(self, sheet, exercise, part, method, symbols, build, asked, loc):
        self.sheet, self.exercise, self.part, self.method, self.symbols, self.loc = \
            sheet, exercise, part, method, symbols, loc
        self._build, self._asked = build, asked  # asked: the answer names, or None (the method's)
        self._problem = self._answers = None
        self._built = False

    @property
    def problem(self):
        if not self._built:
            self._problem, self._built = self._build(), True
        return self._problem

    @problem.setter
    def problem(self, value):
        self._problem, self._built = value, True

    @property
    def answers(self) -> list[str]:
        if self._answers is None:
            self._answers = list(self._asked or self.method.answer_names(self.problem))
        return self._answers

    @answers.setter
    def answers(self, value):
        self._answers = list(value)


@dataclass
class Sheet:
    path: Path
    data: Map
    tasks: list[Task] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.data["id"]

    def exercises(self) -> list[tuple[Map, list[Task]]]:
        """Exercises in order, each with its tasks (one, or one per part)."""
        out: list[tuple[Map, list[Task]]] = []
        for task in self.tasks:
            if not out or out[-1][0] is not task.exercise:
                out.append((task.exercise, []))
            out[-1][1].append(task)
        return out

    def task(self, target: str) -> Task:
        """The task named ``EXERCISE`` or ``EXERCISE.PART``; UsageError listing the names otherwise."""
        for t in self.tasks:
            if t.key == target:
                return t
        matches = [t for t in self.tasks if t.exercise["id"] == target]
        known = ", ".join(t.key for t in self.tasks)
        if matches:
            raise UsageError(f"exercise '{target}' has parts; name one of: "
                             + ", ".join(t.key for t in matches))
        raise UsageError(f"{self.path}: no exercise '{target}' (known: {known})")


def _decl(name: str, value, loc: Location, problems: list[Problem]) -> SymbolDecl:
    """The declaration of ``name``; after a located problem (shape, range, assumptions) a plain stand-in."""
    if isinstance(value, (str, list)):
        decl = SymbolDecl(name, (), frozenset({"real", *([value] if isinstance(value, str) else value)}), loc)
        found = [Problem(getattr(value, "loc", loc), m) for _, m in declaration_problems(decl)]
        problems.extend(found)
        return SymbolDecl(name, (), frozenset({"real"}), loc) if found else decl
    shape = tuple(value.get("shape", ()))
    before = len(problems)
    rng = _range(value, problems) if "range" in value else None
    decl = SymbolDecl(name, shape, frozenset({"real", *value.get("assume", [])}), loc, rng)
    for where, message in declaration_problems(decl):
        problems.append(Problem(value.loc_of(where) if where in value else value.loc, message))
    if len(problems) == before:
        return decl
    # A stand-in, so that the name still resolves and later stages report only their own problems.
    usable = 1 <= len(shape) <= 2 and not [w for w, _ in declaration_problems(SymbolDecl(name, shape))]
    return SymbolDecl(name, shape if usable else (), frozenset({"real"}), loc)


def _range(value: Map, problems: list[Problem]) -> tuple | None:
    """A scalar's sampling interval as two finite floats lo < hi, or None after a problem."""
    from symxai.errors import ExpressionError
    from symxai.expr.exprparse import parse

    out = []
    for i, v in enumerate(value["range"]):
        loc = value["range"].loc_of(i)
        try:
            number = sympy.Integer(v) if isinstance(v, int) else parse(str(v), {})
        except ExpressionError as exc:
            problems.append(Problem(loc, f"range: {exc.message} in {str(v)[:40]!r}; expected a finite number"))
            return None
        if not (number.is_number and number.is_real and number.is_finite):
            problems.append(Problem(loc, f"range: expected a finite real number, got {str(v)[:40]!r}"))
            return None
        out.append(float(number))
    lo, hi = out
    if not lo < hi:
        problems.append(Problem(value.loc_of("range"), f"range [{lo:g}, {hi:g}] is empty or reversed: write [lo, hi] with lo < hi"))
        return None
    return lo, hi


def _symbols(ex: Map, ctx_problems: list[Problem], lines: list[str]) -> SymbolTable:
    decls = []
    spec = ex.get("symbols") or Map()
    for name, value in spec.items():
        found: list[Problem] = []
        SYMBOL.check(value, found, spec.loc_of(name))
        if found:  # reported by the schema stage already; a real scalar stands in
            decls.append(SymbolDecl(name, (), frozenset({"real"}), spec.key_loc(name)))
            continue
        decl = _decl(name, value, spec.key_loc(name), ctx_problems)
        bad = [dim for dim in decl.shape
               if isinstance(dim, str) and (dim not in spec or not isinstance(spec[dim], (str, list)))]
        loc = spec.loc_of(name)
        shown = lines[loc.line - 1] if 0 < loc.line <= len(lines) else ""
        for dim in bad:
            ctx_problems.append(Problem(loc, f"dimension '{dim}' of '{name}' must be a declared scalar", shown))
        for dim in decl.shape:
            if isinstance(dim, str) and dim not in bad:
                assume = {spec[dim]} if isinstance(spec[dim], str) else set(spec[dim])
                if not {"integer", "positive"} <= assume:
                    bad.append(dim)
                    ctx_problems.append(Problem(loc, f"dimension '{dim}' of '{name}' must be declared "
                                                f"[integer, positive] (it is {', '.join(sorted(assume))})", shown))
        decls.append(SymbolDecl(name, (), frozenset({"real"}), decl.loc) if bad else decl)
    return SymbolTable(decls)


def _check_names(task: Task, part, problems: list[Problem], lines: list[str]) -> None:
    """The answer-side ``names`` must read (located at the exercise's or part's ``names``)."""
    from symxai.expr.answertext import answer_scope
    from symxai.errors import ExpressionError

    try:
        answer_scope(task)
    except ExpressionError as exc:
        owner = part if part is not None and "names" in part else task.exercise
        loc = owner.key_loc("names") if "names" in owner else owner.loc
        problems.append(Problem(loc, str(exc.message), lines[loc.line - 1] if 0 < loc.line <= len(lines) else ""))


def _merged(ex: Map, part: Map | None) -> Map:
    out = Map()
    out.loc, out._locs, out._key_locs = ex.key_loc("params") if "params" in ex else ex.loc, {}, {}
    own = part is not None and "method" in part  # a part with a method of its own takes no exercise params
    for src in ((part or {}).get("params"),) if own else (ex.get("params"), (part or {}).get("params")):
        if src:
            for k, v in src.items():
                out[k] = v
                out._locs[k], out._key_locs[k] = src.loc_of(k), src.key_loc(k)
    return out


def load_sheet(path, only: str | None = None) -> Sheet:
    """Read, validate and instantiate a spec file; SpecError lists every problem found.

    With ``only`` (``EXERCISE`` or ``EXERCISE.PART``) the whole file is still read and
    checked against the schema, but only that exercise is instantiated (``check`` needs
    no other); an unknown name instantiates all, so the error can list them.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Problem(Location(str(path)), f"cannot read the file: {exc}")]) from None
    return loads_sheet(text, str(path), only)


def loads_sheet(text: str, file: str = "<string>", only: str | None = None, *, known_valid: bool = False,
                lazy: dict | None = None) -> Sheet:
    """Like ``load_sheet`` for spec text already in memory.  ``known_valid``: this exact text was built
    without problems by this exact code before (``BuildContext.known_valid``; a check-cache hit).
    ``lazy`` (with ``known_valid``; {task key: its answer names}, as a cache entry keeps them): the
    exercise's problems are built on first use (:class:`LazyTask`), those answer names stand for the
    method's."""
    data, first = loads_partial(text, file)  # YAML problems, and every later stage on what did read
    problems: list[Problem] = []
    if not isinstance(data, Map):
        where = getattr(data, "loc", None) or Location(file, 1, 1)
        raise SpecError([_with_line(Problem(where, "expected a mapping with the sheet's keys (id, title, exercises), "
                                            f"got {_shown(data)}"), text.splitlines())])
    SHEET.check(data, problems, data.loc)
    problems.extend(check_spec_texts(data, text, file))  # the LaTeX sandbox (symxai/typeset/texguard.py)
    lines = text.splitlines()
    sheet = Sheet(Path(file), data)
    seen: dict[str, Location] = {}
    exercises = data.get("exercises")
    exercises = exercises if isinstance(exercises, list) else []
    wanted = only.split(".", 1)[0] if only else None
    if wanted is not None and not any(isinstance(ex, Map) and ex.get("id") == wanted for ex in exercises):
        wanted = None
    for ex in exercises:
        own: list[Problem] = []
        EXERCISE.check(ex, own, exercises.loc)
        ex = usable(EXERCISE, ex, {"parts": PART}) if own else ex
        if ex is None:  # reported above; the rest of an exercise with schema problems is still checked
            continue
        if wanted is not None and ex["id"] != wanted:
            continue
        if ex["id"] in seen:
            problems.append(Problem(ex.loc_of("id"), f"exercise id '{ex['id']}' is used twice",
                                    lines[ex.loc_of("id").line - 1]))
        seen[ex["id"]] = ex.loc
        _instantiate(sheet, ex, lines, problems, known_valid, lazy if known_valid else None)
    if problems or first:
        seen_at = {p.location for p in first}  # a value YAML refused is not reported again as null
        raise SpecError(ordered(first + [_with_line(p, lines) for p in problems if p.location not in seen_at]))
    return sheet


def ordered(problems: list[Problem]) -> list[Problem]:
    """Problems without repeats (same place, same message), sorted by file, line and column."""
    seen, out = set(), []
    for p in problems:
        key = (str(p.location.file), p.location.line, p.location.column, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (str(p.location.file), p.location.line, p.location.column))


def _shown(value) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    return repr(str(value)[:40])


def _with_line(problem: Problem, lines: list[str]) -> Problem:
    """The problem with the offending source line attached, if it has none yet."""
    line = problem.location.line
    if problem.source_line or not 0 < line <= len(lines):
        return problem
    return Problem(problem.location, problem.message, lines[line - 1])


def _method_of(owner: Map, lines: list[str], problems: list[Problem]):
    try:
        return methods.get(owner["method"])
    except KeyError:
        loc = owner.loc_of("method")
        problems.append(Problem(loc, f"unknown method '{owner['method']}' (known: {', '.join(methods.names())})",
                                lines[loc.line - 1]))
        return None


def _lazy_build(sheet: Sheet, ex: Map, method, params, symbols, lines: list[str], file: str):
    """The build of one task of a known-valid text, deferred (:class:`LazyTask`): the exercise's earlier
    parts are built first, as the eager loader builds them; a problem then (impossible for a text this
    code built without problems) is raised."""
    earlier = [t for t in sheet.tasks if t.exercise is ex]

    def build():
        found: list[Problem] = []
        ctx = BuildContext(file, symbols, lines, found)
        ctx.earlier = [t.problem for t in earlier]
        ctx.known_valid = True
        problem = method.build(ctx, params)
        if found or problem is None:
            raise SpecError(ordered([_with_line(p, lines) for p in found]) or
                            [Problem(params.loc, f"method '{method.name}' could not use these parameters")])
        return problem

    return build


def _instantiate(sheet: Sheet, ex: Map, lines: list[str], problems: list[Problem], known_valid: bool = False,
                 lazy: dict | None = None) -> None:
    exercise_method = _method_of(ex, lines, problems)
    if exercise_method is None:
        return
    symbols = _symbols(ex, problems, lines)
    for part in ex.get("parts") or [None]:
        method = exercise_method
        if part is not None and "method" in part:
            method = _method_of(part, lines, problems)
            if method is None:
                continue
        params = _merged(ex, part)
        before = len(problems)
        method.params.check(params, problems, params.loc)
        if len(problems) > before:
            problems[before:] = [Problem(p.location, f"params of method '{method.name}': {p.message}", p.source_line)
                                 if p.message.startswith("missing required key") else p for p in problems[before:]]
            continue
        if lazy is not None:  # a check-cache hit: built on first use
            key = ex["id"] + (f".{part['id']}" if part is not None else "")
            asked = lazy.get(key) or (part or {}).get("answers") or ex.get("answers")
            sheet.tasks.append(LazyTask(sheet, ex, part, method, symbols,
                                        _lazy_build(sheet, ex, method, params, symbols, lines, str(sheet.path)),
                                        list(asked) if asked else None, (part or ex).loc))
            continue
        ctx = BuildContext(str(sheet.path), symbols, lines, problems)
        ctx.earlier = [t.problem for t in sheet.tasks if t.exercise is ex]
        ctx.known_valid = known_valid
        problem = method.build(ctx, params)
        if len(problems) > before or problem is None:
            if len(problems) == before:
                ctx.problem(params.loc, f"method '{method.name}' could not use these parameters")
            continue
        names = method.answer_names(problem)
        asked = (part or {}).get("answers") or ex.get("answers") or names
        owner = part if part is not None and "answers" in part else ex
        for i, name in enumerate(asked):
            if name not in names:
                loc = owner["answers"].loc_of(i)
                problems.append(Problem(loc, f"method '{method.name}' gives no answer '{name}' here "
                                        f"(it gives: {', '.join(names)})", lines[loc.line - 1]))
        sheet.tasks.append(Task(sheet, ex, part, method, symbols, problem, list(asked),
                                (part or ex).loc))
        _check_names(sheet.tasks[-1], part, problems, lines)
