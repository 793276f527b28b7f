"""GradCAM options: the logit instead of the softmax probability, the map without the final ReLU, and a located
error when the sum-to-one normaliser Z vanishes."""

from pathlib import Path

import numpy as np
import pytest
import sympy

from symxai.solve.stepcheck import check_steps
from symxai.solve.verify import verify
from symxai.specs.spec import load_sheet, loads_sheet

SPEC = Path(__file__).resolve().parents[1] / "specs" / "gradcam-logit.yaml"
W = np.array([[1, 0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1, 0, 0], [0, 1, 1, 0, 0, 0, 0, -1]], float)
MAPS = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]], float)


def solved(key, text=None):
    sheet = loads_sheet(text, str(SPEC)) if text else load_sheet(SPEC)
    task = sheet.task(key)
    return task, task.method.solve(task.problem)


def torch_weights(output, normalise):
    """alpha by torch autograd: an independent gradient of the head's output w.r.t. the maps."""
    torch = pytest.importorskip("torch")
    A = torch.tensor(MAPS, dtype=torch.float64, requires_grad=True)
    s = torch.tensor(W, dtype=torch.float64) @ A.reshape(-1)
    out = (s if output == "logit" else torch.softmax(s, 0))[2]
    out.backward()
    g = A.grad.sum(dim=(1, 2)).numpy()
    alpha = g / (g.sum() if normalise == "sum-to-one" else 4.0)
    return alpha, np.tensordot(alpha, MAPS, axes=1)


@pytest.mark.parametrize("key,output,normalise", [("gradcam-logit", "logit", "sum-to-one"),
                                                  ("gradcam-probability-signed", "probability", "mean")])
def test_against_torch_autograd(key, output, normalise):
    task, sol = solved(key)
    alpha, signed = torch_weights(output, normalise)
    assert np.allclose([float(v) for v in sol.answers["alpha"].value], alpha, atol=1e-12)
    L = np.array(sol.answers["L"].value, dtype=float)
    assert np.allclose(L, signed, atol=1e-12) and (L < 0).any()  # the sign is kept
    assert verify(task, sol).passed and check_steps(task, sol).passed


def test_logit_values_exact():
    _, sol = solved("gradcam-logit")
    assert list(sol.answers["alpha"].value) == [2, -1]
    assert sol.answers["L"].value == sympy.ImmutableMatrix([[2, -1], [-1, 2]])


def test_injected_wrong_answers_are_caught():
    task, sol = solved("gradcam-logit")
    sol.answers["L"].value = sympy.ImmutableMatrix([[2, 0], [0, 2]])  # the ReLU applied after all
    assert [c.answer for c in verify(task, sol).failures()] == ["L"]
    task, sol = solved("gradcam-probability-signed")
    sol.answers["alpha"].value = sympy.ImmutableMatrix([1, -1])  # the logit's sums, not the probability's
    assert [c.answer for c in verify(task, sol).failures()] == ["alpha"]


def test_defaults_are_the_probability_and_the_relu():
    text = SPEC.read_text().replace("      output: logit\n      relu: false\n", "", 1)
    task, sol = solved("gradcam-logit", text)
    assert task.problem.output == "probability" and task.problem.relu is True
    assert all(v.is_nonnegative for v in sol.answers["L"].value)


def test_vanishing_normaliser_is_a_located_error():
    text = SPEC.read_text().replace("[0, 1, 1, 0, 0, 0, 0, -1]]\n      class: 3\n      maps: [[[1, 0], [0, 1]], "
                                    "[[0, 1], [1, 0]]]\n      output: logit",
                                    "[1, 0, 0, 0, 0, 0, 0, -1]]\n      class: 3\n      maps: [[[1, 0], [0, 1]], "
                                    "[[0, 1], [1, 0]]]\n      output: logit", 1)
    assert text != SPEC.read_text()
    with pytest.raises(Exception) as info:
        loads_sheet(text, str(SPEC))
    message = str(info.value)
    line = next(i + 1 for i, l in enumerate(text.splitlines()) if "normalise: sum-to-one" in l)
    assert f"gradcam-logit.yaml:{line}:" in message
    assert "Z = 0" in message and "expected" in message and "normalise: mean" in message


def test_misconception_rows_follow_the_options():
    from symxai.misconceptions import catalogue

    task, sol = solved("gradcam-logit")
    rows = {r.label: r for r in catalogue(task.method, task.problem, sol)}
    assert "relu-applied" in rows and "no-relu" not in rows
    assert rows["relu-applied"].values["L"] == sympy.ImmutableMatrix([[2, 0], [0, 2]])
    assert rows["logit-gradient"].values["alpha"] != sol.answers["alpha"].value  # the probability's weights
    assert "probability" in rows["logit-gradient"].message
