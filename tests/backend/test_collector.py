"""Whatever serves the app, what the started app holds is out of the cycle collector: a full
collection then has next to nothing to traverse (without it, about 30 ms per pause)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SERVE_AND_COUNT = """
import asyncio, gc, json, uvicorn
config = uvicorn.Config("backend:create_app", factory=True, host="127.0.0.1", port=0,
                        lifespan="on", log_config=None)
server = uvicorn.Server(config)

async def main():
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    print(json.dumps({"frozen": gc.get_freeze_count(), "collected": len(gc.get_objects())}))
    server.should_exit = True
    await serving

asyncio.run(main())
"""


def test_the_factory_under_uvicorn_leaves_the_started_app_out_of_the_collector(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "JWT_REFRESH_DATA_DIR": str(tmp_path / "data")}
    served = subprocess.run(
        [sys.executable, "-c", SERVE_AND_COUNT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    counts = json.loads(served.stdout.splitlines()[-1])
    assert counts["frozen"] > 10_000, counts
    assert counts["collected"] < counts["frozen"] / 50, counts
