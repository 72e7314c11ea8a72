from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import MisconfiguredService, ServiceSettings

MIN_SECRET_LENGTH = 16


class GatewaySecretMissing(MisconfiguredService):
    """The API refuses to start without a gateway secret: it would accept anything."""


class PaymentSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="PAYMENT_", extra="ignore", frozen=True, validate_by_name=True
    )

    service_name: str = "payment"
    port: int = 8003
    # Where a gateway reaches this service (its callbacks) and where citizens pay.
    public_url: str = "http://127.0.0.1:8003"
    # Shared with the sandbox gateway, which signs its callbacks with it. No usable
    # default: `gateway_key()` fails closed while it is empty.
    gateway_secret: SecretStr = SecretStr("")
    callback_timeout_seconds: float = 10.0

    def gateway_key(self) -> bytes:
        secret = self.gateway_secret.get_secret_value()
        if len(secret) < MIN_SECRET_LENGTH:
            raise GatewaySecretMissing(
                "PAYMENT_GATEWAY_SECRET must be set to at least "
                f"{MIN_SECRET_LENGTH} characters; the payment API does not start "
                "without it"
            )
        return secret.encode()

    def base_url(self) -> str:
        return self.public_url.rstrip("/")
