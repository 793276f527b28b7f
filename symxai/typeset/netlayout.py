r"""Where the labels of a network figure go: each weight on its own edge, clear of the rest.

templates/figures/network.tex.j2 draws a network left to right, a level every
:data:`DX` cm and a neuron every :data:`DY` cm.  Putting every weight label at the
same fraction of its edge makes labels collide where edges cross or fan out, and a
relevance printed under a neuron lies over the edges leaving it.  :func:`place`
computes, per figure, a position for every label from the coordinates:

- relevance (and bias) labels first, each at the side of its neuron (below, above,
  below left, ...) that crosses the fewest edges and labels;
- then each weight, at the point of its own edge (a fraction ``t`` from its source)
  where its box overlaps no neuron, no other label and the fewest other edges;
  edges with fewer free spots choose first.

Label boxes are estimated from the printed width of their LaTeX (``texwidth.width``)
at the figure's \scriptsize; :func:`collisions` measures a placement, and the tests
assert it finds none in the corpus figures.

>>> data = {"levels": [[{"id": "a", "label": "x_{1}", "bias": "", "act": "", "rel": ""},
...                     {"id": "b", "label": "x_{2}", "bias": "", "act": "", "rel": ""}],
...                    [{"id": "c", "label": "h_{3}", "bias": "", "act": "", "rel": ""},
...                     {"id": "d", "label": "h_{4}", "bias": "", "act": "", "rel": ""}]],
...         "edges": [{"from": "a", "to": "c", "w": "w_{13}"}, {"from": "a", "to": "d", "w": "w_{14}"},
...                   {"from": "b", "to": "c", "w": "w_{23}"}, {"from": "b", "to": "d", "w": "w_{24}"}]}
>>> collisions(place(data))
[]
"""

from __future__ import annotations

import copy
import math

from symxai.expr.texwidth import width

DX, DY = 2.9, 1.2  # cm between levels and between neurons of a level (the template's x and y)
RADIUS = 0.43  # cm: a neuron of minimum size 8 mm, drawn thick
UNIT = 0.18  # cm a unit of printed width takes at \scriptsize (measured on the rendered figures)
PAD = 0.05  # cm of white around every label (inner sep 1 pt) and of clearance between things
LINE_HEIGHT = 0.36  # cm of a \scriptsize label with scripts
CLEAR = 0.07  # cm every label keeps from other edges, labels and neurons
TS = [0.18 + 0.03 * k for k in range(19)]  # fractions along an edge a weight may sit at


def box_size(latex: str) -> tuple[float, float]:
    """(width, height) in cm of a \\scriptsize math label, with its padding."""
    tall = LINE_HEIGHT * (1.7 if "\\frac" in latex else 1.0)
    return UNIT * max(width(latex), 1.0) + 2 * PAD, tall + 2 * PAD


def node_centres(levels, dx: float = DX, dy: float = DY) -> dict:
    """Neuron id -> centre (x, y) in cm: level ``li`` at x = li dx, its neurons dy apart, centred."""
    out = {}
    for li, level in enumerate(levels):
        n = len(level)
        for k, node in enumerate(level):
            out[node["id"]] = (li * dx, ((n - 1) / 2 - k) * dy)
    return out


SPREADS = (1.0, 1.15, 1.3, 1.5, 1.75, 2.2)  # how far the layout may be stretched to make room for long labels


def place(data: dict) -> dict:
    """A copy of a network figure's data with label positions: per edge ``lx, ly`` (cm) and ``t``
    (the fraction of the edge from its source), per neuron ``rx, ry`` for its relevance and
    ``bx, by`` for its bias (cm); ``x, y`` of every neuron.  When the labels do not fit cleanly,
    the levels and neurons are spread further apart (:data:`SPREADS`); the cleanest try wins."""
    best = None
    for spread in SPREADS:
        tried = _place(data, DX * spread, DY * spread)
        found = len(collisions(tried))
        if best is None or found < best[0]:
            best = (found, tried)
        if not found:
            break
    return best[1]


