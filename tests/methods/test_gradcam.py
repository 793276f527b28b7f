"""GradCAM: the symbolic gradient against finite differences, the heat maps, and verification that bites."""

from pathlib import Path

import numpy as np
import sympy

from symxai.reference.gradcam import class_score, fd_gradient, softmax
from symxai.specs.spec import load_sheet
from symxai.solve.verify import verify

SPEC = Path(__file__).resolve().parents[2] / "problems" / "yale-hw1.yaml"
E = sympy.E


def solved(key):
    task = load_sheet(SPEC).task(key)
    return task, task.method.solve(task.problem)


def test_gradient_agrees_with_finite_differences_and_the_formula():
    task, sol = solved("gradcam.a")
    p = task.problem
    W = np.array(p.W, dtype=float)
    maps = np.array([np.array(A, dtype=float) for A in p.maps])
    engine = np.array(sol.answers["dyc_dz"].value, dtype=float).ravel()
    fd = fd_gradient(class_score(W, np.zeros(3), 0), maps).ravel()
    assert np.max(np.abs(engine - fd)) < 1e-8
    y = softmax(W @ maps.ravel())
    assert np.allclose(engine, y[0] * (W[0] - y @ W))  # y_c (W_c - sum_j y_j W_j)
    assert verify(task, sol).passed


def test_heat_map_weights_sum_to_one():
    task, sol = solved("gradcam.b")
    alpha = sol.answers["alpha"].value
    assert sympy.simplify(alpha[0] + alpha[1]) == 1
    assert sympy.simplify(alpha[0] - 2 * E / (1 + E)) == 0
    L = sol.answers["L"].value
    assert L[0, 1] == 0 and L[1, 0] == 0  # the ReLU removes the map with negative weight
    assert verify(task, sol).passed


def test_video_frame_heat_map():
    task, sol = solved("gradcam.c")
    L = np.array(sol.answers["L_t"].value, dtype=float)
    half = np.exp(0.5)
    assert np.allclose(L, [[2 * half / (1 + half)] * 2, [0, 0]])
    assert verify(task, sol).passed


def test_injected_wrong_answers_fail():
    task, sol = solved("gradcam.a")
    g = sol.answers["dyc_dz"].value
    sol.answers["dyc_dz"].value = -g  # a sign slip in the softmax derivative
    assert [c.answer for c in verify(task, sol).failures()] == ["dyc_dz"]
    task, sol = solved("gradcam.b")
    alpha = sol.answers["alpha"].value
    sol.answers["alpha"].value = alpha / 4  # the mean normaliser instead of sum-to-one
    sol.answers["L"].value = sympy.ImmutableMatrix([[1, 0], [0, 1]])  # ReLU of the unweighted sum
    assert {c.answer for c in verify(task, sol).failures()} == {"alpha", "L"}


def test_mean_normaliser_and_concatenated_frames():
    text = SPEC.read_text().replace("normalise: sum-to-one", "normalise: mean")
    from symxai.specs.spec import loads_sheet
    task = loads_sheet(text, str(SPEC)).task("gradcam.b")
    sol = task.method.solve(task.problem)
    assert verify(task, sol).passed
    text = SPEC.read_text().replace("frame_model: averaged", "frame_model: concatenated").replace(
        "      W: [[1, 0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1, 0, 0], [0, 1, 1, 0, 0, 0, 0, -1]]",
        "      W: [[1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],"
        " [0, 1, 1, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 1, 0, 0]]")
    task = loads_sheet(_only_video(text), str(SPEC)).task("gradcam.c")
    sol = task.method.solve(task.problem)
    assert verify(task, sol).passed


def _only_video(text):
    """The spec with parts a and b dropped (their head does not fit concatenated frames)."""
    start, end = text.index("      - id: a\n"), text.index("      - id: c\n")
    return text[:start] + text[end:]


def test_general_gradient_in_the_answer_box_verified_for_random_heads():
    from symxai.methods.saliency import gradcam_general as general
    from symxai.solve.model import Solution
    from symxai.solve.verify import verify
    from symxai.specs.spec import load_sheet
    task = load_sheet("problems/yale-hw1.yaml").task("gradcam.a")
    sol = task.method.solve(task.problem)
    assert task.answers[0] == "dyc_dz_general"
    assert verify(task, sol).passed
    wrong = Solution(sol.steps, dict(sol.answers))
    wrong.answer("dyc_dz_general", general.Y_C * general.W.T * general.E)  # no - y term
    assert not verify(task, wrong).passed
