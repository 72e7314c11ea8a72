"""Payment orders as payers and the gateway page read them: one row per order with its
current status. Built from payment.events; every handler is safe to apply twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.payment.domain import OrderStatus
from shared.events.envelope import Envelope
from shared.events.payment import (
    PaymentExpired,
    PaymentFailed,
    PaymentRequested,
    PaymentSettled,
)
from shared.events.registry import EventData
from shared.messaging.consumer import Handler
from shared.store import Database

read_model = MetaData()

payment_orders = Table(
    "payment_orders",
    read_model,
    Column("order_id", String(36), primary_key=True),
    Column("dossier_id", String(100), nullable=False, index=True),
    # As wide as the longest subject id a token may carry (shared.auth).
    Column("payer_id", String(200), nullable=False, index=True),
    Column("amount", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),
    Column("description_vi", Text, nullable=False),
    Column("gateway", String(40), nullable=False),
    Column("gateway_transaction_id", String(100)),
    Column("failure_reason", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("settled_at", DateTime(timezone=True)),
    # The order's stream version this row reflects; older events never overwrite it.
    Column("version", Integer, nullable=False),
)


def _requested(session: Session, event: PaymentRequested, envelope: Envelope) -> None:
    insert = (
        pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )
    row = {
        "order_id": event.order_id,
        "dossier_id": event.dossier_id,
        "payer_id": event.payer_id,
        "amount": event.amount,
        "status": OrderStatus.REQUESTED.value,
        "description_vi": event.description_vi,
        "gateway": event.gateway,
        "created_at": envelope.time,
        "expires_at": event.expires_at,
        "version": envelope.sequence,
    }
    statement = insert(payment_orders).values(row)
    session.execute(statement.on_conflict_do_nothing(index_elements=["order_id"]))


def _advance(
    session: Session, order_id: str, envelope: Envelope, **values: Any
) -> None:
    session.execute(
        update(payment_orders)
        .where(
            payment_orders.c.order_id == order_id,
            payment_orders.c.version < envelope.sequence,
        )
        .values(version=envelope.sequence, **values)
    )


def _settled(session: Session, event: PaymentSettled, envelope: Envelope) -> None:
    _advance(
        session,
        event.order_id,
        envelope,
        status=OrderStatus.SETTLED.value,
        gateway_transaction_id=event.gateway_transaction_id,
        settled_at=event.settled_at,
        failure_reason=None,
    )


def _failed(session: Session, event: PaymentFailed, envelope: Envelope) -> None:
    _advance(
        session,
        event.order_id,
        envelope,
        status=OrderStatus.FAILED.value,
        gateway_transaction_id=event.gateway_transaction_id or None,
        failure_reason=event.reason,
    )


def _expired(session: Session, event: PaymentExpired, envelope: Envelope) -> None:
    _advance(session, event.order_id, envelope, status=OrderStatus.EXPIRED.value)


HANDLERS: dict[type[EventData], Handler] = {
    PaymentRequested: _requested,
    PaymentSettled: _settled,
    PaymentFailed: _failed,
    PaymentExpired: _expired,
}


def find_order(db: Database, order_id: str) -> dict[str, Any] | None:
    with db.transaction() as session:
        row = session.execute(
            select(payment_orders).where(payment_orders.c.order_id == order_id)
        ).mappings()
        found = row.first()
    return dict(found) if found else None


def orders_of(
    db: Database, payer_id: str, dossier_id: str | None = None
) -> list[dict[str, Any]]:
    query = select(payment_orders).where(payment_orders.c.payer_id == payer_id)
    if dossier_id is not None:
        query = query.where(payment_orders.c.dossier_id == dossier_id)
    newest_first = (payment_orders.c.created_at.desc(), payment_orders.c.order_id)
    query = query.order_by(*newest_first)
    with db.transaction() as session:
        return [dict(r) for r in session.execute(query).mappings()]
