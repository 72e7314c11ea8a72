"""HTTP plumbing every service's API shares: problem details, health, metrics,
correlation ids, tracing and the bearer-token dependency."""
