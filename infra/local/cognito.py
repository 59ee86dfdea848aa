"""The console's Cognito user pool in moto's `cognito-idp`, created from the template's resources
(`AWS::Cognito::UserPool`, `UserPoolClient`, `UserPoolGroup`), and the dev operators of `make dev`.

The local pool gets the template's settings except its password policy: a pool whose Metadata has
``"ordertrack:local-password-policy"`` gets that policy instead (infra/constructs/operations_console.py
declares one that accepts `local-console-password`); the deployed pool keeps its own. moto serves
the pool's JWKS at ``<moto endpoint>/<pool id>/.well-known/jwks.json`` and signs its tokens with
the matching key, with the issuer AWS uses, so the console verifies local sessions as on AWS.

Dev operators: ``agent@local`` (group `agent`) and ``manager@local`` (group `manager`), for each
group of that name the template declares, with the password ``ORDERTRACK_CONSOLE_PASSWORD``
(default ``local-console-password``), confirmed (no first-sign-in password change).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.local.template import Resolver, Resource

LOCAL_PASSWORD_POLICY_METADATA = "ordertrack:local-password-policy"  # noqa: S105 - a metadata key
PASSWORD_SETTING = "ORDERTRACK_CONSOLE_PASSWORD"  # noqa: S105 - the name of a setting
DEFAULT_PASSWORD = "local-console-password"  # noqa: S105 - documented local-only password
OPERATOR_GROUPS = ("agent", "manager")
_POOL_PROPERTIES = (
    "AdminCreateUserConfig",
    "AccountRecoverySetting",
    "MfaConfiguration",
    "UsernameConfiguration",
    "AliasAttributes",
    "UsernameAttributes",
    "AutoVerifiedAttributes",
)


@dataclass(frozen=True)
class DevOperator:
    username: str
    group: str
    pool_id: str


class CognitoProvisioning:
    def __init__(
        self, resolver: Resolver, client_for: Callable[[str], Any], settings: Mapping[str, str]
    ) -> None:
        self.resolver = resolver
        self.client_for = client_for
        self.settings = settings
        self.operators: list[DevOperator] = []

    @property
    def password(self) -> str:
        return self.settings.get(PASSWORD_SETTING) or DEFAULT_PASSWORD

    def user_pool(self, resource: Resource) -> None:
        properties = self.resolver.properties(resource)
        request: dict[str, Any] = {
            "PoolName": properties.get("UserPoolName") or resource.logical_id,
            **{name: properties[name] for name in _POOL_PROPERTIES if name in properties},
        }
        policies = dict(properties.get("Policies") or {})
        local_policy = resource.metadata.get(LOCAL_PASSWORD_POLICY_METADATA)
        if local_policy:
            policies["PasswordPolicy"] = dict(local_policy)
        if policies:
            request["Policies"] = policies
        pool = self.client_for("cognito-idp").create_user_pool(**request)["UserPool"]
        self.resolver.record(resource.logical_id, "Ref", pool["Id"])
        self.resolver.record(resource.logical_id, "UserPoolId", pool["Id"])
        self.resolver.record(resource.logical_id, "Arn", pool["Arn"])
        self.resolver.record(resource.logical_id, "ProviderName", pool["Id"])

    def user_pool_client(self, resource: Resource) -> None:
        properties = self.resolver.properties(resource)
        request: dict[str, Any] = {
            "UserPoolId": properties["UserPoolId"],
            "ClientName": properties.get("ClientName") or resource.logical_id,
            "GenerateSecret": bool(properties.get("GenerateSecret", False)),
        }
        for name in ("ExplicitAuthFlows", "PreventUserExistenceErrors", "EnableTokenRevocation"):
            if name in properties:
                request[name] = properties[name]
        client = self.client_for("cognito-idp").create_user_pool_client(**request)["UserPoolClient"]
        self.resolver.record(resource.logical_id, "Ref", client["ClientId"])
        self.resolver.record(resource.logical_id, "ClientId", client["ClientId"])

    def user_pool_group(self, resource: Resource) -> None:
        properties = self.resolver.properties(resource)
        pool_id, name = properties["UserPoolId"], properties["GroupName"]
        cognito = self.client_for("cognito-idp")
        cognito.create_group(
            UserPoolId=pool_id, GroupName=name, Description=properties.get("Description", "")
        )
        self.resolver.record(resource.logical_id, "Ref", name)
        if name in OPERATOR_GROUPS:
            self.operators.append(self._operator(pool_id, name))

    def _operator(self, pool_id: str, group: str) -> DevOperator:
        cognito = self.client_for("cognito-idp")
        username = f"{group}@local"
        cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=self.password, Permanent=True
        )
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
        return DevOperator(username, group, pool_id)
