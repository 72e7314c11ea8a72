from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="FEEDBACK_", extra="ignore", frozen=True
    )

    service_name: str = "feedback"
    port: int = 8004
    # Where feedback on a regulation goes when it names no procedure: the Government
    # Office (Văn phòng Chính phủ), which receives feedback on regulations nationally.
    default_agency: str = "vpcp"
