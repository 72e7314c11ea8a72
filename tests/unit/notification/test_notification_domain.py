"""The notification aggregate: one notice per cause and channel, read by its
recipient alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notification.domain import Notification, notification_id, stream_id
from shared.errors import NotFound
from shared.events.notification import NotificationRead, NotificationSent

NOW = datetime(2025, 3, 5, 8, 0, tzinfo=UTC)


def sent(to: str = "citizen-1") -> Notification:
    notification = Notification(notification_id("cause-1", "inbox"))
    return Notification.replay(
        notification.id,
        notification.send(to, "inbox", "dossier-submitted.v1", "cause-1"),
    )


def test_the_id_follows_from_the_cause_and_the_channel() -> None:
    assert notification_id("cause-1", "inbox") == notification_id("cause-1", "inbox")
    assert notification_id("cause-1", "inbox") != notification_id("cause-2", "inbox")
    assert notification_id("cause-1", "inbox") != notification_id("cause-1", "email")
    assert stream_id("abc") == "notification-abc"


def test_sending_records_recipient_channel_template_and_cause() -> None:
    notification = Notification("n-1")
    [event] = notification.send("citizen-1", "inbox", "dossier-submitted.v1", "cause-1")

    assert event == NotificationSent(
        notification_id="n-1",
        recipient_id="citizen-1",
        channel="inbox",
        template="dossier-submitted.v1",
        cause_event_id="cause-1",
    )


def test_a_notice_already_sent_is_not_sent_again() -> None:
    notification = sent()
    assert notification.version == 1
    assert (
        notification.send("citizen-1", "inbox", "dossier-submitted.v1", "cause-1") == []
    )


def test_the_recipient_marks_it_read_once() -> None:
    notification = sent()
    [event] = notification.mark_read("citizen-1", NOW)
    assert event == NotificationRead(
        notification_id=notification.id, recipient_id="citizen-1", read_at=NOW
    )

    notification.apply(event)
    assert notification.read_at == NOW
    assert notification.mark_read("citizen-1", NOW) == []


@pytest.mark.parametrize("reader", ["citizen-2", ""])
def test_someone_elses_notice_is_not_found(reader: str) -> None:
    with pytest.raises(NotFound):
        sent().mark_read(reader, NOW)


def test_a_notice_never_sent_is_not_found() -> None:
    with pytest.raises(NotFound):
        Notification("n-404").mark_read("citizen-1", NOW)
