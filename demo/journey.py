"""One citizen's journey through the running suite, step by step, over HTTP only."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_fixed

T = TypeVar("T")


@dataclass(frozen=True)
class Suite:
    catalog: str
    dossier: str
    payment: str
    feedback: str
    notification: str
    kafka: str

    @classmethod
    def from_env(cls) -> Suite:
        def url(service: str, port: int) -> str:
            return f"http://127.0.0.1:{os.environ.get(f'{service.upper()}_PORT', port)}"

        return cls(
            catalog=url("catalog", 8001),
            dossier=url("dossier", 8002),
            payment=url("payment", 8003),
            feedback=url("feedback", 8004),
            notification=url("notification", 8005),
            kafka=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        )


def eventually(probe: Callable[[], T | None], timeout: float = 30.0) -> T:
    """Asks `probe` every 100 ms until it answers something other than None."""
    retrying = Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_fixed(0.1),
        retry=retry_if_result(lambda result: result is None),
    )
    try:
        return retrying(probe)  # type: ignore[no-any-return]
    except RetryError:
        raise TimeoutError(
            f"the suite did not reach the expected state in {timeout} s"
        ) from None


@dataclass
class CitizenJourney:
    suite: Suite
    token: str
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        self.http = httpx.Client(
            headers={
                "Authorization": f"Bearer {self.token}",
                "X-Correlation-ID": self.correlation_id,
            },
            timeout=10.0,
            trust_env=False,
        )

    def wait_until_ready(self, timeout: float) -> None:
        """Waits for every service's /health to answer ready (just after `make run`
        they may still be starting)."""
        for name in ("catalog", "dossier", "payment", "feedback", "notification"):
            url = f"{getattr(self.suite, name)}/health"

            def ready(url: str = url) -> bool | None:
                try:
                    return True if self.http.get(url).status_code == 200 else None
                except httpx.TransportError:
                    return None

            eventually(ready, timeout)

    def _ok(self, response: httpx.Response, status: int = 200) -> Any:
        if response.status_code != status:
            raise RuntimeError(
                f"{response.request.method} {response.request.url} answered "
                f"{response.status_code}: {response.text[:500]}"
            )
        return response.json()

    def search(self, words: str) -> list[dict[str, Any]]:
        found = self._ok(
            self.http.get(f"{self.suite.catalog}/procedures", params={"q": words})
        )
        return found["items"]  # type: ignore[no-any-return]

    def procedure(self, code: str) -> dict[str, Any]:
        return self._ok(self.http.get(f"{self.suite.catalog}/procedures/{code}"))  # type: ignore[no-any-return]

    def submit(self, procedure: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
        documents = [
            d["code"] for d in procedure["required_documents"] if d["mandatory"]
        ]
        body = {
            "procedure_code": procedure["code"],
            "form": form,
            "documents": documents,
        }
        # One key for every try of this submission: the portal makes one dossier.
        key = {"Idempotency-Key": str(uuid.uuid4())}

        def submitted() -> dict[str, Any] | None:
            # The dossier service learns the catalogue from catalog.events: right after
            # start-up it may not have read this procedure yet, and answers 404.
            url = f"{self.suite.dossier}/dossiers"
            response = self.http.post(url, json=body, headers=key)
            if response.status_code == 404:
                return None
            replayed = "Idempotent-Replayed" in response.headers
            return self._ok(response, 200 if replayed else 201)

        return eventually(submitted, timeout=60)

    def dossier(self, dossier_id: str) -> dict[str, Any]:
        return self._ok(self.http.get(f"{self.suite.dossier}/dossiers/{dossier_id}"))  # type: ignore[no-any-return]

    def wait_for_order(self, dossier_id: str) -> dict[str, Any]:
        def order() -> dict[str, Any] | None:
            items = self._ok(
                self.http.get(
                    f"{self.suite.payment}/payment-orders",
                    params={"dossier_id": dossier_id},
                )
            )["items"]
            return items[0] if items else None

        return eventually(order)

    def pay(self, order: dict[str, Any]) -> str:
        """Plays the citizen at the bank's page: open it, press Pay."""
        page = self.http.get(order["pay_url"])
        page.raise_for_status()
        paid = self.http.post(order["pay_url"], data={"outcome": "success"})
        if paid.status_code != 200:
            raise RuntimeError(
                f"the gateway answered {paid.status_code}: {paid.text[:500]}"
            )
        return paid.text

    def wait_for_status(self, dossier_id: str, status: str) -> dict[str, Any]:
        def reached() -> dict[str, Any] | None:
            dossier = self.dossier(dossier_id)
            return dossier if dossier["status"] == status else None

        return eventually(reached)

    def wait_for_inbox(self, at_least: int) -> dict[str, Any]:
        def filled() -> dict[str, Any] | None:
            inbox = self._ok(self.http.get(f"{self.suite.notification}/inbox"))
            return inbox if inbox["total"] >= at_least else None

        return eventually(filled)

    def send_feedback(
        self, procedure_code: str, title: str, body: str
    ) -> dict[str, Any]:
        payload = {
            "about": "procedure",
            "procedure_code": procedure_code,
            "title": title,
            "body": body,
        }

        def sent() -> dict[str, Any] | None:
            # Feedback too learns the catalogue from its topic (404 until it has).
            response = self.http.post(f"{self.suite.feedback}/feedback", json=payload)
            return None if response.status_code == 404 else self._ok(response, 201)

        return eventually(sent, timeout=60)

    def close(self) -> None:
        self.http.close()
