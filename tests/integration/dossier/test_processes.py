"""The dossier service as it runs: `python -m services.dossier worker | api | rebuild`
against a real Kafka broker, from a procedure on catalog.events to a paid fee on
dossier.events, and a rebuild that gives back the same dossier."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Consumer

from shared.devissuer import issue
from shared.events import topics
from shared.events.envelope import Envelope
from shared.messaging.admin import ensure_topics, portal_topics
from tests.integration.dossier.kit import (
    BIRTH_DOCUMENTS,
    payment_settled,
    procedure_published,
)
from tests.support.events import publish
from tests.support.processes import PythonProcess, free_ports, wait_for

Spawn = Callable[..., PythonProcess]


class History:
    """The envelopes of one stream as they arrive on dossier.events."""

    def __init__(self, bootstrap: str, group: str) -> None:
        self.seen: list[Envelope] = []
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group,
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
            }
        )
        self._consumer.subscribe([topics.DOSSIER])

    def types_of(self, subject: str) -> list[str]:
        record = self._consumer.poll(0.2)
        value = record.value() if record is not None and not record.error() else None
        if value:
            self.seen.append(Envelope.from_json(value))
        return [e.type for e in self.seen if e.subject == subject]

    def close(self) -> None:
        self._consumer.close()


@pytest.fixture
def history(kafka_bootstrap: str, unique: Callable[[str], str]) -> Iterator[History]:
    ensure_topics(kafka_bootstrap, portal_topics(), partitions=3)
    watcher = History(kafka_bootstrap, unique("watch"))
    yield watcher
    watcher.close()


@pytest.fixture
def port() -> int:
    return free_ports(1)[0]


@pytest.fixture
def http(port: int, key_dir: Path) -> Iterator[httpx.Client]:
    """The API as citizen An sees it."""
    token = issue("subject-an", "citizen", key_dir=key_dir)
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {token}"},
        trust_env=False,
    ) as client:
        yield client


def test_a_dossier_goes_from_the_catalogue_to_a_paid_fee_through_kafka(
    kafka_bootstrap: str,
    unique: Callable[[str], str],
    spawn: Spawn,
    tmp_path: Path,
    key_dir: Path,
    port: int,
    http: httpx.Client,
    history: History,
) -> None:
    # Names of this test's own: the broker's topics outlive it and are shared.
    agency, code = f"t{uuid.uuid4().hex[:8]}", f"9.{uuid.uuid4().hex[:8]}"
    env = {
        "KAFKA_BOOTSTRAP": kafka_bootstrap,
        "DOSSIER_DATABASE_URL": f"sqlite:///{tmp_path / 'dossier.db'}",
        "DOSSIER_GROUP_ID": unique("dossier"),
        "DOSSIER_PORT": str(port),
        "PORTAL_JWKS": str(key_dir / "jwks.json"),
        # faust keeps a data directory, by default in the working directory.
        "APP_DATADIR": str(tmp_path / "faust"),
    }
    body = {"procedure_code": code, "documents": BIRTH_DOCUMENTS}

    publish(
        kafka_bootstrap,
        topics.CATALOG,
        procedure_published(code=code, agency_code=agency),
    )
    worker = spawn("services.dossier", "worker", env=env)
    api = spawn("services.dossier", "api", env=env)
    api.wait_for_http(f"http://127.0.0.1:{port}/health/live", timeout=30)

    def submitted() -> dict[str, Any] | None:
        response = http.post("/dossiers", json=body)
        return response.json() if response.status_code == 201 else None

    dossier = worker.wait_for(submitted, 60, 0.2, "the procedure in the catalogue copy")
    subject = f"dossier-{dossier['id']}"
    assert dossier["code"].startswith(f"{agency.upper()}-")
    assert dossier["status"] == "awaiting_payment"
    worker.wait_for(
        lambda: history.types_of(subject) == ["DossierSubmitted"],
        30,
        what="DossierSubmitted relayed to dossier.events",
    )

    settled = payment_settled(dossier["id"], order_id=f"order-{uuid.uuid4().hex[:8]}")
    publish(kafka_bootstrap, topics.PAYMENT, settled)

    def paid() -> dict[str, Any] | None:
        shown = http.get(f"/dossiers/{dossier['id']}").json()
        return shown if shown["status"] == "submitted" else None

    shown = worker.wait_for(paid, 60, 0.2, "the fee recorded on the dossier")
    assert (shown["fee_paid"], len(shown["history"])) == (50_000, 2)
    worker.wait_for(
        lambda: history.types_of(subject) == ["DossierSubmitted", "DossierFeePaid"],
        30,
        what="DossierFeePaid relayed to dossier.events",
    )
    fee_paid = next(e for e in history.seen if e.type == "DossierFeePaid")
    assert fee_paid.causationid == settled.id

    worker.stop()
    rebuild = spawn("services.dossier", "rebuild", env=env)
    assert wait_for(
        lambda: rebuild.returncode is not None, 120, what="the rebuild to finish"
    )
    assert rebuild.returncode == 0, rebuild.log_tail()
    assert http.get(f"/dossiers/{dossier['id']}").json() == shown
    after_rebuild = submitted()
    assert after_rebuild is not None, "the catalogue copy was not rebuilt"
    assert after_rebuild["code"].endswith("-000002")
