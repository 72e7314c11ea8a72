"""Kafka plumbing: topic provisioning, the outbox relay, consumers with an idempotent
inbox and a dead-letter topic, and replay of a topic from its beginning."""
