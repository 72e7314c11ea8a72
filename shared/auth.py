"""Who is calling: bearer JWTs verified against a JWKS (file or URL).

`sub` is an opaque, stable subject id (as in OpenID Connect); events carry it and never
the personal id number or tax code, which stays in the token for the service at hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

import jwt

from shared.errors import Unauthenticated

SubjectKind = Literal["citizen", "business", "officer"]
ALGORITHMS = ["RS256", "ES256"]


@dataclass(frozen=True)
class Principal:
    subject_id: str
    kind: SubjectKind
    personal_id: str | None = None
    agency_code: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    name: str | None = None

    def has_role(self, role: str) -> bool:
        return role in self.roles


class TokenVerifier:
    def __init__(self, jwks: str, issuer: str, audience: str) -> None:
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience

    @cached_property
    def _url_client(self) -> jwt.PyJWKClient:
        return jwt.PyJWKClient(self.jwks, cache_keys=True, lifespan=300)

    def _key_for(self, token: str) -> jwt.PyJWK:
        if self.jwks.startswith(("http://", "https://")):
            return self._url_client.get_signing_key_from_jwt(token)
        kid = jwt.get_unverified_header(token).get("kid")
        keys = jwt.PyJWKSet.from_dict(json.loads(Path(self.jwks).read_text()))
        for key in keys.keys:
            if kid is None or key.key_id == kid:
                return key
        raise jwt.InvalidKeyError(f"no key {kid!r} in the JWKS")

    def verify(self, token: str) -> Principal:
        try:
            key = self._key_for(token)
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["sub", "exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, OSError, ValueError) as error:
            raise Unauthenticated(f"invalid bearer token: {error}") from None
        kind = claims.get("kind")
        if kind not in ("citizen", "business", "officer"):
            raise Unauthenticated("token has no valid 'kind' claim")
        return Principal(
            subject_id=claims["sub"],
            kind=kind,
            personal_id=claims.get("pid"),
            agency_code=claims.get("agency"),
            roles=frozenset(claims.get("roles", ())),
            name=claims.get("name"),
        )
