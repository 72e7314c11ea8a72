"""Payment orders as aggregates: one stream per order, from the fee requested to its
settlement, failure or expiry. Pure: the time is given, nothing is read or written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from shared.errors import Conflict, Invalid, NotFound
from shared.events.payment import (
    PaymentExpired,
    PaymentFailed,
    PaymentRequested,
    PaymentSettled,
)
from shared.events.registry import EventData

PAYMENT_WINDOW = timedelta(hours=24)
SANDBOX = "sandbox"


class OrderStatus(StrEnum):
    REQUESTED = "requested"
    SETTLED = "settled"
    FAILED = "failed"
    EXPIRED = "expired"


# A failed attempt leaves the order open: the payer may try again.
PAYABLE = frozenset({OrderStatus.REQUESTED, OrderStatus.FAILED})


def stream_id(order_id: str) -> str:
    return f"payment-order-{order_id}"


def fee_description(dossier_code: str, procedure_name_vi: str) -> str:
    return f"Lệ phí hồ sơ {dossier_code} - {procedure_name_vi}"


@dataclass
class PaymentOrder:
    order_id: str
    version: int = 0
    status: OrderStatus | None = None
    dossier_id: str = ""
    payer_id: str = ""
    amount: int = 0
    gateway: str = ""
    transaction_id: str = ""

    @classmethod
    def replay(cls, order_id: str, history: list[EventData]) -> PaymentOrder:
        order = cls(order_id)
        for event in history:
            order.apply(event)
        return order

    def apply(self, event: EventData) -> None:
        self.version += 1
        if isinstance(event, PaymentRequested):
            self.status = OrderStatus.REQUESTED
            self.dossier_id = event.dossier_id
            self.payer_id = event.payer_id
            self.amount = event.amount
            self.gateway = event.gateway
        elif isinstance(event, PaymentSettled):
            self.status = OrderStatus.SETTLED
            self.transaction_id = event.gateway_transaction_id
        elif isinstance(event, PaymentFailed):
            self.status = OrderStatus.FAILED
        elif isinstance(event, PaymentExpired):
            self.status = OrderStatus.EXPIRED

    def request(
        self,
        dossier_id: str,
        payer_id: str,
        amount: int,
        description_vi: str,
        now: datetime,
        gateway: str = SANDBOX,
    ) -> list[EventData]:
        if self.version:
            raise Conflict(f"payment order {self.order_id} already exists")
        if amount <= 0:
            raise Invalid(f"a payment order needs a positive amount, not {amount}")
        requested = PaymentRequested(
            order_id=self.order_id,
            dossier_id=dossier_id,
            payer_id=payer_id,
            amount=amount,
            description_vi=description_vi,
            gateway=gateway,
            expires_at=now + PAYMENT_WINDOW,
        )
        return [requested]

    def settle(
        self, gateway: str, amount: int, transaction_id: str, settled_at: datetime
    ) -> list[EventData]:
        """Nothing new when the order is already settled or expired: a gateway may
        call back twice, or late."""
        self._check_confirmation(gateway, amount)
        if self.status not in PAYABLE:
            return []
        settled = PaymentSettled(
            order_id=self.order_id,
            dossier_id=self.dossier_id,
            payer_id=self.payer_id,
            amount=self.amount,
            gateway=self.gateway,
            gateway_transaction_id=transaction_id,
            settled_at=settled_at,
        )
        return [settled]

    def fail(
        self, gateway: str, amount: int, transaction_id: str, reason: str
    ) -> list[EventData]:
        """Only an order still awaiting payment fails; a failure reported after a
        settlement (out of order) or a second time changes nothing."""
        self._check_confirmation(gateway, amount)
        if self.status is not OrderStatus.REQUESTED:
            return []
        failed = PaymentFailed(
            order_id=self.order_id,
            dossier_id=self.dossier_id,
            payer_id=self.payer_id,
            reason=reason,
            gateway=self.gateway,
            gateway_transaction_id=transaction_id,
        )
        return [failed]

    def _check_confirmation(self, gateway: str, amount: int) -> None:
        if not self.version:
            raise NotFound(f"no payment order {self.order_id}")
        if gateway != self.gateway:
            raise Invalid(
                f"payment order {self.order_id} is payable through {self.gateway}, "
                f"not {gateway}"
            )
        if amount != self.amount:
            raise Invalid(
                f"the gateway confirmed {amount} đồng for payment order "
                f"{self.order_id}, which is for {self.amount} đồng",
                expected_amount=self.amount,
                confirmed_amount=amount,
            )
