"""The service's copy of the catalogue, fed through the real consumer with real
envelopes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from services.dossier.catalogue import terms_of
from services.dossier.domain import ProcedureTerms
from shared.events.catalog import ProcedureWithdrawn, RequiredDocument
from shared.messaging.consumer import EventConsumer
from shared.store import Database
from tests.integration.dossier.kit import (
    KeptDeadLetters,
    catalog_message,
    envelope_of,
    procedure_published,
    procedure_revised,
)


def terms(db: Database, code: str = "1.001193") -> ProcedureTerms:
    with db.transaction() as session:
        kept = terms_of(session, code)
    assert kept is not None, f"{code} is not in the catalogue copy"
    return kept


def known(db: Database, code: str) -> bool:
    with db.transaction() as session:
        return terms_of(session, code) is not None


def test_a_published_procedure_is_kept_with_its_terms(
    db: Database, catalogue: EventConsumer
) -> None:
    outcome = catalogue.handle_batch([catalog_message(procedure_published())])

    assert outcome.handled == 1
    kept = terms(db)
    assert (kept.code, kept.version, kept.name_vi) == (
        "1.001193",
        1,
        "Đăng ký khai sinh",
    )
    assert (kept.agency_code, kept.fee, kept.processing_days) == ("btp", 50_000, 5)
    assert kept.in_force
    assert kept.required_documents[2] == RequiredDocument(
        code="KH-01",
        name_vi="Giấy chứng nhận kết hôn",
        name_en="Marriage certificate",
        mandatory=False,
    )


def test_a_revision_replaces_the_terms_and_a_late_older_version_does_not(
    db: Database, catalogue: EventConsumer
) -> None:
    catalogue.handle_batch(
        [
            catalog_message(procedure_published()),
            catalog_message(procedure_revised(version=2, fee=60_000)),
            catalog_message(procedure_revised(version=1, fee=1)),
        ]
    )

    kept = terms(db)
    assert (kept.version, kept.fee) == (2, 60_000)


def test_a_withdrawn_procedure_stays_known_but_out_of_force(
    db: Database, catalogue: EventConsumer
) -> None:
    withdrawn = ProcedureWithdrawn(
        code="1.001193", version=1, reason="bãi bỏ", effective_from=date(2025, 3, 1)
    )
    catalogue.handle_batch(
        [
            catalog_message(procedure_published()),
            catalog_message(envelope_of(withdrawn, "procedure-1.001193", 2)),
        ]
    )

    kept = terms(db)
    assert (kept.version, kept.in_force) == (1, False)
    assert not known(db, "9.999999")


def test_a_redelivered_event_is_handled_once(
    db: Database, catalogue: EventConsumer
) -> None:
    published = procedure_published()

    first = catalogue.handle_batch([catalog_message(published)])
    again = catalogue.handle_batch([catalog_message(published)])

    assert (first.handled, again.handled, again.duplicates) == (1, 0, 1)
    assert terms(db).version == 1


def test_a_malformed_catalogue_event_is_dead_lettered_and_the_rest_goes_on(
    db: Database, catalogue: EventConsumer, dead_letters: KeptDeadLetters
) -> None:
    broken = procedure_published().model_copy(update={"data": {"code": "1.001193"}})

    outcome = catalogue.handle_batch(
        [catalog_message(broken), catalog_message(procedure_published(code="2.000"))]
    )

    assert outcome.handled == 1
    [(message, reason)] = dead_letters.sent
    assert reason.startswith("invalid ProcedurePublished data")
    assert message.value == broken.to_json().encode()
    assert known(db, "2.000")
