"""Catalogue commands: load the procedure's stream, decide, append, project, commit."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from services.catalog.domain import Procedure, stream_id
from services.catalog.readmodel import HANDLERS
from shared.events.envelope import Envelope
from shared.events.registry import registry
from shared.store import Causation, Database, EventStore

log = logging.getLogger(__name__)

store = EventStore("catalog")


def _load(session: Session, code: str) -> Procedure:
    history = store.load(session, stream_id(code))
    return Procedure.replay(code, [registry.parse(e.type, e.data) for e in history])


def _append_and_project(
    session: Session, procedure: Procedure, events: list[Any]
) -> list[Envelope]:
    envelopes = store.append(
        session,
        stream_id(procedure.code),
        procedure.version,
        events,
        Causation.current(),
    )
    # The catalogue's own read model is updated in the same transaction, so a
    # procedure is searchable as soon as the command returns.
    for event, envelope in zip(events, envelopes, strict=True):
        HANDLERS[type(event)](session, event, envelope)
    return envelopes


def publish_or_revise(
    db: Database, fields: dict[str, Any], effective_from: date
) -> list[Envelope]:
    with db.transaction() as session:
        procedure = _load(session, fields["code"])
        if procedure.version == 0:
            events = procedure.publish(fields, effective_from)
        else:
            events = procedure.revise(fields, effective_from)
        return _append_and_project(session, procedure, events) if events else []


def seed(db: Database, data_file: Path, effective_from: date | None = None) -> int:
    """Publishes every procedure of the data file that is new or changed."""
    entries = json.loads(data_file.read_text(encoding="utf-8"))
    changed = 0
    for entry in entries:
        changed += bool(publish_or_revise(db, entry, effective_from or date.today()))
    log.info(
        "catalogue seeded", extra={"procedures": len(entries), "published": changed}
    )
    return changed
