"""``symxai serve``: load and verify the specs, start the worker pool, run uvicorn.

Uvicorn runs one process with one event loop: pages and the API are cheap
and asynchronous, while every check runs in the bounded ``CheckPool``.
"""

from __future__ import annotations

import sys


def serve(paths=("problems",), *, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None,
          queue: int = 32, solutions: str = "never", log_answers: bool = False, max_body: int = 65536,
          seed: int = 0, log=print) -> None:
    """Serve the specs of ``paths`` until interrupted.  Every answer is verified against its numeric
    reference before the server starts (VerificationError otherwise), as ``build`` does."""
    try:
        import uvicorn

        from symxai.web.app import create_app
    except ImportError as exc:
        from symxai.errors import UsageError
        raise UsageError(f"symxai serve needs the web extra ({exc.name} is missing): "
                         "pip install 'symxai[web]'") from None
    from symxai.web.catalog import Catalog
    from symxai.web.pool import CheckPool

    catalog = Catalog.load(paths, verify=True, seed=seed)
    log(f"serve: {len(catalog.sheets)} sheet(s), "
        f"{sum(len(s.tasks) for s in catalog.sheets.values())} task(s) solved and verified")
    pool = CheckPool([s.path for s in catalog.sheets.values()], workers=workers, queue=queue, seed=seed)
    app = create_app(catalog, pool, solutions=solutions, log_answers=log_answers, max_body=max_body,
                     log_stream=sys.stderr)
    log(f"serve: http://{host}:{port}/  ({pool.workers} worker process(es), queue {queue})")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                limit_concurrency=max(128, 4 * pool.limit), timeout_keep_alive=5, h11_max_incomplete_event_size=16384)
