"""The API in its own uvicorn process: the sandbox gateway calls the service back over
real HTTP, as a bank would, and the order is settled."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from services.payment.bootstrap import build_context, submissions
from services.payment.settings import PaymentSettings
from shared.devissuer import ensure_keys
from tests.integration.payment.harness import (
    GATEWAY_SECRET,
    DeadLetterRecorder,
    PaymentStore,
    confirmation,
)
from tests.support import PythonProcess, free_ports, postgres

Spawn = Callable[..., PythonProcess]

# More than the 40 threads the API runs its synchronous routes in.
PAYERS_AT_ONCE = 80


@dataclass
class RunningApi:
    base_url: str
    http: httpx.Client
    local: PaymentStore
    process: PythonProcess


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The store of the module's API process. The process starts once per store, as
    a start costs seconds; each test works on orders of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('payment-api') / 'store.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"payment-api-{uuid.uuid4().hex[:8]}"
    yield postgres.create_database(server, name)
    postgres.drop_database(server, name)


@pytest.fixture(scope="module")
def running_api(
    api_store_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningApi]:
    key_dir = tmp_path_factory.mktemp("keys")
    ensure_keys(key_dir)
    [port] = free_ports(1)
    base_url = f"http://127.0.0.1:{port}"
    settings = PaymentSettings(
        database_url=api_store_url,
        jwks=str(key_dir / "jwks.json"),
        gateway_secret=SecretStr(GATEWAY_SECRET),
        public_url=base_url,
    )
    db = build_context(settings).db
    db.create_all()
    process = PythonProcess(
        "services.payment",
        "api",
        env={
            "PAYMENT_DATABASE_URL": api_store_url,
            "PAYMENT_PORT": str(port),
            "PAYMENT_PUBLIC_URL": base_url,
            "PAYMENT_GATEWAY_SECRET": GATEWAY_SECRET,
            "PORTAL_JWKS": str(key_dir / "jwks.json"),
        },
        log_path=key_dir.parent / "payment-api.log",
    ).start()
    dead_letters = DeadLetterRecorder()
    # The test's side of the store: it feeds the consumer and looks at the events.
    local = PaymentStore(
        settings, db, submissions(db, dead_letters), dead_letters, key_dir
    )
    try:
        process.wait_for_http(f"{base_url}/health/live", timeout=60)
        with httpx.Client(base_url=base_url, trust_env=False, timeout=15) as http:
            yield RunningApi(base_url, http, local, process)
    finally:
        process.stop()
        db.dispose()


def test_paying_at_the_gateway_settles_the_order(running_api: RunningApi) -> None:
    api, local = running_api, running_api.local
    order_id, _ = local.issue_order(fee=135_000, applicant_id="citizen-an")
    journey = f"journey-{uuid.uuid4()}"

    order = api.http.get(f"/payment-orders/{order_id}", headers=local.token())
    page = api.http.get(order.json()["pay_url"])
    paid = api.http.post(
        order.json()["pay_url"],
        data={"outcome": "success"},
        headers={"X-Correlation-ID": journey},
    )
    after = api.http.get(f"/payment-orders/{order_id}", headers=local.token())

    assert order.json()["pay_url"] == f"{api.base_url}/sandbox-gateway/pay/{order_id}"
    assert page.status_code == 200
    assert "135.000 ₫" in page.text
    assert paid.status_code == 200
    assert "Thanh toán thành công / Payment succeeded" in paid.text
    assert after.json()["status"] == "settled"
    transaction_id = after.json()["gateway_transaction_id"]
    assert transaction_id.startswith("SBX")
    assert transaction_id in paid.text
    assert local.stream(order_id) == ["PaymentRequested", "PaymentSettled"]
    settled = local.outbox()[-1]
    assert settled.type == "PaymentSettled"
    assert settled.data["gateway_transaction_id"] == transaction_id
    assert settled.data["amount"] == 135_000
    # The bank's callback carried the payer's correlation id through.
    assert settled.correlationid == journey


def test_many_payers_at_the_gateway_at_once_are_all_confirmed(
    running_api: RunningApi,
) -> None:
    """The gateway page calls the service back while its own request is open: it
    must not hold one of the API's worker threads meanwhile, or enough payers at
    once leave no thread for the callbacks and each page times out (502)."""
    api, local = running_api, running_api.local
    order_ids = [local.issue_order()[0] for _ in range(PAYERS_AT_ONCE)]

    def pay(order_id: str) -> httpx.Response:
        with httpx.Client(base_url=api.base_url, trust_env=False, timeout=60) as http:
            return http.post(
                f"/sandbox-gateway/pay/{order_id}", data={"outcome": "success"}
            )

    with ThreadPoolExecutor(PAYERS_AT_ONCE) as payers:
        pages = list(payers.map(pay, order_ids))

    assert [page.status_code for page in pages] == [200] * PAYERS_AT_ONCE
    assert all("Thanh toán thành công / Payment succeeded" in p.text for p in pages)
    assert all(
        local.stream(order_id) == ["PaymentRequested", "PaymentSettled"]
        for order_id in order_ids
    )


def test_cancelling_at_the_gateway_fails_the_order(running_api: RunningApi) -> None:
    api, local = running_api, running_api.local
    order_id, _ = local.issue_order()

    cancelled = api.http.post(
        f"/sandbox-gateway/pay/{order_id}", data={"outcome": "failure"}
    )

    assert cancelled.status_code == 200
    assert "Thanh toán không thành công / Payment not completed" in cancelled.text
    assert local.stream(order_id) == ["PaymentRequested", "PaymentFailed"]


def test_a_callback_over_http_twice_records_once(running_api: RunningApi) -> None:
    api, local = running_api, running_api.local
    order_id, _ = local.issue_order()
    body = confirmation(order_id)

    first = api.http.post("/payment-callbacks/sandbox", json=body)
    second = api.http.post("/payment-callbacks/sandbox", json=body)
    forged = api.http.post(
        "/payment-callbacks/sandbox",
        json=confirmation(order_id, transaction_id="SBX-F", secret="x" * 32),
    )

    assert (first.status_code, first.json()["recorded"]) == (200, True)
    assert (second.status_code, second.json()["recorded"]) == (200, False)
    assert second.json()["status"] == "settled"
    assert forged.status_code == 401
    assert local.stream(order_id) == ["PaymentRequested", "PaymentSettled"]


def test_the_api_does_not_start_without_a_gateway_secret(
    spawn: Spawn, tmp_path: Path
) -> None:
    [port] = free_ports(1)
    process = spawn(
        "services.payment",
        "api",
        env={
            "PAYMENT_DATABASE_URL": f"sqlite:///{tmp_path / 'payment.db'}",
            "PAYMENT_PORT": str(port),
            "PAYMENT_GATEWAY_SECRET": "",
        },
    )

    process.wait_for(
        lambda: process.returncode is not None, timeout=30, what="the api to exit"
    )
    assert process.returncode == 2
    assert "PAYMENT_GATEWAY_SECRET must be set" in process.log_path.read_text()
