"""Notices to citizens and businesses. This first form writes every step of a dossier
and its payment to the recipient's in-app inbox, in Vietnamese with English beside it,
from `dossier.events` and `payment.events`. Publishes `notification.events`."""
