"""A development token issuer: signs bearer tokens for local use with a key pair kept
under var/dev-keys, and publishes the public half as the JWKS the services read.

    python -m shared.devissuer token --kind citizen --pid 001099012345
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import jwt
import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from shared.settings import VAR_DIR

KEY_DIR = VAR_DIR / "dev-keys"
ISSUER = "portal-dev-issuer"
AUDIENCE = "portal"

cli = typer.Typer(
    help="Development token issuer (never for production).", no_args_is_help=True
)


def ensure_keys(key_dir: Path = KEY_DIR) -> tuple[Path, Path]:
    private_path, jwks_path = key_dir / "private.pem", key_dir / "jwks.json"
    if private_path.exists() and jwks_path.exists():
        return private_path, jwks_path
    key_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private_path.chmod(0o600)
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": f"dev-{uuid.uuid4().hex[:8]}", "use": "sig", "alg": "RS256"})
    jwks_path.write_text(json.dumps({"keys": [public]}, indent=2))
    return private_path, jwks_path


def issue(
    subject_id: str,
    kind: str,
    personal_id: str | None = None,
    agency: str | None = None,
    roles: tuple[str, ...] = (),
    name: str | None = None,
    ttl: timedelta = timedelta(hours=8),
    key_dir: Path = KEY_DIR,
) -> str:
    private_path, jwks_path = ensure_keys(key_dir)
    kid = json.loads(jwks_path.read_text())["keys"][0]["kid"]
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject_id,
        "kind": kind,
        "iat": now,
        "exp": now + ttl,
        "roles": list(roles),
    }
    optional = {"pid": personal_id, "agency": agency, "name": name}
    claims.update({k: v for k, v in optional.items() if v})
    return jwt.encode(
        claims, private_path.read_bytes(), algorithm="RS256", headers={"kid": kid}
    )


@cli.command()
def token(
    kind: Annotated[str, typer.Option(help="citizen, business or officer")] = "citizen",
    sub: Annotated[
        str, typer.Option(help="opaque subject id; random if not given")
    ] = "",
    pid: Annotated[str, typer.Option(help="personal id number or tax code")] = "",
    agency: Annotated[str, typer.Option(help="agency code, for officers")] = "",
    role: Annotated[list[str], typer.Option(help="a role; repeat for several")] = [],  # noqa: B006
    name: Annotated[str, typer.Option(help="display name")] = "",
    hours: Annotated[int, typer.Option(help="validity in hours")] = 8,
) -> None:
    """Print a signed bearer token."""
    subject = sub or str(uuid.uuid4())
    signed = issue(
        subject,
        kind,
        pid or None,
        agency or None,
        tuple(role),
        name or None,
        timedelta(hours=hours),
    )
    typer.echo(signed)


@cli.command()
def keys() -> None:
    """Create the key pair and JWKS if they do not exist; print the JWKS path."""
    typer.echo(str(ensure_keys()[1]))


if __name__ == "__main__":
    cli()
