"""Payment commands: load the order's stream, decide, append, project, commit.

`request_fee` handles DossierSubmitted from dossier.events; `record_confirmation`
handles a gateway's verified callback.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import Column, DateTime, MetaData, String, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.payment.domain import (
    OrderStatus,
    PaymentOrder,
    fee_description,
    stream_id,
)
from services.payment.readmodel import HANDLERS
from services.payment.signing import Confirmation
from shared.events.dossier import DossierSubmitted
from shared.events.envelope import Envelope, utcnow
from shared.events.registry import EventData, registry
from shared.store import Causation, Database, EventStore

log = logging.getLogger(__name__)

store = EventStore("payment")

DECLINED_VI_EN = "Giao dịch bị hủy tại cổng thanh toán / Declined at the gateway"

# The command side's own bookkeeping: not a read model, never dropped by a rebuild.
ledger = MetaData()

# One order per dossier: a second DossierSubmitted for the same dossier (a redelivery
# under a new event id, a republished history) finds its row here and does nothing.
dossier_orders = Table(
    "dossier_orders",
    ledger,
    Column("dossier_id", String(100), primary_key=True),
    Column("order_id", String(36), nullable=False, unique=True),
    Column("cause_event_id", String(36), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


def _load(session: Session, order_id: str) -> PaymentOrder:
    history = store.load(session, stream_id(order_id))
    events = [registry.parse(e.type, e.data) for e in history]
    return PaymentOrder.replay(order_id, events)


def _append_and_project(
    session: Session, order: PaymentOrder, events: list[EventData], causation: Causation
) -> list[Envelope]:
    envelopes = store.append(
        session, stream_id(order.order_id), order.version, events, causation
    )
    # The read model moves in the same transaction: the order reads as settled as
    # soon as the callback is answered.
    for event, envelope in zip(events, envelopes, strict=True):
        HANDLERS[type(event)](session, event, envelope)
        order.apply(event)
    return envelopes


def _claim_dossier(
    session: Session, dossier_id: str, order_id: str, cause: Envelope
) -> bool:
    """Records the dossier's order; False if the dossier already has one."""
    insert = (
        pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )
    statement = insert(dossier_orders).values(
        dossier_id=dossier_id,
        order_id=order_id,
        cause_event_id=cause.id,
        recorded_at=utcnow(),
    )
    claimed = statement.on_conflict_do_nothing().returning(dossier_orders.c.order_id)
    return session.execute(claimed).first() is not None


def request_fee(session: Session, event: DossierSubmitted, envelope: Envelope) -> None:
    """Issues the dossier's payment order when its procedure has a fee."""
    facts = {"dossier_id": event.dossier_id, "event_id": envelope.id}
    if event.fee == 0:
        log.info("free procedure: no payment order", extra=facts)
        return
    order = PaymentOrder(str(uuid.uuid4()))
    if not _claim_dossier(session, event.dossier_id, order.order_id, envelope):
        log.info("dossier already has a payment order", extra=facts)
        return

    events = order.request(
        dossier_id=event.dossier_id,
        payer_id=event.applicant_id,
        amount=event.fee,
        description_vi=fee_description(event.dossier_code, event.procedure_name_vi),
        now=utcnow(),
    )
    _append_and_project(session, order, events, Causation.following(envelope))
    log.info(
        "payment order issued",
        extra={**facts, "order_id": order.order_id, "amount": event.fee},
    )


def record_confirmation(db: Database, confirmation: Confirmation, gateway: str) -> bool:
    """Settles or fails the order a verified confirmation is about; False when the
    order had already been decided (a repeated or late callback)."""
    with db.transaction() as session:
        order = _load(session, confirmation.order_id)
        events = _decide(order, confirmation, gateway)
        if events:
            _append_and_project(session, order, events, Causation.current())
    facts = {
        "order_id": confirmation.order_id,
        "outcome": confirmation.outcome,
        "gateway_transaction_id": confirmation.transaction_id,
        "status": order.status.value if order.status else None,
    }
    if events:
        log.info("gateway confirmation recorded", extra=facts)
    elif _paid_twice(order, confirmation):
        # Reconciliation (to come) refunds the second payment; nothing is lost here.
        log.warning("a second payment for a settled order", extra=facts)
    else:
        log.info("gateway confirmation changed nothing", extra=facts)
    return bool(events)


def _paid_twice(order: PaymentOrder, confirmation: Confirmation) -> bool:
    return (
        confirmation.outcome == "success"
        and order.status is OrderStatus.SETTLED
        and order.transaction_id != confirmation.transaction_id
    )


def _decide(
    order: PaymentOrder, confirmation: Confirmation, gateway: str
) -> list[EventData]:
    if confirmation.outcome == "success":
        return order.settle(
            gateway,
            confirmation.amount,
            confirmation.transaction_id,
            confirmation.paid_at,
        )
    return order.fail(
        gateway, confirmation.amount, confirmation.transaction_id, DECLINED_VI_EN
    )
