"""Events the notification service publishes on `notification.events`.

Contact details (addresses, phone numbers) never travel on a topic: only the opaque
recipient id and the channel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.events import topics
from shared.events.registry import EventData, published

Channel = Literal["inbox", "email", "sms"]


@published(topics.NOTIFICATION)
class NotificationSent(EventData):
    notification_id: str
    recipient_id: str
    channel: Channel
    template: str
    cause_event_id: str


@published(topics.NOTIFICATION)
class NotificationFailed(EventData):
    notification_id: str
    recipient_id: str
    channel: Channel
    template: str
    cause_event_id: str
    reason: str


@published(topics.NOTIFICATION)
class NotificationRead(EventData):
    """The recipient opened an inbox message. Kept as an event so the inbox's read
    marks survive a rebuild of the read model."""

    notification_id: str
    recipient_id: str
    read_at: datetime
