"""What the bench moves: the dossier service's `DossierSubmitted`, a typical envelope,
on a topic of the run's own; and the read model a consumer builds from it."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic_settings import SettingsConfigDict
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.orm import Session

from shared.events.dossier import DossierSubmitted
from shared.events.envelope import Envelope
from shared.events.registry import EventRegistry, EventSpec
from shared.messaging.consumer import DeadLetterSink, EventConsumer
from shared.settings import ServiceSettings
from shared.store import Database

CONSUMER_NAME = "bench-dossiers"


class BenchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BENCH_", extra="ignore", frozen=True)

    service_name: str = "bench"
    topic: str = "bench.events"


def bench_registry(topic: str) -> EventRegistry:
    """The real contract on the run's own topic, leaving the portal's registry alone."""
    events = EventRegistry()
    events.add(EventSpec("DossierSubmitted", DossierSubmitted, 1, topic))
    return events


def submitted(n: int) -> DossierSubmitted:
    return DossierSubmitted(
        dossier_id=f"dossier-{n:08d}",
        dossier_code=f"000.00.31.H29-250301-{n:06d}",
        procedure_code="1.001193",
        procedure_version=3,
        procedure_name_vi="Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
        agency_code="SGTVT-HN",
        applicant_id=f"3f9c2a4e-{n:04x}-4c1e-9a57-0d4c7f3b2e11"[:36],
        applicant_kind="citizen",
        fee=135_000,
        form={"hang": "B2", "noi_cap": "Hà Nội", "ly_do": "Hết hạn"},
        documents=("to-khai.pdf", "anh-chan-dung.jpg", "giay-kham-suc-khoe.pdf"),
        submitted_at=datetime(2025, 3, 1, 2, 30, tzinfo=UTC),
    )


def typical_envelope(topic: str) -> bytes:
    spec = bench_registry(topic).for_model(DossierSubmitted)
    return (
        Envelope(
            source="/services/dossier",
            type=spec.type,
            subject="dossier-00000001",
            dataschema=spec.dataschema,
            data=submitted(1).model_dump(mode="json"),
            sequence=1,
            correlationid="7d1f6f0e-5c43-4a38-9d7b-2f6f2f1d9a10",
            traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .to_json()
        .encode()
    )


read_model = MetaData()

# One row per event: what a typical read-model handler writes.
submissions = Table(
    "bench_submissions",
    read_model,
    Column("event_id", String(36), primary_key=True),
    Column("dossier_id", String(40), nullable=False),
    Column("procedure_code", String(40), nullable=False),
    Column("agency_code", String(40), nullable=False),
    Column("fee", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
)


def record(session: Session, event: DossierSubmitted, envelope: Envelope) -> None:
    session.execute(
        submissions.insert().values(
            event_id=envelope.id,
            dossier_id=event.dossier_id,
            procedure_code=event.procedure_code,
            agency_code=event.agency_code,
            fee=event.fee,
            sequence=envelope.sequence,
        )
    )


def build_consumer(
    topic: str, db: Database, dead_letters: DeadLetterSink
) -> EventConsumer:
    return EventConsumer(
        CONSUMER_NAME,
        [topic],
        {DossierSubmitted: record},
        db,
        dead_letters,
        read_model=read_model,
        events_registry=bench_registry(topic),
    )
