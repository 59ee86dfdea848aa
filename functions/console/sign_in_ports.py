"""What sign-in challenges, the operator's account page and signing out need (docs/console.md,
"Sign-in challenges and signing out"): the results of a sign-in step, the operator's Cognito account
(TOTP enrolment, ending the session at Cognito) and the list of revoked sessions the verifier reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"  # noqa: S105 - a challenge name
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"  # noqa: S105 - a challenge name
ANSWERED_CHALLENGES = (NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA)
"""The challenges the console's pages answer; any other (SMS, MFA_SETUP on a pool that requires MFA)
is refused like a wrong password: the console's pool has optional TOTP MFA and no SMS."""


@dataclass(frozen=True)
class Tokens:
    """A finished sign-in: the ID token is the session; the access token calls Cognito for the
    operator (TOTP enrolment); the refresh token is revoked on sign-out."""

    id_token: str
    access_token: str = ""
    refresh_token: str = ""


@dataclass(frozen=True)
class Challenge:
    """Cognito wants more before it gives tokens: `name`, and the `session` to answer it with (valid
    3 minutes), for `username`."""

    name: str
    session: str
    username: str


SignInStep = Tokens | Challenge


class ChallengeRefused(Exception):
    """A wrong code or a password the policy refuses; the challenge can be answered again.
    `reason` is `wrong_code` or `password_refused`; `detail` Cognito's own message (no PII)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class ChallengeExpired(Exception):
    """The challenge's session is over (3 minutes, or answered wrongly too often): sign in again."""


class AccountRefused(Exception):
    """Cognito refused the operator's access token (expired, revoked): sign in again."""


@dataclass(frozen=True)
class TotpEnrolment:
    """A TOTP secret Cognito associated with the operator, not yet verified."""

    secret: str


class OperatorAccount(Protocol):
    """The signed-in operator's own Cognito account, reached with the session's access token."""

    def totp_enabled(self, access_token: str) -> bool:
        """Whether TOTP MFA is on for the operator; raises `AccountRefused`."""
        ...

    def begin_totp(self, access_token: str) -> TotpEnrolment:
        """AssociateSoftwareToken; raises `AccountRefused`."""
        ...

    def confirm_totp(self, access_token: str, code: str) -> None:
        """VerifySoftwareToken then SetUserMFAPreference (TOTP enabled and preferred); raises
        `ChallengeRefused('wrong_code')` or `AccountRefused`."""
        ...

    def end_session(self, refresh_token: str) -> None:
        """RevokeToken: the refresh token and the access tokens it issued stop working at Cognito."""
        ...


class RevokedSessions(Protocol):
    """Sessions signed out before their tokens expire, by the token's `origin_jti` (or `jti`)."""

    def revoke(self, session_id: str, expires: int) -> None: ...

    def is_revoked(self, session_id: str) -> bool: ...


class _NoAccount:
    def totp_enabled(self, access_token: str) -> bool:
        raise AccountRefused

    def begin_totp(self, access_token: str) -> TotpEnrolment:
        raise AccountRefused

    def confirm_totp(self, access_token: str, code: str) -> None:
        raise AccountRefused

    def end_session(self, refresh_token: str) -> None:
        return None


@dataclass
class RevokedInMemory:
    """Revoked sessions held by one process: the default of tests that do not sign out."""

    expiries: dict[str, int] = field(default_factory=dict)

    def revoke(self, session_id: str, expires: int) -> None:
        self.expiries[session_id] = expires

    def is_revoked(self, session_id: str) -> bool:
        return session_id in self.expiries


@dataclass
class SessionServices:
    """The one `ConsoleServices` field of sign-in, the account page and sign-out."""

    account: OperatorAccount = field(default_factory=_NoAccount)
    revoked: RevokedSessions = field(default_factory=RevokedInMemory)
