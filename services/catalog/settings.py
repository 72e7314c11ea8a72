from pathlib import Path

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

DATA_FILE = Path(__file__).parent / "data" / "procedures.json"


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="CATALOG_", extra="ignore", frozen=True
    )

    service_name: str = "catalog"
    port: int = 8001
    seed_file: Path = DATA_FILE
