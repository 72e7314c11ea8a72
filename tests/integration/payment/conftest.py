"""The payment service built through its own wiring, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from services.payment.bootstrap import build_app, submissions
from services.payment.settings import PaymentSettings
from tests.integration.payment.harness import (
    GATEWAY_SECRET,
    DeadLetterRecorder,
    PaymentService,
)
from tests.support import free_ports


@pytest.fixture
def service(store_url: str, key_dir: Path) -> Iterator[PaymentService]:
    # Nothing listens at the public URL: the in-process gateway cannot call back.
    [port] = free_ports(1)
    settings = PaymentSettings(
        database_url=store_url,
        jwks=str(key_dir / "jwks.json"),
        gateway_secret=SecretStr(GATEWAY_SECRET),
        public_url=f"http://127.0.0.1:{port}",
        callback_timeout_seconds=2.0,
    )
    app = build_app(settings)
    with TestClient(app) as client:
        db = app.state.ctx.db
        dead_letters = DeadLetterRecorder()
        consumer = submissions(db, dead_letters)
        yield PaymentService(settings, db, consumer, dead_letters, key_dir, client)
