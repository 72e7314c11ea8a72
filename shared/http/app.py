"""Builds a service's FastAPI application with everything services share."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
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

from shared.auth import Principal, TokenVerifier
from shared.errors import Unauthenticated
from shared.http.problems import install_problem_handlers
from shared.logging import correlation_id
from shared.messaging.admin import broker_answers
from shared.messaging.lag import LagProbe
from shared.settings import ServiceSettings
from shared.store.database import Database
from shared.store.schema import inbox, outbox

log = logging.getLogger(__name__)

CORRELATION_HEADER = "X-Correlation-ID"


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
        cid = request.headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
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

    @app.get("/metrics", tags=["health"])
    def scrape() -> Response:
        return Response(generate_latest(metrics), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health,metrics")
    return app
