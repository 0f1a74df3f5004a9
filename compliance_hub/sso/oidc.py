"""The OpenID Connect protocol, with maintained libraries: authlib's OAuth 2 client for the
authorization code flow with PKCE (S256), joserfc for the ID token (signature from the
provider's JWKS, issuer, audience, expiry, nonce). Nothing here knows about people.

Every request to a provider goes to a public address that was checked (``core.net``: no
second DNS lookup, no redirect, no proxy) with a short timeout (``SSO_TIMEOUT_SECONDS``);
any failure becomes an ``OidcError`` with a reason for the log and a sentence for the person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from compliance_hub.core import net

SCOPE = "openid email"
# Asymmetric signatures only: the client secret must never be able to forge an ID token
# (no HS*), and never "none".
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
MAX_DOCUMENT_BYTES = 256 * 1024  # discovery and JWKS documents: explicit limits


class OidcError(Exception):
    """Signing in with the provider failed. ``reason`` is logged; ``unreachable`` means the
    provider could not be reached (down, timing out, answering nonsense)."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unreachable = unreachable


@dataclass(frozen=True)
class Client:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass(frozen=True)
class Attempt:
    """What the hub keeps (in the session, server-side) while the person is at the provider."""

    url: str  # where to send the browser
    state: str
    nonce: str
    code_verifier: str


def url_problem(url: str, *, resolve: bool = True) -> str | None:
    """Why the hub must not fetch ``url``, or None: https only (``SSO_ALLOW_HTTP`` for local
    work), and (``resolve``) a host resolving to public addresses only, by the hub's one rule
    for outgoing requests (``core.net``; ``SSO_ALLOW_PRIVATE_ISSUERS`` for local work), so a
    provider's settings cannot point the hub's requests at its own network. Every fetch
    checks again, on the address it connects to (``_session``)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and settings.SSO_ALLOW_HTTP):
        return "The issuer must be an https:// address."
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "Enter the issuer URL exactly as your provider states it."
    if not parts.hostname or parts.username:
        return "Enter the issuer URL exactly as your provider states it."
    if resolve and not settings.SSO_ALLOW_PRIVATE_ISSUERS:  # local work: any host, unresolved
        try:
            net.public_addresses(parts.hostname, port, allow_private=False)
        except net.AddressRefused as exc:
            return str(exc)
    return None


def _pinned(session: requests.Session | None = None) -> requests.Session:
    """Requests to a provider: each checked and sent to the address checked (no second DNS
    lookup), no redirect followed, no proxy (``core.net.pinned_session``)."""
    return net.pinned_session(allow_private=settings.SSO_ALLOW_PRIVATE_ISSUERS, session=session)


def _get_json(url: str) -> dict[str, Any]:
    if url_problem(url, resolve=False) is not None:
        raise OidcError("unreachable: refused address", unreachable=True)
    try:
        with _pinned() as session:
            response = session.get(
                url,
                timeout=settings.SSO_TIMEOUT_SECONDS,
                allow_redirects=False,
                headers={"Accept": "application/json"},
                stream=True,
            )
            body = response.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
            response.close()
    except net.AddressRefused as exc:
        raise OidcError("unreachable: refused address", unreachable=True) from exc
    except requests.RequestException as exc:
        raise OidcError(f"unreachable: {type(exc).__name__}", unreachable=True) from exc
    if response.status_code != 200 or len(body) > MAX_DOCUMENT_BYTES:
        raise OidcError(f"unreachable: HTTP {response.status_code}", unreachable=True)
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise OidcError("unreachable: not JSON", unreachable=True) from exc
    if not isinstance(data, dict):
        raise OidcError("unreachable: not a JSON object", unreachable=True)
    return data


def discover(issuer: str) -> dict[str, Any]:
    """The provider's metadata (OpenID Connect Discovery); its ``issuer`` must be exactly the
    configured one, so metadata from elsewhere cannot redirect the flow."""
    metadata = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if metadata.get("issuer") != issuer:
        raise OidcError("discovery: issuer mismatch")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(key), str):
            raise OidcError(f"discovery: no {key}")
    # The browser is sent there (a link and a Refresh header on the hub's page): a web address
    # only, never javascript: or data:, and nothing that cannot go in a header.
    schemes = ("https", "http") if settings.SSO_ALLOW_HTTP else ("https",)
    endpoint = metadata["authorization_endpoint"]
    if urlsplit(endpoint).scheme not in schemes or any(
        ord(ch) < 33 or ord(ch) == 127 or not ch.isascii() for ch in endpoint
    ):
        raise OidcError("discovery: authorization_endpoint not an https address")
    return metadata


def _session(client: Client, **kwargs: Any) -> OAuth2Session:
    return OAuth2Session(
        client_id=client.client_id,
        client_secret=client.client_secret,
        scope=SCOPE,
        redirect_uri=client.redirect_uri,
        code_challenge_method="S256",
        default_timeout=settings.SSO_TIMEOUT_SECONDS,
        **kwargs,
    )


def begin(client: Client) -> Attempt:
    """The authorization request: code flow, PKCE S256, fresh ``state`` and ``nonce``."""
    metadata = discover(client.issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url, _ = _session(client).create_authorization_url(
        metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    return Attempt(url=url, state=state, nonce=nonce, code_verifier=verifier)


def finish(client: Client, *, code: str, code_verifier: str, nonce: str) -> dict[str, Any]:
    """Exchange the code (with the PKCE verifier) and return the validated ID token's claims."""
    metadata = discover(client.issuer)
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth_method = (
        "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    )
    # The token endpoint is checked, and called at the address checked; not wherever it
    # redirects to: a 30x is a failure (as for discovery and keys, max_redirects 0), never
    # followed into the hub's own network.
    session = _session(client, token_endpoint_auth_method=auth_method)
    _pinned(session)
    if url_problem(metadata["token_endpoint"], resolve=False) is not None:
        raise OidcError("unreachable: refused token endpoint", unreachable=True)
    try:
        with session:
            token = session.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
            )
    except net.AddressRefused as exc:
        raise OidcError("unreachable: refused token endpoint", unreachable=True) from exc
    except requests.RequestException as exc:
        raise OidcError(f"unreachable: {type(exc).__name__}", unreachable=True) from exc
    except (AuthlibBaseError, ValueError) as exc:  # the provider refused the code or the client
        raise OidcError(f"token: {exc}") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise OidcError("token: no id_token")
    keys = _get_json(metadata["jwks_uri"])
    return validate_id_token(id_token, keys, client=client, nonce=nonce)


def validate_id_token(
    id_token: str, jwks: dict[str, Any], *, client: Client, nonce: str
) -> dict[str, Any]:
    """OpenID Connect Core 3.1.3.7: signature by one of the provider's keys, ``iss`` the
    configured issuer, ``aud`` containing our client id (and ``azp`` ours when there are
    several), ``exp``/``iat`` within ``SSO_CLOCK_SKEW_SECONDS``, ``nonce`` the one we sent."""
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError) as exc:
        raise OidcError(f"id_token: {type(exc).__name__}") from exc
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=settings.SSO_CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": client.issuer},
        aud={"essential": True, "value": client.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise OidcError("id_token: expired") from exc
    except JoseError as exc:
        raise OidcError(f"id_token: {exc}") from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client.client_id:
        raise OidcError("id_token: azp")
    return claims
