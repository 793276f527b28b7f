"""IMS QTI 2.1 items in a content package (zip) for LMSes other than Moodle (Canvas, OpenOLAT, ...).

Numbers (and expressions asked at a stated point, as in the Moodle export)
become a ``textEntryInteraction`` with a float response scored by
``<equal toleranceMode="absolute">``; booleans a ``choiceInteraction``
true/false scored by the ``match_correct`` template.  One item per answer;
statement figures are PNG files in the package.  The package is
``imsmanifest.xml`` (IMS CP 1.1, resources of type ``imsqti_item_xmlv2p1``)
plus ``items/*.xml`` and ``images/*``.  No QTI 2.1 XSD ships with a package
registry reachable here, so ``check_package`` checks the structure: the
manifest, every resource file present, namespaces, interactions bound to
declared responses, a correct response of the declared type, a SCORE outcome
and response processing.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree as ET

from symxai.lms.lmsxml import XmlQuiz, fmt, statement_html

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"


def _ident(text: str) -> str:
    out = re.sub(r"[^A-Za-z0-9_.-]", "_", text)
    return out if out[:1].isalpha() else f"i{out}"


def _html(parent, fragment: str) -> None:
    """Append an XHTML fragment (symxai's own HTML: well-formed) under ``parent`` in the QTI namespace."""
    div = ET.fromstring(f"<div>{fragment}</div>")
    for el in div.iter():
        el.tag = f"{{{QTI}}}{el.tag}"
        if el.tag.endswith("}img"):
            el.set("src", el.get("src", "").replace("@@PLUGINFILE@@/", "../images/"))
        el.attrib.pop("class", None)
    parent.append(div)


def _item(ident: str, title: str, statement: str, it, tolerance: float) -> bytes:
    q = lambda tag: f"{{{QTI}}}{tag}"  # noqa: E731
    root = ET.Element(q("assessmentItem"), {"identifier": ident, "title": title, "adaptive": "false",
                                            "timeDependent": "false",
                                            f"{{{XSI}}}schemaLocation": f"{QTI} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"})
    boolean = it.kind == "boolean"
    rd = ET.SubElement(root, q("responseDeclaration"), {"identifier": "RESPONSE", "cardinality": "single",
                                                         "baseType": "identifier" if boolean else "float"})
    ET.SubElement(ET.SubElement(rd, q("correctResponse")), q("value")).text = (
        ("true" if it.value else "false") if boolean else fmt(it.value))
    od = ET.SubElement(root, q("outcomeDeclaration"), {"identifier": "SCORE", "cardinality": "single",
                                                        "baseType": "float"})
    ET.SubElement(ET.SubElement(od, q("defaultValue")), q("value")).text = "0"
    body = ET.SubElement(root, q("itemBody"))
    _html(body, statement)
    if boolean:
        ci = ET.SubElement(body, q("choiceInteraction"), {"responseIdentifier": "RESPONSE", "shuffle": "false",
                                                          "maxChoices": "1"})
        _html(ET.SubElement(ci, q("prompt")), it.prompt)
        for word in ("true", "false"):
            ET.SubElement(ci, q("simpleChoice"), {"identifier": word}).text = word
        ET.SubElement(root, q("responseProcessing"), {"template": MATCH_CORRECT})
    else:
        p = ET.SubElement(body, q("div"))
        _html(p, it.prompt)
        ET.SubElement(p, q("textEntryInteraction"), {"responseIdentifier": "RESPONSE", "expectedLength": "12"})
        rp = ET.SubElement(root, q("responseProcessing"))
        rif = ET.SubElement(ET.SubElement(rp, q("responseCondition")), q("responseIf"))
        eq = ET.SubElement(rif, q("equal"), {"toleranceMode": "absolute", "tolerance": f"{fmt(tolerance)} {fmt(tolerance)}"})
        ET.SubElement(eq, q("variable"), {"identifier": "RESPONSE"})
        ET.SubElement(eq, q("correct"), {"identifier": "RESPONSE"})
        so = ET.SubElement(rif, q("setOutcomeValue"), {"identifier": "SCORE"})
        ET.SubElement(so, q("baseValue"), {"baseType": "float"}).text = "1"
    ET.register_namespace("", QTI)
    ET.register_namespace("xsi", XSI)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def package(batch, *, tolerance: float = 1e-3) -> tuple[bytes, list[str]]:
    """The QTI 2.1 content package (zip bytes) of ``batch`` and the answers left out (with why)."""
    from symxai.lms.lmsfigures import render
    from symxai.lms.moodle import items

    xml = XmlQuiz("png")  # only for figure names
    files, resources, pictures, skipped = {}, [], {}, []
    for v in batch.variants:
        multi = len(v.answers) > 1
        for task in v.answers:
            statement, figs = statement_html(xml, v, task)
            pictures.update(dict(figs))
            found, left = items(v, task, multi)
            skipped += left
            for it in found:
                ident = _ident(f"{v.id}-{task}-{it.name}")
                href = f"items/{ident}.xml"
                files[href] = _item(ident, f"{v.id} {task} {it.name} (seed {v.variant_seed})", statement, it, tolerance)
                resources.append((ident, href, [f"images/{n}" for n, _ in figs]))
    for (name, _), data in zip(pictures.items(), render(list(pictures.values()), "png")):
        files[f"images/{name}"] = data
    files["imsmanifest.xml"] = _manifest(batch, resources)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(files, key=lambda n: (n != "imsmanifest.xml", n)):
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[name])
    return buf.getvalue(), skipped


