"""Dossiers: what citizens and businesses submit for a procedure, from submission to
result, and their national dossier codes. Keeps its own projection of the catalogue
(from `catalog.events`), learns of paid fees from `payment.events`, and publishes
`dossier.events`."""
