"""The dossier service built through its own wiring, on SQLite and on PostgreSQL, with
bearer tokens signed by a key pair of the test's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.dossier.bootstrap import build_app, catalogue_projection, payments
from services.dossier.settings import DossierSettings
from shared.devissuer import issue
from shared.messaging.consumer import EventConsumer
from shared.store import Database
from tests.integration.dossier.kit import (
    KeptDeadLetters,
    catalog_message,
    procedure_published,
)

Headers = dict[str, str]


@pytest.fixture
def settings(
    store_url: str, key_dir: Path, unique: Callable[[str], str]
) -> DossierSettings:
    return DossierSettings.model_validate(
        {
            "database_url": store_url,
            "PORTAL_JWKS": str(key_dir / "jwks.json"),
            "group_id": unique("group"),
        }
    )


@pytest.fixture
def client(settings: DossierSettings) -> Iterator[TestClient]:
    with TestClient(build_app(settings)) as client:
        yield client


@pytest.fixture
def db(client: TestClient) -> Database:
    return client.app.state.ctx.db  # type: ignore[no-any-return,attr-defined]


@pytest.fixture
def bearer(key_dir: Path) -> Callable[..., Headers]:
    """``bearer("subject-an", "citizen", personal_id=..., agency=...)``: headers."""

    def headers(subject: str, kind: str = "citizen", **claims: Any) -> Headers:
        token = issue(subject, kind, key_dir=key_dir, **claims)
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def an(bearer: Callable[..., Headers]) -> Headers:
    """Nguyễn Văn An, a citizen whose token also carries his personal id number."""
    return bearer("subject-an", "citizen", personal_id="001099012345", name="An")


@pytest.fixture
def dead_letters() -> KeptDeadLetters:
    return KeptDeadLetters()


@pytest.fixture
def catalogue(db: Database, dead_letters: KeptDeadLetters) -> EventConsumer:
    return catalogue_projection(db, dead_letters)


@pytest.fixture
def settlements(db: Database, dead_letters: KeptDeadLetters) -> EventConsumer:
    return payments(db, dead_letters)


@pytest.fixture
def birth_registration(catalogue: EventConsumer) -> None:
    """Birth registration (fee 50,000 đồng) in the service's copy of the catalogue."""
    assert catalogue.handle_batch([catalog_message(procedure_published())]).handled == 1
