"""Feedback and recommendations from people and businesses on a procedure or a
regulation, routed to the responsible agency through the service's own projection of
`catalog.events`. Publishes `feedback.events`."""
