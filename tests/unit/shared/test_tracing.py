"""Trace context carried as a W3C traceparent, in headers and envelopes."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from shared.tracing import (
    context_from_traceparent,
    current_traceparent,
    headers_with_trace,
    traceparent_from_headers,
)

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_a_traceparent_survives_extraction_and_injection() -> None:
    span = trace.get_current_span(context_from_traceparent(TRACEPARENT))
    assert format(span.get_span_context().trace_id, "032x") == TRACEPARENT[3:35]
    with trace.use_span(NonRecordingSpan(span.get_span_context())):
        assert current_traceparent() == TRACEPARENT


def test_without_a_span_there_is_no_traceparent() -> None:
    assert current_traceparent() is None
    context = context_from_traceparent(None)
    assert not trace.get_current_span(context).get_span_context().is_valid


def test_headers_carry_exactly_one_traceparent() -> None:
    headers = [("content-type", b"x"), ("traceparent", b"old")]
    assert headers_with_trace(headers, TRACEPARENT) == [
        ("content-type", b"x"),
        ("traceparent", TRACEPARENT.encode()),
    ]
    assert headers_with_trace(headers, None) == [("content-type", b"x")]


def test_a_traceparent_is_read_from_header_lists_and_mappings() -> None:
    assert (
        traceparent_from_headers([("traceparent", TRACEPARENT.encode())]) == TRACEPARENT
    )
    assert traceparent_from_headers({"traceparent": TRACEPARENT}) == TRACEPARENT
    assert traceparent_from_headers([("other", b"x")]) is None
    assert traceparent_from_headers(None) is None
    assert traceparent_from_headers([("traceparent", b"")]) is None


def test_an_invalid_traceparent_starts_no_trace() -> None:
    span = trace.get_current_span(context_from_traceparent("00-garbage"))
    assert not span.get_span_context().is_valid
    sampled_off = NonRecordingSpan(SpanContext(1, 2, False, TraceFlags(0)))
    with trace.use_span(sampled_off):
        assert current_traceparent() == f"00-{1:032x}-{2:016x}-00"
