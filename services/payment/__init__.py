"""Fee payment: one payment order per dossier with a fee, settled through a payment
gateway whose signed callbacks may come twice or forged. Consumes `dossier.events`,
publishes `payment.events`; serves a sandbox gateway that stands in for a bank."""
