from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class DossierSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="DOSSIER_", extra="ignore", frozen=True
    )

    service_name: str = "dossier"
    port: int = 8002
