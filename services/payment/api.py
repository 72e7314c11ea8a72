"""The payment API: payers read their orders, gateways call back, and the sandbox
gateway shows its payment page and plays the bank."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from services.payment import pages
from services.payment.application import record_confirmation
from services.payment.domain import SANDBOX
from services.payment.readmodel import find_order, orders_of
from services.payment.sandbox import SandboxBank
from services.payment.settings import PaymentSettings
from services.payment.signing import Outcome, SignedConfirmation, verify
from services.payment.views import order_view
from shared.errors import NotFound
from shared.events.envelope import utcnow
from shared.http.app import Caller, Ctx, ServiceContext

orders = APIRouter(prefix="/payment-orders", tags=["payment orders"])
callbacks = APIRouter(prefix="/payment-callbacks", tags=["gateway callbacks"])
sandbox = APIRouter(prefix="/sandbox-gateway", tags=["sandbox gateway"])

OrderId = Annotated[str, Path(min_length=1, max_length=36)]


def _bank(ctx: Ctx) -> SandboxBank:
    return ctx.extras["bank"]  # type: ignore[no-any-return]


def _gateway_key(ctx: Ctx) -> bytes:
    return ctx.extras["gateway_key"]  # type: ignore[no-any-return]


Bank = Annotated[SandboxBank, Depends(_bank)]
GatewayKey = Annotated[bytes, Depends(_gateway_key)]
FormOutcome = Annotated[Outcome, Form()]


def _base_url(ctx: ServiceContext) -> str:
    settings = ctx.settings
    assert isinstance(settings, PaymentSettings)
    return settings.base_url()


def _order(ctx: ServiceContext, order_id: str) -> dict[str, Any]:
    row = find_order(ctx.db, order_id)
    if row is None:
        raise NotFound(f"no payment order {order_id}")
    return order_view(row, _base_url(ctx))


@orders.get("")
def list_my_orders(
    ctx: Ctx,
    caller: Caller,
    dossier_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> dict[str, Any]:
    rows = orders_of(ctx.db, caller.subject_id, dossier_id)
    return {"items": [order_view(row, _base_url(ctx)) for row in rows]}


@orders.get("/{order_id}")
def get_my_order(ctx: Ctx, caller: Caller, order_id: OrderId) -> dict[str, Any]:
    order = _order(ctx, order_id)
    # Someone else's order is answered as a missing one: its existence is not news.
    if order["payer_id"] != caller.subject_id:
        raise NotFound(f"no payment order {order_id}")
    return order


@callbacks.post("/sandbox")
def sandbox_callback(
    ctx: Ctx, key: GatewayKey, signed: SignedConfirmation
) -> dict[str, Any]:
    confirmation = verify(signed, key)
    recorded = record_confirmation(ctx.db, confirmation, SANDBOX)
    return {**_order(ctx, confirmation.order_id), "recorded": recorded}


@sandbox.get("/pay/{order_id}", response_class=HTMLResponse)
def payment_page(ctx: Ctx, order_id: OrderId) -> HTMLResponse:
    return HTMLResponse(pages.payment_page(_order(ctx, order_id)))


@sandbox.post("/pay/{order_id}", response_class=HTMLResponse)
async def pay(
    ctx: Ctx, bank: Bank, order_id: OrderId, outcome: FormOutcome
) -> HTMLResponse:
    # Async: the store is read in the thread pool, the callback awaited outside it.
    order = await run_in_threadpool(_order, ctx, order_id)
    if order["pay_url"] is None:
        return HTMLResponse(pages.payment_page(order), status_code=409)
    signed = bank.confirm(order_id, order["amount"], outcome, utcnow())
    answer = await bank.call_back(signed)
    if not answer.accepted:
        page = pages.refused_page(order_id, answer.status, answer.body)
        return HTMLResponse(page, status_code=502)
    paid = await run_in_threadpool(_order, ctx, order_id)
    return HTMLResponse(pages.result_page(paid))