def _place(data: dict, dx: float, dy: float) -> dict:
    data = copy.deepcopy(data)
    centres = node_centres(data["levels"], dx, dy)
    segments = {k: _segment(centres[e["from"]], centres[e["to"]]) for k, e in enumerate(data["edges"])}
    nodes = [(c, RADIUS) for c in centres.values()]
    placed: list[tuple] = []  # boxes (x0, y0, x1, y1) already taken
    for level in data["levels"]:
        for node in level:
            x, y = centres[node["id"]]
            node["x"], node["y"] = round(x, 3), round(y, 3)
            if node.get("bias"):
                w, h = box_size(f"b = {node['bias']}")
                bx, by = x, y + RADIUS + CLEAR + h / 2
                node["bx"], node["by"] = round(bx, 3), round(by, 3)
                placed.append(_box(bx, by, w, h))
    for level in data["levels"]:
        for node in level:
            if node.get("rel"):
                w, h = box_size(node["rel"])
                x, y = centres[node["id"]]
                best = min(_relevance_spots(x, y, w, h, node.get("bias")),
                           key=lambda c: _cost(_box(c[0], c[1], w, h), segments.values(), nodes, placed) + c[2])
                node["rx"], node["ry"] = round(best[0], 3), round(best[1], 3)
                placed.append(_box(best[0], best[1], w, h))
    order = sorted(segments, key=lambda k: _free_spots(k, data["edges"][k], segments, nodes, placed))
    for k in order:
        e = data["edges"][k]
        w, h = box_size(e["w"])
        others = [s for j, s in segments.items() if j != k]
        (x0, y0), (x1, y1) = segments[k]
        best = min(TS, key=lambda t: _cost(_box(x0 + t * (x1 - x0), y0 + t * (y1 - y0), w, h), others, nodes, placed)
                   + abs(t - 0.35) * 0.5)
        lx, ly = x0 + best * (x1 - x0), y0 + best * (y1 - y0)
        e["lx"], e["ly"], e["t"] = round(lx, 3), round(ly, 3), round(best, 3)
        placed.append(_box(lx, ly, w, h))
    return data


def collisions(data: dict) -> list[str]:
    """What overlaps in a placed figure: label with label, label with a neuron, a weight with an
    edge other than its own, a relevance with any edge.  [] when the figure is clean."""
    centres = {node["id"]: (node["x"], node["y"]) for level in data["levels"] for node in level}
    segments = [_segment(centres[e["from"]], centres[e["to"]]) for e in data["edges"]]
    labels = []
    for k, e in enumerate(data["edges"]):
        labels.append((f"weight {e['w']} on {e['from']}->{e['to']}", _box(e["lx"], e["ly"], *box_size(e["w"])), k))
    for level in data["levels"]:
        for node in level:
            if node.get("rel"):
                labels.append((f"relevance {node['rel']} of {node['id']}",
                               _box(node["rx"], node["ry"], *box_size(node["rel"])), None))
            if node.get("bias"):
                labels.append((f"bias of {node['id']}", _box(node["bx"], node["by"], *box_size(f"b = {node['bias']}")), None))
    found = []
    for i, (name, box, own) in enumerate(labels):
        box = _grow(box, CLEAR / 2)  # touching counts: each keeps half the clearance
        for other, obox, _ in labels[i + 1:]:
            if _overlap(box, _grow(obox, CLEAR / 2)):
                found.append(f"{name} overlaps {other}")
        for nid, c in centres.items():
            if _circle_box(c, RADIUS, box):
                found.append(f"{name} overlaps neuron {nid}")
        for j, s in enumerate(segments):
            if j != own and _segment_box(s, box):
                found.append(f"{name} lies over edge {data['edges'][j]['from']}->{data['edges'][j]['to']}")
    return found


