"""Running the ASGI server, shared by `steward up` and `steward serve`."""

from __future__ import annotations

import uvicorn


def make_server(host: str, port: int, workers: int = 1) -> uvicorn.Server:
    config = uvicorn.Config(
        "steward.asgi:application",
        host=host,
        port=port,
        workers=workers,
        lifespan="off",
        log_level="warning",
        access_log=False,
        # Static files are served by WhiteNoise; keep-alive matters for API clients.
        timeout_keep_alive=30,
    )
    return uvicorn.Server(config)
