"""Who is calling: bearer JWTs verified against a JWKS (file or URL).

`sub` is an opaque, stable subject id (as in OpenID Connect); events carry it and never
the personal id number or tax code, which stays in the token for the service at hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import jwt

from shared.errors import Unauthenticated

SubjectKind = Literal["citizen", "business", "officer"]
ALGORITHMS = ["RS256", "ES256"]
# The widest subject id every service's store holds (applicant, payer, recipient).
MAX_SUBJECT_ID = 200
MAX_CLAIM = 200


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
            subject_id=_subject(claims),
            kind=kind,
            personal_id=_text_claim(claims, "pid"),
            agency_code=_text_claim(claims, "agency"),
            roles=_roles(claims),
            name=_text_claim(claims, "name"),
        )


def _clean(value: Any, limit: int) -> bool:
    # Stores refuse NUL in text (PostgreSQL); ids reach their columns as they are.
    return isinstance(value, str) and len(value) <= limit and "\x00" not in value


def _text_claim(claims: dict[str, Any], name: str) -> str | None:
    """A signed claim is still data: one of the wrong shape refuses the token, so
    it never reaches a query or a store as something other than short text."""
    value = claims.get(name)
    if value is not None and not _clean(value, MAX_CLAIM):
        raise Unauthenticated(f"token has no valid {name!r} claim")
    return value


def _subject(claims: dict[str, Any]) -> str:
    subject = claims.get("sub")
    if not subject or not _clean(subject, MAX_SUBJECT_ID):
        raise Unauthenticated("token has no valid 'sub' claim")
    return str(subject)


def _roles(claims: dict[str, Any]) -> frozenset[str]:
    roles = claims.get("roles", ())
    if not isinstance(roles, list | tuple) or not all(
        _clean(role, MAX_CLAIM) for role in roles
    ):
        raise Unauthenticated("token has no valid 'roles' claim")
    return frozenset(roles)
