"""Notifications as aggregates: one stream per notification, whose id follows from the
event that caused it and the channel, so a cause delivered twice finds its notice
already sent, even where the consumer's inbox has forgotten it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.errors import NotFound
from shared.events.notification import Channel, NotificationRead, NotificationSent
from shared.events.registry import EventData

# Fixed forever: changing it would give every past cause a new notification id.
NAMESPACE = uuid.UUID("5b0c3a8e-3f0e-4d36-9a39-6f1c2a7d9e41")


def notification_id(cause_event_id: str, channel: Channel) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{channel}/{cause_event_id}"))


def stream_id(notification_id: str) -> str:
    return f"notification-{notification_id}"


@dataclass
class Notification:
    id: str
    version: int = 0
    recipient_id: str | None = None
    channel: Channel | None = None
    read_at: datetime | None = None

    @classmethod
    def replay(cls, notification_id: str, history: list[EventData]) -> Notification:
        notification = cls(notification_id)
        for event in history:
            notification.apply(event)
        return notification

    def apply(self, event: EventData) -> None:
        self.version += 1
        if isinstance(event, NotificationSent):
            self.recipient_id = event.recipient_id
            self.channel = event.channel
        elif isinstance(event, NotificationRead):
            self.read_at = event.read_at

    @property
    def sent(self) -> bool:
        return self.recipient_id is not None

    def send(
        self, recipient_id: str, channel: Channel, template: str, cause_event_id: str
    ) -> list[EventData]:
        if self.sent:
            return []
        return [
            NotificationSent(
                notification_id=self.id,
                recipient_id=recipient_id,
                channel=channel,
                template=template,
                cause_event_id=cause_event_id,
            )
        ]

    def mark_read(self, reader_id: str, at: datetime) -> list[EventData]:
        # Someone else's message is answered exactly like a missing one.
        if self.channel != "inbox" or self.recipient_id != reader_id:
            raise NotFound(f"Không có tin nhắn {self.id} / no message {self.id}")
        if self.read_at is not None:
            return []
        return [
            NotificationRead(
                notification_id=self.id, recipient_id=reader_id, read_at=at
            )
        ]
