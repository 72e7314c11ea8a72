"""Builds a service's FastAPI application with everything services share."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import Principal, TokenVerifier
from shared.errors import Invalid, Unauthenticated
from shared.http.problems import (
    PROBLEM_JSON,
    framework_title,
    install_problem_handlers,
    problem,
)
from shared.logging import correlation_id
from shared.messaging.admin import broker_answers
from shared.messaging.lag import LagProbe
from shared.settings import ServiceSettings
from shared.store.database import Database
from shared.store.schema import inbox, outbox

log = logging.getLogger(__name__)

CORRELATION_HEADER = "X-Correlation-ID"
# A caller's correlation id is carried into logs and every event that follows; one
# that is not short visible ASCII is replaced by a fresh one.
_CORRELATION_ID = re.compile(r"[\x21-\x7e]{1,128}")
# No request of the portal's is near this size (a dossier's form is at most 64 KiB);
# a larger body is refused before it is read.
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class ServiceContext:
    """What a service's routes need, built once at start-up and kept on app.state."""

    settings: ServiceSettings
    db: Database
    verifier: TokenVerifier
    consumed_topics: Sequence[str] = ()
    extras: dict[str, Any] = field(default_factory=dict)
    _lag: LagProbe | None = None

    def lag_probe(self) -> LagProbe:
        if self._lag is None:
            self._lag = LagProbe(
                self.settings.kafka_bootstrap,
                self.settings.resolved_group_id(),
                self.consumed_topics,
            )
        return self._lag


def context(request: Request) -> ServiceContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


_bearer = HTTPBearer(auto_error=False)


def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    return context(request).verifier.verify(credentials.credentials)


Caller = Annotated[Principal, Depends(principal)]
Ctx = Annotated[ServiceContext, Depends(context)]


class _StoreCollector:
    """Figures read at scrape time: outbox backlog, events handled, consumer lag."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def collect(self) -> Any:
        with self.ctx.db.transaction() as session:
            backlog = session.scalar(
                select(func.count())
                .select_from(outbox)
                .where(outbox.c.sent_at.is_(None))
            )
            handled = session.execute(
                select(inbox.c.consumer, func.count()).group_by(inbox.c.consumer)
            ).all()
        yield GaugeMetricFamily(
            "portal_outbox_backlog",
            "Outbox rows not yet confirmed by the broker",
            backlog or 0,
        )
        family = GaugeMetricFamily(
            "portal_events_handled", "Events handled, by consumer", labels=["consumer"]
        )
        for consumer, count in handled:
            family.add_metric([consumer], count)
        yield family
        if self.ctx.consumed_topics:
            try:
                lag = self.ctx.lag_probe().lag()
            except Exception:  # noqa: BLE001 - a metric must not fail the scrape
                lag = -1
            yield GaugeMetricFamily(
                "portal_consumer_lag", "Messages not yet consumed", lag
            )


def _readiness(ctx: ServiceContext) -> tuple[bool, dict[str, Any]]:
    checks: dict[str, Any] = {}
    try:
        checks["store"] = ctx.db.ping()
    except Exception as error:  # noqa: BLE001 - reported, not raised
        checks["store"] = False
        checks["store_error"] = type(error).__name__
    checks["broker"] = broker_answers(ctx.settings.kafka_bootstrap)
    if ctx.consumed_topics and checks["broker"]:
        try:
            lag = ctx.lag_probe().lag()
            checks["consumer_lag"] = lag
            checks["consumers_caught_up"] = lag <= ctx.settings.ready_max_lag
        except Exception as error:  # noqa: BLE001
            checks["consumers_caught_up"] = False
            checks["lag_error"] = type(error).__name__
    ready = all(v for k, v in checks.items() if isinstance(v, bool))
    return ready, checks


class RequestGuard:
    """Refuses, before any route sees them, requests no client of the portal sends:
    a NUL character in the path or query (stores refuse it in text) and bodies
    larger than `max_body` bytes, declared or streamed."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            refused = problem(
                422, Invalid.title, "The path or query holds a NUL character."
            )
            await refused(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            await self._too_large()(scope, receive, send)
            return
        await self.app(scope, self._counted(receive), send)

    def _too_large(self) -> JSONResponse:
        return problem(
            413, framework_title(413), f"The body exceeds {self.max_body} bytes."
        )

    def _counted(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                # Raised inside the route's body reading, which lets it through.
                raise HTTPException(413, f"The body exceeds {self.max_body} bytes.")
            return message

        return counted


def create_api(
    ctx: ServiceContext,
    title: str,
    routers: Sequence[APIRouter],
    on_startup: Callable[[ServiceContext], None] | None = None,
    on_shutdown: Callable[[ServiceContext], None] | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if on_startup:
            await run_in_threadpool(on_startup, ctx)
        log.info("api started", extra={"port": ctx.settings.port})
        yield
        if on_shutdown:
            await run_in_threadpool(on_shutdown, ctx)
        if ctx._lag is not None:
            ctx._lag.close()
        ctx.db.dispose()

    app = FastAPI(title=title, lifespan=lifespan)
    app.state.ctx = ctx
    install_problem_handlers(app)
    app.add_middleware(RequestGuard)

    metrics = CollectorRegistry()
    requests = Counter(
        "portal_http_requests",
        "HTTP requests handled",
        ["method", "route", "status"],
        registry=metrics,
    )
    metrics.register(_StoreCollector(ctx))  # type: ignore[arg-type]

    @app.middleware("http")
    async def correlate(request: Request, call_next: Callable[..., Any]) -> Response:
        given = request.headers.get(CORRELATION_HEADER, "")
        cid = given if _CORRELATION_ID.fullmatch(given) else str(uuid.uuid4())
        token = correlation_id.set(cid)
        started = time.perf_counter()
        try:
            response: Response = await call_next(request)
        finally:
            correlation_id.reset(token)
        route = request.scope.get("route")
        requests.labels(
            request.method, getattr(route, "path", "unmatched"), response.status_code
        ).inc()
        response.headers[CORRELATION_HEADER] = cid
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "correlation_id": cid,
            },
        )
        return response

    @app.get("/health/live", tags=["health"])
    def live() -> dict[str, str]:
        return {"status": "live"}

    @app.get("/health", tags=["health"])
    def ready() -> JSONResponse:
        ok, checks = _readiness(ctx)
        return JSONResponse(
            {"status": "ready" if ok else "unready", "checks": checks},
            status_code=200 if ok else 503,
        )

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    def scrape() -> Response:
        return Response(generate_latest(metrics), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    document_problems(app)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health,metrics")
    return app


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; the title in Vietnamese / English.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}


def document_problems(app: FastAPI) -> None:
    """Makes the OpenAPI document say what the API answers: any 4xx is problem JSON
    (or, from a page, HTML), not FastAPI's default validation error."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, routes=app.routes
            )
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = PROBLEM_SCHEMA
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    _problem_responses(operation.setdefault("responses", {}))
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problem_responses(responses: dict[str, Any]) -> None:
    content: dict[str, Any] = {
        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    pages = [r for r in responses.values() if "text/html" in r.get("content", {})]
    if pages:
        content["text/html"] = {"schema": {"type": "string"}}
    for status in [s for s in responses if s.startswith("4")]:
        responses[status] = {**responses[status], "content": content}
    responses["4XX"] = {"description": "Problem details", "content": content}
