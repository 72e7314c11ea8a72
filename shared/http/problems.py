"""Errors as RFC 9457 problem details. The one place where error types become status
codes; a stack trace never reaches the caller."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shared.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
)
from shared.store.eventstore import ConcurrencyConflict

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    Invalid: 422,
    Conflict: 409,
    Forbidden: 403,
    Unauthenticated: 401,
    DomainError: 400,
}


# Titles of the errors the framework raises itself (routing, body parsing).
FRAMEWORK_TITLES: dict[int, str] = {
    400: "Yêu cầu không hợp lệ / Bad request",
    401: Unauthenticated.title,
    403: Forbidden.title,
    404: NotFound.title,
    405: "Phương thức không được hỗ trợ / Method not allowed",
    406: "Không có định dạng phù hợp / Not acceptable",
    409: Conflict.title,
    413: "Yêu cầu quá lớn / Request too large",
    415: "Kiểu nội dung không được hỗ trợ / Unsupported media type",
    422: Invalid.title,
    429: "Quá nhiều yêu cầu / Too many requests",
}


def framework_title(status: int) -> str:
    if status in FRAMEWORK_TITLES:
        return FRAMEWORK_TITLES[status]
    try:
        english = HTTPStatus(status).phrase
    except ValueError:
        english = "Error"
    return f"Lỗi {status} / {english}"


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON

    def render(self, content: Any) -> bytes:
        # A detail may echo what the caller sent, half a character (a lone
        # surrogate, which JSON can escape) included: replaced, never a 500.
        text = json.dumps(
            content, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        )
        return text.encode("utf-8", "replace")


def problem(
    status: int, title: str, detail: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return ProblemResponse(body, status_code=status, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, error: DomainError) -> JSONResponse:
        status = next(s for cls, s in STATUS_OF.items() if isinstance(error, cls))
        return problem(status, error.title, error.detail, **error.extensions)

    @app.exception_handler(ConcurrencyConflict)
    async def concurrency_conflict(
        _request: Request, error: ConcurrencyConflict
    ) -> JSONResponse:
        return problem(
            409,
            "Hồ sơ vừa được cập nhật bởi yêu cầu khác / Changed by another request",
            "The record changed while this request was handled; reload and try again.",
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(
        _request: Request, error: RequestValidationError
    ) -> JSONResponse:
        errors = [
            {
                "loc": list(e.get("loc", ())),
                "msg": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in error.errors()
        ]
        return problem(
            422,
            "Dữ liệu không hợp lệ / Invalid data",
            "The request does not match its schema.",
            errors=errors,
        )

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, error: HTTPException) -> JSONResponse:
        title = framework_title(error.status_code)
        detail = str(error.detail) if error.detail else None
        if detail and detail.lower() in title.lower():
            detail = None  # "Not Found" says nothing the title does not
        answer = problem(error.status_code, title, detail)
        # Kept: a 405 names the methods its path takes in Allow.
        answer.headers.update(error.headers or {})
        return answer

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(
            500, "Lỗi hệ thống / Internal error", "The error has been logged."
        )
