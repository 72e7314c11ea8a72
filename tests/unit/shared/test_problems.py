"""Problem details as the HTTP layer renders them: every refusal reaches the caller
as RFC 9457 JSON, whatever text the refused request carried."""

from __future__ import annotations

import json

from shared.http.problems import PROBLEM_JSON, framework_title, problem


def test_a_detail_echoing_half_a_character_is_still_rendered() -> None:
    response = problem(422, "Dữ liệu không hợp lệ / Invalid data", "no code \ud800")

    assert response.media_type == PROBLEM_JSON
    body = json.loads(bytes(response.body).decode("utf-8"))
    assert body["title"] == "Dữ liệu không hợp lệ / Invalid data"
    assert body["detail"].startswith("no code ")


def test_extensions_echoing_half_a_character_are_still_rendered() -> None:
    response = problem(422, "t / t", unknown_documents=["\udfff"])

    assert json.loads(bytes(response.body))["unknown_documents"] == ["?"]


def test_framework_errors_get_titles_in_both_languages() -> None:
    assert framework_title(404) == "Không tìm thấy / Not found"
    assert framework_title(405) == "Phương thức không được hỗ trợ / Method not allowed"
    assert framework_title(418) == "Lỗi 418 / I'm a Teapot"
