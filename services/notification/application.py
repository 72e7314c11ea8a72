"""Notification handlers: an event of another service becomes an inbox message and a
`NotificationSent`, in the transaction that records the event as handled; a recipient
marks a message read."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from services.notification import readmodel
from services.notification.domain import Notification, notification_id, stream_id
from services.notification.templates import TEMPLATES, Message, template_for
from shared.errors import NotFound
from shared.events.dossier import DossierSubmitted
from shared.events.envelope import Envelope, utcnow
from shared.events.registry import EventData, registry
from shared.messaging.consumer import Handler
from shared.store import Causation, ConcurrencyConflict, Database, EventStore

log = logging.getLogger(__name__)

store = EventStore("notification")


def _load(session: Session, notification_id: str) -> Notification:
    history = store.load(session, stream_id(notification_id))
    return Notification.replay(
        notification_id, [registry.parse(e.type, e.data) for e in history]
    )


def notify(session: Session, event: EventData, envelope: Envelope) -> None:
    dossier_id = getattr(event, "dossier_id", None)
    dossier = readmodel.dossier_ref(session, dossier_id)
    message = template_for(event).render(event, dossier)
    message_id = notification_id(envelope.id, "inbox")

    notification = _load(session, message_id)
    if not _record_sent(session, notification, message, envelope):
        return
    readmodel.put_message(
        session,
        message_id,
        message,
        dossier_id=dossier_id,
        cause_type=envelope.type,
        cause_event_id=envelope.id,
        created_at=envelope.time,
        read_at=notification.read_at,
    )


def _record_sent(
    session: Session, notification: Notification, message: Message, envelope: Envelope
) -> bool:
    """Appends NotificationSent unless this notice was sent before (a replay or a
    rebuild, whose inbox row may still be missing). False when a concurrent handler
    sent it first: its inbox row commits with it."""
    new = notification.send(
        message.recipient_id, "inbox", message.template, envelope.id
    )
    if not new:
        log.info(
            "notification already sent",
            extra={"notification_id": notification.id, "event_id": envelope.id},
        )
        return True
    try:
        store.append(
            session,
            stream_id(notification.id),
            notification.version,
            new,
            Causation.following(envelope),
        )
    except ConcurrencyConflict:
        log.info(
            "notification sent concurrently",
            extra={"notification_id": notification.id, "event_id": envelope.id},
        )
        return False
    return True


def on_dossier_submitted(
    session: Session, event: DossierSubmitted, envelope: Envelope
) -> None:
    readmodel.remember_dossier(
        session, event.dossier_id, event.dossier_code, event.procedure_name_vi
    )
    notify(session, event, envelope)


HANDLERS: dict[type[EventData], Handler] = {model: notify for model in TEMPLATES}
HANDLERS[DossierSubmitted] = on_dossier_submitted


def mark_read(db: Database, reader_id: str, message_id: str) -> dict[str, Any]:
    with db.transaction() as session:
        notification = _load(session, message_id)
        now = utcnow()
        new = notification.mark_read(reader_id, now)
        if new:
            store.append(
                session,
                stream_id(message_id),
                notification.version,
                new,
                Causation.current(),
            )
            readmodel.mark_read(session, message_id, now)
        shown = readmodel.message(session, message_id)
        if shown is None:
            # Sent but not yet back in a rebuilding inbox: nothing to show yet.
            raise NotFound(f"Không có tin nhắn {message_id} / no message {message_id}")
    return shown
