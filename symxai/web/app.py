"""The web checker: a Starlette application over the specs it was started with.

Routes (nothing else is served; no part of a request path or body is ever
used as a file name):

- ``GET /`` the sheets; ``GET /sheets/{id}`` a sheet with one field per answer;
- ``POST /api/check`` {"sheet", "target", "answers": {name: text}, "assume": [...]} -> the
  ``symxai check --json`` document under "report" (with its "exit_code"), the text lines under "lines";
- ``POST /api/preview`` {"sheet", "target", "name", "text"} -> how the answer is read;
- ``POST /api/check-sheet`` {"sheet", "answers": {target: {name: text}}} or a form upload of an
  answers file (fields "sheet", "file") -> the ``check-sheet --json`` document;
- ``GET /api/sheets``, ``GET /healthz``; ``GET /static/{name}`` the packaged assets, held in memory.

Input errors answer 400 with {"error", "exit_code": 2}; a full queue 429 "busy, retry".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from importlib import resources

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from symxai.web import worker
from symxai.web.accesslog import AccessLog
from symxai.web.pool import Busy, CheckPool, Unavailable

SOLUTIONS = ("never", "after-correct", "always")
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".svg": "image/svg+xml", ".png": "image/png"}
SECURITY_HEADERS = {"content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
                    "base-uri 'none'; frame-ancestors 'none'",
                    "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def _assets() -> dict[str, tuple[bytes, str]]:
    folder = resources.files("symxai.web") / "static"
    out = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in _TYPES:
            out[entry.name] = (entry.read_bytes(), _TYPES[suffix])
    return out


def _templates():
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("symxai.web", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined)


class WebChecker:
    """Pages and API over a loaded ``Catalog`` and a ``CheckPool``."""

    def __init__(self, catalog, pool: CheckPool, *, solutions: str = "never"):
        from symxai.web.views import api_sheets, index_view, sheet_view

        if solutions not in SOLUTIONS:
            raise ValueError(f"solutions must be one of {', '.join(SOLUTIONS)}")
        self.catalog, self.pool, self.solutions = catalog, pool, solutions
        self.assets, self.env = _assets(), _templates()
        self.pages = {sid: sheet_view(s, catalog.results[sid]) for sid, s in catalog.sheets.items()}
        self.solution_html = {(sid, t["key"]): t["solution"] for sid, p in self.pages.items()
                              for ex in p["exercises"] for t in ex["tasks"]}
        self.index = index_view(catalog)
        self.sheets = api_sheets(catalog)

    # pages -------------------------------------------------------------------------------------
    def _html(self, name: str, status: int = 200, **context) -> HTMLResponse:
        body = self.env.get_template(name).render(**context)
        return HTMLResponse(body, status, headers=SECURITY_HEADERS)

    async def home(self, request: Request):
        return self._html("index.html", sheets=self.index)

    async def sheet(self, request: Request):
        page = self.pages.get(request.path_params["sheet_id"])
        if page is None:
            return self._html("missing.html", 404, sheets=self.index)
        return self._html("sheet.html", sheet=page, solutions=self.solutions)

    async def static(self, request: Request):
        asset = self.assets.get(request.path_params["name"])
        if asset is None:
            return Response("not found", 404, media_type="text/plain")
        return Response(asset[0], media_type=asset[1], headers={"cache-control": "max-age=3600"})

    # API ---------------------------------------------------------------------------------------
    async def _json_body(self, request: Request) -> dict:
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise _BadRequest("the request body must be a JSON object") from None
        if not isinstance(body, dict):
            raise _BadRequest("the request body must be a JSON object")
        return body

    async def _run(self, fn, *args):
        try:
            result = await self.pool.run(fn, *args)
        except Busy:
            return JSONResponse({"error": "busy, retry"}, 429, headers={"retry-after": "1"})
        except Unavailable as exc:
            return JSONResponse({"error": str(exc)}, 503, headers={"retry-after": "2"})
        return result

    async def api_check(self, request: Request):
        body = await self._json_body(request)
        request.scope["symxai.log"].update(sheet=body.get("sheet"), target=body.get("target"),
                                           answers=body.get("answers"))
        result = await self._run(worker.check, body.get("sheet"), body.get("target"), body.get("answers"),
                                 body.get("assume"))
        if isinstance(result, Response):
            return result
        if "error" in result:
            request.scope["symxai.log"]["exit_code"] = result["exit_code"]
            return JSONResponse(result, 400)
        request.scope["symxai.log"]["exit_code"] = result["report"]["exit_code"]
        if self.solutions == "always" or (self.solutions == "after-correct" and result.pop("complete")):
            result["solution_html"] = self.solution_html[(body["sheet"], result["report"]["target"])]
        result.pop("complete", None)
        return JSONResponse(result)

    async def api_preview(self, request: Request):
        body = await self._json_body(request)
        request.scope["symxai.log"].update(sheet=body.get("sheet"), target=body.get("target"),
                                           answers={body.get("name"): body.get("text")})
        result = await self._run(worker.preview, body.get("sheet"), body.get("target"), body.get("name"),
                                 body.get("text"))
        if isinstance(result, Response):
            return result
        return JSONResponse(result, 400 if "error" in result else 200)

    async def api_check_sheet(self, request: Request):
        kind = request.headers.get("content-type", "")
        if kind.startswith("multipart/form-data"):
            async with request.form(max_files=1, max_fields=4) as form:
                sheet_id, upload = form.get("sheet"), form.get("file")
                if upload is None or isinstance(upload, str):
                    raise _BadRequest("upload an answers file as the field 'file'")
                try:
                    text = (await upload.read()).decode("utf-8")
                except UnicodeDecodeError:
                    raise _BadRequest("the answers file must be UTF-8 text") from None
        else:
            body = await self._json_body(request)
            sheet_id, text = body.get("sheet"), _answers_yaml(body.get("answers"))
        request.scope["symxai.log"].update(sheet=sheet_id, texts=text)
        result = await self._run(worker.check_sheet, sheet_id, text, "answers.yaml")
        if isinstance(result, Response):
            return result
        if "error" in result:
            return JSONResponse(result, 400)
        request.scope["symxai.log"]["exit_code"] = result["report"]["exit_code"]
        return JSONResponse(result)

    async def api_sheets(self, request: Request):
        return JSONResponse({"sheets": self.sheets})

    async def health(self, request: Request):
        return JSONResponse({"ready": self.pool.ready, "workers": self.pool.workers, "queue": self.pool.queue,
                             "admitted": self.pool.admitted})


class _BadRequest(Exception):
    pass


def _answers_yaml(answers) -> str:
    """The answers file of ``check-sheet`` for {target: {name: text}} filled in a page."""
    import yaml

    if not isinstance(answers, dict) or not all(isinstance(v, dict) for v in answers.values()):
        raise _BadRequest("answers must be {EXERCISE(.PART): {name: text}}")
    clean = {str(t): {str(n): str(x) for n, x in given.items() if isinstance(x, str) and x.strip()}
             for t, given in answers.items()}
    return yaml.safe_dump({t: g for t, g in clean.items() if g}, allow_unicode=True, sort_keys=False) or "{}\n"


def create_app(catalog, pool: CheckPool, *, solutions: str = "never", log_answers: bool = False,
               max_body: int = 65536, log_stream=None):
    """The ASGI application (wrapped in the access log and the body limit)."""
    web = WebChecker(catalog, pool, solutions=solutions)

    async def bad_request(request, exc):
        return JSONResponse({"error": str(exc), "exit_code": 2}, 400)

    async def not_found(request, exc):
        return JSONResponse({"error": "not found"}, 404)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        warming = asyncio.create_task(pool.warm())  # pages are served while the workers load
        yield
        warming.cancel()
        pool.close()

    routes = [Route("/", web.home), Route("/sheets/{sheet_id}", web.sheet), Route("/static/{name}", web.static),
              Route("/api/check", web.api_check, methods=["POST"]),
              Route("/api/preview", web.api_preview, methods=["POST"]),
              Route("/api/check-sheet", web.api_check_sheet, methods=["POST"]),
              Route("/api/sheets", web.api_sheets), Route("/healthz", web.health)]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={_BadRequest: bad_request, 404: not_found})
    app.state.pool = pool
    return AccessLog(app, max_body=max_body, log_answers=log_answers, stream=log_stream)
