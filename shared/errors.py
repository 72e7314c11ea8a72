"""Domain errors. Domain and application code raise these; the HTTP layer alone maps
them to status codes (shared.http.problems)."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. `title` is shown to the caller: Vietnamese first,
    English second."""

    title = "Yêu cầu không hợp lệ / Invalid request"

    def __init__(self, detail: str, **extensions: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(DomainError):
    title = "Không tìm thấy / Not found"


class Invalid(DomainError):
    title = "Dữ liệu không hợp lệ / Invalid data"


class Conflict(DomainError):
    title = "Xung đột trạng thái / Conflict"


class Forbidden(DomainError):
    title = "Không có quyền / Forbidden"


class Unauthenticated(DomainError):
    title = "Chưa xác thực / Not authenticated"
