"""The portal's topics: one history topic per publishing service, one dead-letter
topic per consuming service.

Code names topics by these logical names. Where a message meets Kafka (relay, agents,
dead letters, replay, admin) the name goes through `physical`, which puts the
`KAFKA_TOPIC_PREFIX` of the environment in front: one broker can then hold several
independent suites, as the tests do (one suite per test on one broker).
"""

import os

CATALOG = "catalog.events"
DOSSIER = "dossier.events"
PAYMENT = "payment.events"
FEEDBACK = "feedback.events"
NOTIFICATION = "notification.events"

HISTORY_TOPICS = (CATALOG, DOSSIER, PAYMENT, FEEDBACK, NOTIFICATION)

SERVICES = ("catalog", "dossier", "payment", "feedback", "notification")


def dead_letter_topic(service: str) -> str:
    return f"{service}.dead-letter"


def history_topic(service: str) -> str:
    return f"{service}.events"


def physical(topic: str) -> str:
    return os.environ.get("KAFKA_TOPIC_PREFIX", "") + topic
