"""A trivial HTTP/1.1 server answering every request with the same JSON body, to measure what
the load generator itself can drive (so a bench can tell "server slow" from "driver slow").

    python -m bench.lib.fixed_server --port 8001 --size 25000
"""

from __future__ import annotations

import argparse
import asyncio
import json


def response_bytes(size: int) -> bytes:
    body = json.dumps({"count": 200, "items": [], "padding": "x" * max(size - 40, 0)}).encode()
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


async def serve(port: int, size: int) -> None:
    reply = response_bytes(size)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, default=25000)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.size))


if __name__ == "__main__":
    main()
