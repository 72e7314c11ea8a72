"""The portal's topics: one history topic per publishing service, one dead-letter
topic per consuming service."""

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
