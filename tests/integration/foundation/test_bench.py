"""The benchmark runs end to end on a few events, so it does not rot between runs."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.processes import REPO_ROOT


def test_the_bench_measures_every_path_on_a_small_run(kafka_bootstrap: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--events", "300", "--consumer-events", "200"],
        cwd=REPO_ROOT,
        env={**os.environ, "KAFKA_BOOTSTRAP": kafka_bootstrap},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for row in ("raw produce", "raw consume", "outbox relay", "consumer, in-process"):
        assert row in result.stdout
    assert "consumer, faust worker" in result.stdout
    assert "relay / raw produce:" in result.stdout
