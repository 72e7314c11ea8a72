"""Bearer tokens: a valid one names its caller; any other is refused as
unauthenticated."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from shared.auth import Principal, TokenVerifier
from shared.devissuer import AUDIENCE, ISSUER, ensure_keys, issue
from shared.errors import Unauthenticated


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def verifier(key_dir: Path) -> TokenVerifier:
    _, jwks = ensure_keys(key_dir)
    return TokenVerifier(str(jwks), ISSUER, AUDIENCE)


def _tampered(token: str, **claims: object) -> str:
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body.update(claims)
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_valid_token_gives_the_principal_it_names(
    verifier: TokenVerifier, key_dir: Path
) -> None:
    token = issue(
        "officer-7",
        "officer",
        personal_id="001099012345",
        agency="UBND-HN",
        roles=("reviewer", "approver"),
        name="Nguyễn Văn A",
        key_dir=key_dir,
    )
    assert verifier.verify(token) == Principal(
        subject_id="officer-7",
        kind="officer",
        personal_id="001099012345",
        agency_code="UBND-HN",
        roles=frozenset({"reviewer", "approver"}),
        name="Nguyễn Văn A",
    )


def test_a_citizen_token_without_optional_claims(
    verifier: TokenVerifier, key_dir: Path
) -> None:
    principal = verifier.verify(issue("citizen-1", "citizen", key_dir=key_dir))
    assert (principal.subject_id, principal.kind, principal.roles) == (
        "citizen-1",
        "citizen",
        frozenset(),
    )
    assert principal.personal_id is None and principal.agency_code is None
    assert not principal.has_role("approver")


def test_an_expired_token_is_refused(verifier: TokenVerifier, key_dir: Path) -> None:
    token = issue("citizen-1", "citizen", ttl=timedelta(seconds=-5), key_dir=key_dir)
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(token)


def test_a_token_for_another_audience_is_refused(key_dir: Path) -> None:
    token = issue("citizen-1", "citizen", key_dir=key_dir)
    _, jwks = ensure_keys(key_dir)
    with pytest.raises(Unauthenticated, match=r"(?i)audience"):
        TokenVerifier(str(jwks), ISSUER, "payment-gateway").verify(token)


def test_a_token_from_another_issuer_is_refused(key_dir: Path) -> None:
    token = issue("citizen-1", "citizen", key_dir=key_dir)
    _, jwks = ensure_keys(key_dir)
    with pytest.raises(Unauthenticated, match=r"(?i)issuer"):
        TokenVerifier(str(jwks), "someone-else", AUDIENCE).verify(token)


@pytest.mark.parametrize(
    "claims", [{"sub": "citizen-2"}, {"kind": "officer"}, {"roles": ["approver"]}]
)
def test_a_tampered_token_is_refused(
    verifier: TokenVerifier, key_dir: Path, claims: dict[str, object]
) -> None:
    token = issue("citizen-1", "citizen", key_dir=key_dir)
    with pytest.raises(Unauthenticated, match="invalid bearer token"):
        verifier.verify(_tampered(token, **claims))


def test_a_token_signed_with_another_key_is_refused(
    verifier: TokenVerifier, tmp_path: Path
) -> None:
    stranger = issue("citizen-1", "citizen", key_dir=tmp_path / "stranger")
    with pytest.raises(Unauthenticated, match="no key"):
        verifier.verify(stranger)


def test_a_token_with_the_right_kid_but_another_key_is_refused(
    verifier: TokenVerifier, key_dir: Path, tmp_path: Path
) -> None:
    ours = issue("citizen-1", "citizen", key_dir=key_dir)
    kid = jwt.get_unverified_header(ours)["kid"]
    private, _ = ensure_keys(tmp_path / "stranger")
    forged = jwt.encode(
        jwt.decode(ours, options={"verify_signature": False}),
        private.read_bytes(),
        algorithm="RS256",
        headers={"kid": kid},
    )
    with pytest.raises(Unauthenticated, match="Signature verification failed"):
        verifier.verify(forged)


def test_an_unsigned_token_is_refused(verifier: TokenVerifier, key_dir: Path) -> None:
    claims = jwt.decode(
        issue("citizen-1", "citizen", key_dir=key_dir),
        options={"verify_signature": False},
    )
    unsigned = jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(Unauthenticated):
        verifier.verify(unsigned)


def test_a_token_without_a_known_kind_is_refused(
    verifier: TokenVerifier, key_dir: Path
) -> None:
    with pytest.raises(Unauthenticated, match="kind"):
        verifier.verify(issue("robot-1", "robot", key_dir=key_dir))


@pytest.mark.parametrize("garbage", ["", "not-a-jwt", "a.b.c"])
def test_garbage_is_refused(verifier: TokenVerifier, garbage: str) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify(garbage)


def test_a_missing_jwks_file_refuses_every_token(key_dir: Path, tmp_path: Path) -> None:
    token = issue("citizen-1", "citizen", key_dir=key_dir)
    with pytest.raises(Unauthenticated):
        TokenVerifier(str(tmp_path / "absent.json"), ISSUER, AUDIENCE).verify(token)


def _signed_with_claims(key_dir: Path, **claims: object) -> str:
    """A token signed by the real issuer's key, with claims of the test's choosing."""
    token = issue("citizen-1", "citizen", key_dir=key_dir)
    body = jwt.decode(token, options={"verify_signature": False})
    body.update(claims)
    body = {name: value for name, value in body.items() if value is not None}
    private, _ = ensure_keys(key_dir)
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.encode(
        body, private.read_bytes(), algorithm="RS256", headers={"kid": kid}
    )


@pytest.mark.parametrize(
    "claims",
    [
        {"roles": 5},
        {"roles": [["nested"]]},
        {"roles": "approver"},
        {"agency": ["UBND-HN"], "kind": "officer"},
        {"agency": {"code": "UBND-HN"}, "kind": "officer"},
        {"agency": 7, "kind": "officer"},
        {"name": {"given": "An"}},
        {"pid": 1234},
        {"sub": ""},
        {"sub": "x" * 201},
        {"sub": "citizen\x001"},
        {"agency": "UBND\x00HN", "kind": "officer"},
    ],
    ids=lambda claims: repr(claims)[:40],
)
def test_a_signed_token_with_malformed_claims_is_refused(
    verifier: TokenVerifier, key_dir: Path, claims: dict[str, object]
) -> None:
    with pytest.raises(Unauthenticated):
        verifier.verify(_signed_with_claims(key_dir, **claims))


def test_a_subject_id_as_long_as_the_stores_hold_is_accepted(
    verifier: TokenVerifier, key_dir: Path
) -> None:
    principal = verifier.verify(_signed_with_claims(key_dir, sub="s" * 200))
    assert principal.subject_id == "s" * 200
