"""The sandbox gateway, standing in for a bank: for an order it signs a confirmation
of the payer's choice (pay or cancel) with its own secret, and calls the payment
service back over HTTP, as a bank would, at the service's public URL."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from services.payment.signing import Confirmation, Outcome, SignedConfirmation, sign
from shared.http.app import CORRELATION_HEADER
from shared.logging import correlation_id

log = logging.getLogger(__name__)

CALLBACK_PATH = "/payment-callbacks/sandbox"


@dataclass(frozen=True)
class CallbackAnswer:
    """The service's answer to a callback; no status when it could not be reached."""

    status: int | None
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.status == 200


def new_transaction_id() -> str:
    return f"SBX{uuid.uuid4().hex[:16].upper()}"


class SandboxBank:
    def __init__(self, secret: bytes, service_url: str, timeout: float) -> None:
        self._secret = secret
        self.callback_url = service_url.rstrip("/") + CALLBACK_PATH
        self.timeout = timeout

    def confirm(
        self, order_id: str, amount: int, outcome: Outcome, now: datetime
    ) -> SignedConfirmation:
        confirmation = Confirmation(
            order_id=order_id,
            amount=amount,
            transaction_id=new_transaction_id(),
            outcome=outcome,
            paid_at=now,
        )
        return sign(confirmation, self._secret)

    async def call_back(self, signed: SignedConfirmation) -> CallbackAnswer:
        """Asynchronous, so that the page waiting for the callback holds none of the
        threads the service's synchronous routes, the callback's own among them,
        run in."""
        headers = {"Content-Type": "application/json"}
        if cid := correlation_id.get():
            headers[CORRELATION_HEADER] = cid
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout, trust_env=False
            ) as client:
                response = await client.post(
                    self.callback_url, content=signed.model_dump_json(), headers=headers
                )
        except httpx.HTTPError as error:
            log.warning(
                "sandbox callback not delivered",
                extra={"order_id": signed.order_id, "error": type(error).__name__},
            )
            return CallbackAnswer(None, {"title": "Không gọi được / Unreachable"})
        return CallbackAnswer(response.status_code, _json_body(response))


def _json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
