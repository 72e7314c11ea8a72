"""Event rates of the shared kit beside raw Kafka, on the machine at hand.

    python -m bench [--events 20000]

Raw confluent-kafka produce and consume set the ceiling; the outbox relay and a
consumer (in-process, and inside the faust worker) are measured against it.
"""
