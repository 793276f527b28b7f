"""The web checker's API and pages, through Starlette's test client with real worker processes."""

from __future__ import annotations

import asyncio
import io
import json
import os

import pytest

try:
    import starlette  # noqa: F401
except ImportError:  # a workstation without the web extra skips; CI installs it and must run these
    if os.environ.get("CI"):
        raise
    pytest.skip("the web extra is not installed (pip install -e '.[web]')", allow_module_level=True)
from starlette.testclient import TestClient  # noqa: E402

from symxai.web import worker  # noqa: E402
from symxai.web.app import create_app  # noqa: E402
from symxai.web.catalog import Catalog  # noqa: E402
from symxai.web.pool import Busy, CheckPool  # noqa: E402

from tests.conftest import PROBLEMS  # noqa: E402

SHEET14 = PROBLEMS / "tub-ml-sheet14.yaml"
SID = "tub-ml-sheet14"


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load([SHEET14], verify=True)


def _client(catalog, log, **kwargs):
    pool = CheckPool([SHEET14], workers=1, queue=4)
    app = create_app(catalog, pool, log_stream=log, **kwargs)
    return TestClient(app, base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def served(catalog):
    log = io.StringIO()
    with _client(catalog, log, solutions="after-correct") as client:
        yield client, log


def test_check_right_matches_the_command_line(served, cli):
    client, _ = served
    answers = {"phi_1": "2/3", "phi_2": "1/6", "phi_3": "1/6"}
    r = client.post("/api/check", json={"sheet": SID, "target": "shapley", "answers": answers})
    assert r.status_code == 200
    doc = r.json()
    out = cli("check", SHEET14, "shapley", *[f"{k}={v}" for k, v in answers.items()], "--json")
    expected = json.loads(out.output)
    assert doc["report"]["exit_code"] == out.exit_code == 0
    expected["file"] = SHEET14.name
    assert doc["report"] == expected
    assert doc["lines"] == ["phi_1 = 2/3: right (exact)", "phi_2 = 1/6: right (exact)", "phi_3 = 1/6: right (exact)"]
    assert "<math" in doc["solution_html"]  # after-correct: every answer of the task is right


def test_wrong_prototype_gets_the_inverse_covariance_feedback(served, cli):
    client, _ = served
    r = client.post("/api/check", json={"sheet": SID, "target": "prototypes", "answers": {"x_star": "mu + Sigma^-1*w"}})
    doc = r.json()
    assert doc["report"]["exit_code"] == 1
    assert [d["label"] for d in doc["report"]["answers"][0]["diagnoses"]] == ["inverse-covariance"]
    assert "solution_html" not in doc  # after-correct: not before the task is right
    out = cli("check", SHEET14, "prototypes", "x_star=mu + Sigma^-1*w")
    assert "\n".join(doc["lines"]) == out.output.rstrip("\n")


def test_input_errors_have_exit_code_2(served):
    client, _ = served
    r = client.post("/api/check", json={"sheet": SID, "target": "nope", "answers": {"x": "1"}})
    assert r.status_code == 400 and r.json()["exit_code"] == 2 and "no exercise 'nope'" in r.json()["error"]
    r = client.post("/api/check", json={"sheet": "../../etc/passwd", "target": "shapley", "answers": {"phi_1": "1"}})
    assert r.status_code == 400 and "no sheet" in r.json()["error"]
    r = client.post("/api/check", json={"sheet": SID, "target": "shapley", "answers": {}})
    assert r.status_code == 400
    r = client.post("/api/check", content=b"not json", headers={"content-type": "application/json"})
    assert r.status_code == 400


def test_unreadable_answer_is_reported_and_others_checked(served):
    client, _ = served
    r = client.post("/api/check", json={"sheet": SID, "target": "shapley",
                                        "answers": {"phi_1": "__import__('os').system('id')", "phi_2": "1/6"}})
    doc = r.json()
    assert doc["report"]["exit_code"] == 2
    assert [v["status"] for v in doc["report"]["answers"]] == ["unreadable", "right"]


def test_preview_reads_through_the_parser(served):
    client, _ = served
    r = client.post("/api/preview", json={"sheet": SID, "target": "prototypes", "name": "x_star", "text": "mu + Sigma^-1*w"})
    doc = r.json()
    assert doc["plain"] == "inv(Sigma)*w + mu" and doc["mathml"].startswith("<math")
    r = client.post("/api/preview", json={"sheet": SID, "target": "shapley", "name": "phi_1", "text": "eval('1')"})
    assert r.json()["message"].startswith("cannot read")


def test_whole_sheet_by_fields_and_by_upload(served, cli, tmp_path):
    client, _ = served
    answers = {"shapley": {"phi_1": "2/3", "phi_2": "1/6", "phi_3": "1/3"}, "prototypes": {"x_star": "mu + Sigma*w"}}
    by_fields = client.post("/api/check-sheet", json={"sheet": SID, "answers": answers}).json()
    text = "shapley: {phi_1: 2/3, phi_2: 1/6, phi_3: 1/3}\nprototypes: {x_star: mu + Sigma*w}\n"
    upload = client.post("/api/check-sheet", data={"sheet": SID},
                         files={"file": ("mine.yaml", text.encode(), "text/yaml")}).json()
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    out = cli("check-sheet", SHEET14, path, "--json")
    expected = json.loads(out.output)
    for doc in (by_fields, upload):
        assert doc["report"]["exit_code"] == out.exit_code == 1
        assert doc["report"]["points"] == expected["points"]
        assert doc["report"]["exercises"] == expected["exercises"]
    assert "\n".join(upload["lines"]) == cli("check-sheet", SHEET14, path).output.rstrip("\n")


def test_request_size_limit(served):
    client, _ = served
    r = client.post("/api/check", content=b"{" + b" " * 70000 + b"}", headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_only_its_own_assets(served):
    client, _ = served
    assert client.get("/static/app.js").status_code == 200
    for path in ("/static/..%2F..%2Fpyproject.toml", "/static/catalog.py", "/static/%2Fetc%2Fpasswd",
                 "/sheets/..%2Fproblems%2Ftub-ml-sheet14.yaml", "/problems/tub-ml-sheet14.yaml"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert b"exercises:" not in r.content


def test_pages_show_math_and_one_field_per_answer(served):
    client, _ = served
    html = client.get("/sheets/" + SID).text
    assert html.count('<math xmlns="http://www.w3.org/1998/Math/MathML"') > 20
    for name in ("phi_1", "phi_2", "phi_3", "x_star"):
        assert f'name="{name}"' in html
    assert "Worked solution" not in html  # --solutions after-correct: only after a right check
    assert 'href="/sheets/tub-ml-sheet14"' in client.get("/").text


def test_access_log_has_no_answer_text(served):
    client, log = served
    client.post("/api/check", json={"sheet": SID, "target": "shapley", "answers": {"phi_1": "7/11"}})
    entries = [json.loads(line) for line in log.getvalue().splitlines()]
    last = [e for e in entries if e["path"] == "/api/check"][-1]
    assert last["answers"] == ["phi_1"] and last["status"] == 200 and last["exit_code"] == 1
    assert "7/11" not in log.getvalue()


def test_log_answers_and_solutions_always(catalog):
    log = io.StringIO()
    with _client(catalog, log, solutions="always", log_answers=True) as client:
        assert "Worked solution" in client.get("/sheets/" + SID).text
        r = client.post("/api/check", json={"sheet": SID, "target": "shapley", "answers": {"phi_1": "7/11"}})
        assert "solution_html" in r.json()
    assert "7/11" in log.getvalue()


def test_full_queue_answers_429(served):
    client, _ = served
    pool = client.app.app.state.pool if hasattr(client.app.app.state, "pool") else None
    assert pool is not None
    pool.admitted += pool.limit
    try:
        r = client.post("/api/check", json={"sheet": SID, "target": "shapley", "answers": {"phi_1": "2/3"}})
    finally:
        pool.admitted -= pool.limit
    assert r.status_code == 429 and r.json()["error"] == "busy, retry"


def test_pool_admits_workers_plus_queue():
    async def main():
        pool = CheckPool([SHEET14], workers=1, queue=0)
        try:
            results = await asyncio.gather(pool.run(worker.ready), pool.run(worker.ready), return_exceptions=True)
        finally:
            pool.close()
        return results
    first, second = asyncio.run(main())
    assert isinstance(first, int) and isinstance(second, Busy)


def test_serve_binds_loopback_by_default():
    from symxai.cli import serve

    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"


def test_assets_are_package_data():
    """Every template and asset of symxai/web is package data of setup.py's discovery, so the wheel has it."""
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("symxai_setup_discovery", ROOT / "setup.py")
    source = (ROOT / "setup.py").read_text().split("\nsetup(")[0]  # the discovery, without running setup()
    namespace = {"__file__": str(ROOT / "setup.py"), "__name__": spec.name}
    exec(compile(source, str(ROOT / "setup.py"), "exec"), namespace)
    assert "symxai.web" in namespace["PACKAGE_DIRS"]
    shipped = set(namespace["data_files_of"](ROOT / "symxai" / "web"))
    web = ROOT / "symxai" / "web"
    files = {p.relative_to(web).as_posix() for sub in ("templates", "static") for p in (web / sub).iterdir()}
    assert files and files <= shipped, files - shipped


def test_serve_refuses_an_unverified_answer(wrong_phi_1):
    from symxai.errors import VerificationError

    wrong_phi_1()
    with pytest.raises(VerificationError, match="shapley: phi_1"):
        Catalog.load([SHEET14], verify=True)


def test_checks_reuse_the_solutions(monkeypatch):
    """A worker solves at start only: checks, sheet checks and previews never solve again."""
    from symxai.methods.shap_family.shapley import Shapley

    worker.init([SHEET14])
    calls = []
    original = Shapley.solve
    monkeypatch.setattr(Shapley, "solve", lambda self, p: calls.append(p) or original(self, p))
    assert worker.check(SID, "shapley", {"phi_1": "1/3", "phi_2": "1/6"})["report"]["exit_code"] == 1
    assert worker.check_sheet(SID, "shapley: {phi_1: 2/3}\n")["report"]["exit_code"] == 1
    assert worker.preview(SID, "shapley", "phi_1", "2/3")["plain"] == "2/3"
    assert calls == []
