"""The catalogue of administrative procedures: what can be applied for, by whom, where,
for what fee and with which documents. Publishes `catalog.events`."""
