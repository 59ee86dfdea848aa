"""What the console's pages need, as small interfaces; `ConsoleServices` bundles them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from console.sessions import TokenVerifier
from console.today_ports import NoQueues, WorkQueues
from orders.domain.ports import OrderRepository
from shared.clock import Clock
from shared.form_tokens import new_nonce
from stats.domain.alerts import AlertLog
from stats.domain.ports import AggregateStore


class SignInRefused(Exception):
    """Wrong username or password, or an account that may not sign in (never says which)."""


class Authenticator(Protocol):
    def sign_in(self, username: str, password: str) -> str:
        """The ID token of the session; raises `SignInRefused`."""
        ...


class NotificationHistory(Protocol):
    """The notification capability's log of one order (recipients masked)."""

    def entries(self, order_id: str) -> Sequence[Any]: ...


class OrderReturns(Protocol):
    """The service capability's returns of one order."""

    def returns(self, order_id: str) -> Sequence[Any]: ...


class _Nothing:
    def entries(self, order_id: str) -> Sequence[Any]:
        return []

    def returns(self, order_id: str) -> Sequence[Any]:
        return []


@dataclass
class ConsoleServices:
    verifier: TokenVerifier
    authenticator: Authenticator
    orders: OrderRepository
    aggregates: AggregateStore
    alerts: AlertLog
    form_keys: Callable[[], Sequence[str]]  # current key first
    clock: Clock
    new_nonce: Callable[[], str] = field(default=new_nonce)
    notifications: NotificationHistory = field(default_factory=_Nothing)
    returns: OrderReturns = field(default_factory=_Nothing)
    queues: WorkQueues = field(default_factory=NoQueues)