def _relevance_spots(x, y, w, h, has_bias):
    """Candidate centres (x, y, penalty) of a relevance label around a neuron at (x, y)."""
    r = RADIUS + 1.5 * CLEAR
    spots = [(x, y - r - h / 2, 0.0)]
    if not has_bias:
        spots.append((x, y + r + h / 2, 0.05))
    for dx in (1, -1):
        spots += [(x + dx * (w / 2 + r * 0.5), y - r - h / 2 + 0.1, 0.1), (x + dx * (w / 2 + r * 0.5), y + r + h / 2 - 0.1, 0.15),
                  (x + dx * (r + w / 2), y - r, 0.2), (x + dx * (r + w / 2), y + r, 0.25)]
    spots += [(x, y - r - h / 2 - 0.25, 0.3), (x, y - r - h / 2 - 0.5, 0.6)]
    spots += [(x - r - w / 2, y, 0.4), (x + r + w / 2, y, 0.4)]  # beside it: free left of the inputs, right of the output
    return spots


def _free_spots(k, edge, segments, nodes, placed) -> int:
    w, h = box_size(edge["w"])
    (x0, y0), (x1, y1) = segments[k]
    others = [s for j, s in segments.items() if j != k]
    return sum(_cost(_box(x0 + t * (x1 - x0), y0 + t * (y1 - y0), w, h), others, nodes, placed) == 0 for t in TS)


def _cost(box, segments, nodes, placed) -> float:
    near = _grow(box, CLEAR)
    far = _grow(box, 2 * CLEAR)
    cost = 100.0 * sum(_overlap(near, b) for b in placed)
    cost += 100.0 * sum(_circle_box(c, r, near) for c, r in nodes)
    # a segment through ``near`` passes through ``far``, which holds it (the clipping is monotone in the
    # box, in floats too): ``near`` is tested only for the segments through ``far``
    x0, y0, x1, y1 = far[0] - _APART, far[1] - _APART, far[2] + _APART, far[3] + _APART
    through = [s for s in segments if not ((s[0][0] < x0 and s[1][0] < x0) or (s[0][0] > x1 and s[1][0] > x1) or
                                          (s[0][1] < y0 and s[1][1] < y0) or (s[0][1] > y1 and s[1][1] > y1))
               and _segment_box(s, far)]  # (the first test: _segment_box's own rejection, without the call)
    cost += 10.0 * sum(_segment_box(s, near) for s in through)
    cost += 1.0 * len(through)  # room to breathe
    return cost


def _segment(a, b):
    """The visible part of an edge: from the rim of one neuron to the rim of the other."""
    (x0, y0), (x1, y1) = a, b
    d = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / d, (y1 - y0) / d
    return (x0 + ux * RADIUS, y0 + uy * RADIUS), (x1 - ux * RADIUS, y1 - uy * RADIUS)


def _box(cx, cy, w, h):
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _grow(box, d):
    return (box[0] - d, box[1] - d, box[2] + d, box[3] + d)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _circle_box(c, r, box) -> bool:
    nx = min(max(c[0], box[0]), box[2])
    ny = min(max(c[1], box[1]), box[3])
    return math.hypot(c[0] - nx, c[1] - ny) < r


_APART = 1e-9  # cm


def _segment_box(seg, box) -> bool:
    """Whether a segment passes through a box (Liang-Barsky clipping).  A segment whose bounding box
    lies clearly beside the box (by more than :data:`_APART`, far above rounding) is rejected first:
    the clipping gives False for it too; it is most of the calls on a wide network's figure."""
    (x0, y0), (x1, y1) = seg
    if (x0 < box[0] - _APART and x1 < box[0] - _APART) or (x0 > box[2] + _APART and x1 > box[2] + _APART) or \
            (y0 < box[1] - _APART and y1 < box[1] - _APART) or (y0 > box[3] + _APART and y1 > box[3] + _APART):
        return False
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True