def _manifest(batch, resources) -> bytes:
    c = lambda tag: f"{{{CP}}}{tag}"  # noqa: E731
    ET.register_namespace("", CP)
    root = ET.Element(c("manifest"), {"identifier": _ident(f"M-{batch.file}-{batch.exercise}-{batch.seed}")})
    meta = ET.SubElement(root, c("metadata"))
    ET.SubElement(meta, c("schema")).text = "QTIv2.1 Package"
    ET.SubElement(meta, c("schemaversion")).text = "1.0.0"
    ET.SubElement(root, c("organizations"))
    res = ET.SubElement(root, c("resources"))
    for ident, href, images in resources:
        r = ET.SubElement(res, c("resource"), {"identifier": f"R-{ident}", "type": "imsqti_item_xmlv2p1", "href": href})
        for f in [href, *images]:
            ET.SubElement(r, c("file"), {"href": f})
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def check_package(data: bytes) -> list[str]:
    """Every structural problem of a QTI 2.1 content package (empty list: none found)."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        return [f"not a zip file: {exc}"]
    names = set(z.namelist())
    if "imsmanifest.xml" not in names:
        return ["no imsmanifest.xml at the package root"]
    out = []
    man = ET.fromstring(z.read("imsmanifest.xml"))
    if man.tag != f"{{{CP}}}manifest":
        out.append(f"manifest root is {man.tag}, not an IMS CP manifest")
    resources = man.findall(f".//{{{CP}}}resource")
    if not resources:
        out.append("the manifest lists no resource")
    for r in resources:
        if r.get("type") != "imsqti_item_xmlv2p1":
            out.append(f"resource {r.get('identifier')}: type {r.get('type')!r}")
        for f in r.findall(f"{{{CP}}}file"):
            if f.get("href") not in names:
                out.append(f"resource {r.get('identifier')}: file {f.get('href')} is not in the package")
        if r.get("href") in names:
            out += [f"{r.get('href')}: {p}" for p in check_item(z.read(r.get("href")), names)]
    return out


def check_item(data: bytes, names: set) -> list[str]:
    """Structural problems of one QTI 2.1 assessmentItem."""
    q = lambda tag: f"{{{QTI}}}{tag}"  # noqa: E731
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed: {exc}"]
    if root.tag != q("assessmentItem"):
        return [f"root is {root.tag}, not a QTI 2.1 assessmentItem"]
    out = [f"no {a}" for a in ("identifier", "title", "adaptive", "timeDependent") if root.get(a) is None]
    decls = {d.get("identifier"): d for d in root.findall(q("responseDeclaration"))}
    if not any(o.get("identifier") == "SCORE" for o in root.findall(q("outcomeDeclaration"))):
        out.append("no SCORE outcome")
    interactions = [el for el in root.iter() if el.tag.endswith("Interaction")]
    if not interactions:
        out.append("no interaction")
    for el in interactions:
        d = decls.get(el.get("responseIdentifier"))
        if d is None:
            out.append(f"{el.tag}: response {el.get('responseIdentifier')} is not declared")
            continue
        value = d.findtext(f"{q('correctResponse')}/{q('value')}")
        if el.tag == q("textEntryInteraction"):
            try:
                float(value)
            except (TypeError, ValueError):
                out.append(f"correct response {value!r} is not a float")
        if el.tag == q("choiceInteraction"):
            ids = {c.get("identifier") for c in el.findall(q("simpleChoice"))}
            if value not in ids:
                out.append(f"correct response {value!r} is no choice of {sorted(ids)}")
    if root.find(q("responseProcessing")) is None:
        out.append("no responseProcessing")
    for img in root.iter(q("img")):
        target = img.get("src", "").replace("../", "", 1)
        if target not in names:
            out.append(f"image {img.get('src')} is not in the package")
    return out
