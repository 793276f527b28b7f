"""Figures of a worked solution as HTML: the network figure drawn as SVG with MathML labels.

The data is what ``network.figure_data`` gives the TikZ template
(templates/figures/network.tex.j2); this draws the same layout for the page.

>>> d = {"levels": [[{"id": "a", "label": "x_{1}", "bias": "", "act": "", "rel": ""}],
...                 [{"id": "b", "label": "y", "bias": "", "act": "", "rel": ""}]],
...      "edges": [{"from": "a", "to": "b", "w": "2"}], "caption": ""}
>>> html = network(d)
>>> html.count("<line"), html.count("<circle")
(1, 2)
"""

from __future__ import annotations

from symxai.web.mathml import math, prose

DX, DY, R, PAD = 190, 86, 22, 48


def network(data: dict) -> str:
    """HTML of a feed-forward network: inputs on the left, the output on the right."""
    pos = {}
    height = max(len(level) for level in data["levels"])
    for li, level in enumerate(data["levels"]):
        n = len(level)
        for i, node in enumerate(level):
            pos[node["id"]] = (PAD + li * DX, PAD + ((height - 1) / 2 - (n - 1) / 2 + i) * DY)
    width = PAD * 2 + (len(data["levels"]) - 1) * DX
    tall = PAD * 2 + (height - 1) * DY
    svg, labels = [], []
    for e in data["edges"]:
        (x1, y1), (x2, y2) = pos[e["from"]], pos[e["to"]]
        svg.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="edge"/>')
        t = e.get("t", 0.3)  # the fraction of its edge symxai.typeset.netlayout chose for the label
        wx, wy = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
        labels.append(_label(wx, wy, e["w"], "weight"))
    for level in data["levels"]:
        for node in level:
            x, y = pos[node["id"]]
            svg.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{R}" class="neuron"/>')
            labels.append(_label(x, y, node["label"], "node"))
            if node.get("bias"):
                labels.append(_label(x, y - R - 10, f"b = {node['bias']}", "bias"))
            if node.get("rel"):
                labels.append(_label(x, y + R + 12, node["rel"], "relevance"))
    caption = f'<figcaption>{prose(data["caption"])}</figcaption>' if data.get("caption") else ""
    return (f'<figure class="network"><div class="canvas" style="width:{width}px;height:{tall:.0f}px">'
            f'<svg width="{width}" height="{tall:.0f}" aria-hidden="true">{"".join(svg)}</svg>'
            f'{"".join(labels)}</div>{caption}</figure>')


def _label(x: float, y: float, latex: str, kind: str) -> str:
    return f'<span class="label {kind}" style="left:{x:.1f}px;top:{y:.1f}px">{math(latex)}</span>'


RENDERERS = {"network": network}


def figure(fig: dict | None) -> str:
    """HTML for a step's figure view (``{"template": "figures/NAME.tex.j2", ...data}``); '' if none."""
    if not fig:
        return ""
    name = fig["template"].removeprefix("figures/").removesuffix(".tex.j2")
    draw = RENDERERS.get(name)
    return draw(fig) if draw else ""
