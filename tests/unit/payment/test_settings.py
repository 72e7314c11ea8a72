"""Without a gateway secret the payment API does not start."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from services.payment.bootstrap import build_app
from services.payment.settings import GatewaySecretMissing, PaymentSettings


@pytest.mark.parametrize("secret", ["", "too-short"])
def test_the_api_refuses_to_start_without_a_real_secret(
    secret: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAYMENT_GATEWAY_SECRET", raising=False)
    settings = PaymentSettings(
        gateway_secret=SecretStr(secret), database_url="sqlite://"
    )

    with pytest.raises(GatewaySecretMissing, match="PAYMENT_GATEWAY_SECRET"):
        build_app(settings)


def test_the_secret_and_public_url_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAYMENT_GATEWAY_SECRET", "s" * 32)
    monkeypatch.setenv("PAYMENT_PUBLIC_URL", "http://pay.example/")

    settings = PaymentSettings()

    assert settings.gateway_key() == b"s" * 32
    assert settings.base_url() == "http://pay.example"
    assert settings.port == 8003
    assert "s" * 32 not in repr(settings)
