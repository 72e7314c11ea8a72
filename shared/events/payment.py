"""Events the payment service publishes on `payment.events`. Amounts in đồng."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.events import topics
from shared.events.registry import EventData, published


@published(topics.PAYMENT)
class PaymentRequested(EventData):
    order_id: str
    dossier_id: str
    payer_id: str
    amount: int = Field(gt=0)
    description_vi: str
    gateway: str
    expires_at: datetime


@published(topics.PAYMENT)
class PaymentSettled(EventData):
    order_id: str
    dossier_id: str
    payer_id: str
    amount: int = Field(gt=0)
    gateway: str
    gateway_transaction_id: str
    settled_at: datetime


@published(topics.PAYMENT)
class PaymentFailed(EventData):
    order_id: str
    dossier_id: str
    payer_id: str
    reason: str
    # Which gateway attempt failed, for reconciliation; absent from the first events.
    gateway: str = ""
    gateway_transaction_id: str = ""


@published(topics.PAYMENT)
class PaymentExpired(EventData):
    order_id: str
    dossier_id: str
    payer_id: str


@published(topics.PAYMENT)
class PaymentRefunded(EventData):
    order_id: str
    dossier_id: str
    payer_id: str
    amount: int = Field(gt=0)
    reason: str
