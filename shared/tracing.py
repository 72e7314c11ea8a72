"""OpenTelemetry set-up, done once per process at its entrypoint, and the carrying of
trace context across Kafka as a W3C `traceparent` (in the envelope and in headers)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)

TRACEPARENT = "traceparent"


class JsonLinesSpanExporter(SpanExporter):
    """Appends each finished span as one JSON line to a file."""

    def __init__(self, path: str) -> None:
        self._path = path

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        with open(self._path, "a", encoding="utf-8") as out:
            for span in spans:
                out.write(json.dumps(json.loads(span.to_json()), ensure_ascii=False))
                out.write("\n")
        return SpanExportResult.SUCCESS


def configure_tracing(service: str, trace_file: str = "") -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if trace_file:
        # Simple (synchronous) export, so a span is on disk when its work is done.
        provider.add_span_processor(
            SimpleSpanProcessor(JsonLinesSpanExporter(trace_file))
        )
    trace.set_tracer_provider(provider)


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT)


def context_from_traceparent(traceparent: str | None) -> otel_context.Context:
    if not traceparent:
        return otel_context.Context()
    return propagate.extract({TRACEPARENT: traceparent})


def headers_with_trace(
    headers: Iterable[tuple[str, bytes]], traceparent: str | None
) -> list[tuple[str, bytes]]:
    out = [(k, v) for k, v in headers if k != TRACEPARENT]
    if traceparent:
        out.append((TRACEPARENT, traceparent.encode()))
    return out


def traceparent_from_headers(
    headers: Iterable[tuple[str, bytes]] | Mapping | None,
) -> str | None:
    if not headers:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key == TRACEPARENT and value:
            # A header is outside input: one that isn't text is no trace context.
            text = (
                value.decode("ascii", "replace")
                if isinstance(value, bytes)
                else str(value)
            )
            return text if text.isascii() and text.isprintable() else None
    return None


__all__ = [
    "BatchSpanProcessor",
    "configure_tracing",
    "context_from_traceparent",
    "current_traceparent",
    "headers_with_trace",
    "traceparent_from_headers",
]
