"""One trace runs from an HTTP command through the outbox and Kafka to the consumer."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select

from shared.events.topics import physical
from shared.store.schema import inbox
from tests.support.probe_rig import Probe, spans


def _trace_id(span: dict[str, Any]) -> str:
    return span["context"]["trace_id"].removeprefix("0x")


def _post(probe: Probe, stream_id: str, headers: dict[str, str] | None = None) -> str:
    response = httpx.post(
        f"{probe.url}/probe",
        json={"stream_id": stream_id, "values": [7]},
        headers=headers,
        trust_env=False,
    )
    assert response.status_code == 201, response.text
    (event,) = response.json()["events"]
    return event["id"]


def test_the_consumer_span_of_an_event_continues_the_trace_of_the_http_command(
    make_probe: Callable[..., Probe],
) -> None:
    """First with the caller's W3C traceparent, then with a trace the API starts
    itself: in both, the API's server span, the relay's publish span and the
    worker's process span share one trace id, and the inbox records it."""
    probe = make_probe()
    probe.start_api()
    worker = probe.start_worker()
    caller_trace, caller_span = secrets.token_hex(16), secrets.token_hex(8)
    given = _post(
        probe, "traced-1", {"traceparent": f"00-{caller_trace}-{caller_span}-01"}
    )
    started = _post(probe, "traced-2")
    probe.wait_for_effects(worker, [given, started])

    def finished() -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
        api = [
            s for s in spans(probe.trace_file("api")) if s["kind"] == "SpanKind.SERVER"
        ]
        process = [
            s
            for s in spans(probe.trace_file("worker"))
            if s["kind"] == "SpanKind.CONSUMER"
        ]
        return (api, process) if len(api) >= 2 and len(process) >= 2 else None

    server_spans, process_spans = worker.wait_for(
        finished, 30, what="the spans on disk"
    )
    consumer_span = {s["attributes"]["messaging.message.id"]: s for s in process_spans}
    assert (
        consumer_span[given]["name"] == f"{physical(probe.topic)} process ProbeRecorded"
    )
    assert _trace_id(consumer_span[given]) == caller_trace

    server_by_trace = {_trace_id(s): s for s in server_spans}
    assert server_by_trace[caller_trace]["parent_id"] == f"0x{caller_span}"
    assert server_by_trace[caller_trace]["name"] == "POST /probe"
    own_trace = _trace_id(consumer_span[started])
    assert own_trace != caller_trace
    assert server_by_trace[own_trace]["parent_id"] is None

    publish_traces = {
        _trace_id(s)
        for s in spans(probe.trace_file("worker"))
        if s["kind"] == "SpanKind.PRODUCER"
    }
    assert {caller_trace, own_trace} <= publish_traces
    with probe.db.transaction() as session:
        recorded = dict(
            session.execute(select(inbox.c.event_id, inbox.c.trace_id)).all()
        )
    assert recorded == {given: caller_trace, started: own_trace}
