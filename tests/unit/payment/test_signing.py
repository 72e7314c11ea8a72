"""Gateway confirmations are signed over a stable canonical form; anything else
fails the check."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.payment.signing import (
    Confirmation,
    SignedConfirmation,
    canonical,
    sign,
    verify,
)
from shared.errors import Unauthenticated

SECRET = b"sandbox-secret-for-unit-tests"
PAID_AT = datetime(2026, 3, 2, 1, 30, 15, 250_000, tzinfo=UTC)
CANONICAL = (
    b'{"amount":135000,"order_id":"7f0c7d1e-0000-4000-8000-000000000001",'
    b'"outcome":"success","paid_at":"2026-03-02T01:30:15.250000Z",'
    b'"transaction_id":"SBX0123456789ABCDEF"}'
)


def confirmation(**changes: object) -> Confirmation:
    fields: dict[str, object] = {
        "order_id": "7f0c7d1e-0000-4000-8000-000000000001",
        "amount": 135_000,
        "transaction_id": "SBX0123456789ABCDEF",
        "outcome": "success",
        "paid_at": PAID_AT,
    }
    return Confirmation.model_validate({**fields, **changes})


def test_the_canonical_form_is_sorted_compact_json_in_utc() -> None:
    assert canonical(confirmation()) == CANONICAL


def test_the_canonical_form_ignores_key_order_and_utc_offset() -> None:
    in_hanoi = PAID_AT.astimezone(timezone(timedelta(hours=7)))
    reordered = Confirmation.model_validate_json(
        '{"paid_at":"' + in_hanoi.isoformat() + '","outcome":"success",'
        '"transaction_id":"SBX0123456789ABCDEF","amount":135000,'
        '"order_id":"7f0c7d1e-0000-4000-8000-000000000001"}'
    )

    assert canonical(reordered) == CANONICAL


def test_the_signature_is_hmac_sha256_of_the_canonical_form() -> None:
    signed = sign(confirmation(), SECRET)

    assert signed.signature == hmac.new(SECRET, CANONICAL, hashlib.sha256).hexdigest()
    assert verify(signed, SECRET) == confirmation()


def test_a_signature_survives_the_trip_as_json() -> None:
    wire = sign(confirmation(), SECRET).model_dump_json()

    assert verify(SignedConfirmation.model_validate_json(wire), SECRET) == (
        confirmation()
    )


def test_a_signature_made_with_another_secret_fails() -> None:
    forged = sign(confirmation(), b"not-the-gateway-secret")

    with pytest.raises(Unauthenticated, match="not the gateway's"):
        verify(forged, SECRET)


@pytest.mark.parametrize(
    "tampering",
    [
        {"amount": 1_000},
        {"outcome": "failure"},
        {"order_id": "7f0c7d1e-0000-4000-8000-000000000002"},
        {"transaction_id": "SBX-REPLAYED"},
        {"paid_at": PAID_AT + timedelta(seconds=1)},
    ],
)
def test_a_tampered_field_fails(tampering: dict[str, object]) -> None:
    signed = sign(confirmation(), SECRET)
    tampered = SignedConfirmation.model_validate({**signed.model_dump(), **tampering})

    with pytest.raises(Unauthenticated):
        verify(tampered, SECRET)


@pytest.mark.parametrize("signature", ["", "00" * 32, "đ" * 64, "zz"])
def test_a_garbage_signature_fails_cleanly(signature: str) -> None:
    signed = sign(confirmation(), SECRET).model_copy(update={"signature": signature})

    with pytest.raises(Unauthenticated):
        verify(signed, SECRET)


def test_unsigned_extra_fields_are_refused() -> None:
    wire = sign(confirmation(), SECRET).model_dump()

    with pytest.raises(ValidationError):
        SignedConfirmation.model_validate({**wire, "refund_to": "attacker"})


def test_a_time_without_offset_or_an_amount_as_text_is_refused() -> None:
    with pytest.raises(ValidationError):
        confirmation(paid_at=datetime(2026, 3, 2, 1, 30))
    with pytest.raises(ValidationError):
        confirmation(amount="135000")
