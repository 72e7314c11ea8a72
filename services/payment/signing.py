"""Signed gateway confirmations: the canonical form the gateway and this service both
sign, an HMAC-SHA256 over it with the gateway's secret, and its constant-time check.

The canonical form is JSON with sorted keys, no spaces, UTF-8, the amount as an
integer and the time as RFC 3339 UTC with microseconds and a `Z`, so that two equal
confirmations give the same bytes whatever the key order or UTC offset they came in.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.errors import Unauthenticated
from shared.http.fields import Text

Outcome = Literal["success", "failure"]


class Confirmation(BaseModel):
    """What a gateway reports about one attempt to pay an order."""

    # Forbidden extras: nothing unsigned rides along with a signed confirmation.
    model_config = ConfigDict(extra="forbid", frozen=True)

    order_id: Text = Field(min_length=1, max_length=100)
    amount: int = Field(gt=0, strict=True, description="đồng")
    transaction_id: Text = Field(min_length=1, max_length=100)
    outcome: Outcome
    paid_at: AwareDatetime


class SignedConfirmation(Confirmation):
    signature: str = Field(max_length=128, description="hex HMAC-SHA256")

    def unsigned(self) -> Confirmation:
        return Confirmation.model_validate(self.model_dump(exclude={"signature"}))


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(confirmation: Confirmation) -> bytes:
    fields = {
        "amount": confirmation.amount,
        "order_id": confirmation.order_id,
        "outcome": confirmation.outcome,
        "paid_at": rfc3339(confirmation.paid_at),
        "transaction_id": confirmation.transaction_id,
    }
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def signature_of(confirmation: Confirmation, secret: bytes) -> str:
    return hmac.new(secret, canonical(confirmation), hashlib.sha256).hexdigest()


def sign(confirmation: Confirmation, secret: bytes) -> SignedConfirmation:
    signature = signature_of(confirmation, secret)
    return SignedConfirmation(**confirmation.model_dump(), signature=signature)


def verify(signed: SignedConfirmation, secret: bytes) -> Confirmation:
    """The confirmation without its signature, if the signature is the gateway's;
    Unauthenticated otherwise."""
    confirmation = signed.unsigned()
    expected = signature_of(confirmation, secret).encode()
    # Compared as bytes: compare_digest refuses non-ASCII text instead of failing it.
    if not hmac.compare_digest(expected, signed.signature.encode("utf-8")):
        raise Unauthenticated("the confirmation's signature is not the gateway's")
    return confirmation
