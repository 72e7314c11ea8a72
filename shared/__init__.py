"""The portal's common library: event envelope and contracts, event store, outbox
relay, consumers, settings, logging, tracing, auth and HTTP plumbing.

Services import this package and their own; never one another.
"""
