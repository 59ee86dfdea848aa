"""The console's pool as the local runtime provisions it (moto cognito-idp, in process), signed in
through the console's adapter, and moto's token verified as the console verifies it: against the
JWKS moto publishes for the pool (moto's `jwks-public.json`, what `/<pool>/.well-known/jwks.json`
serves), with the issuer and audience AWS would use."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from moto.utilities.utils import load_resource

from console.cognito_sign_in import CognitoSignIn
from console.ports import SignInRefused
from console.sessions import TokenVerifier, issuer_for
from console.sign_in_ports import Challenge, Tokens
from infra.constructs.operations_console import LOCAL_PASSWORD_POLICY, LOCAL_PASSWORD_POLICY_METADATA
from infra.local.cognito import DEFAULT_PASSWORD, CognitoProvisioning
from infra.local.template import REGION, Resolver, Template
from tests.fakes.orders import FrozenClock

STRONG_POLICY = {
    "MinimumLength": 12,
    "RequireLowercase": True,
    "RequireUppercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}
TEMPLATE = {
    "Resources": {
        "ConsoleUserPool": {
            "Type": "AWS::Cognito::UserPool",
            "Properties": {
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
                "Policies": {"PasswordPolicy": STRONG_POLICY},
                "MfaConfiguration": "OPTIONAL",
            },
            "Metadata": {LOCAL_PASSWORD_POLICY_METADATA: LOCAL_PASSWORD_POLICY},
        },
        "ConsoleUserPoolClient": {
            "Type": "AWS::Cognito::UserPoolClient",
            "Properties": {
                "UserPoolId": {"Ref": "ConsoleUserPool"},
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                "GenerateSecret": False,
            },
        },
        "ConsoleAgentGroup": {
            "Type": "AWS::Cognito::UserPoolGroup",
            "Properties": {"UserPoolId": {"Ref": "ConsoleUserPool"}, "GroupName": "agent"},
        },
        "ConsoleManagerGroup": {
            "Type": "AWS::Cognito::UserPoolGroup",
            "Properties": {"UserPoolId": {"Ref": "ConsoleUserPool"}, "GroupName": "manager"},
        },
    }
}


class MotoJwks:
    """The keys moto serves at `/<pool id>/.well-known/jwks.json`."""

    def __init__(self) -> None:
        document = load_resource("cognitoidp/resources/jwks-public.json")  # what the JWKS URL serves
        self.keys = jwt.PyJWKSet.from_dict(document)

    def get_signing_key_from_jwt(self, token: str) -> Any:
        kid = jwt.get_unverified_header(token).get("kid")
        return next(key for key in self.keys.keys if key.key_id == kid)


@pytest.fixture
def pool(aws: None) -> tuple[Resolver, CognitoProvisioning, Any]:
    import boto3

    resolver = Resolver(Template(TEMPLATE))
    provisioning = CognitoProvisioning(
        resolver, lambda service: boto3.client(service, region_name=REGION), {}
    )
    creators = {
        "AWS::Cognito::UserPool": provisioning.user_pool,
        "AWS::Cognito::UserPoolClient": provisioning.user_pool_client,
        "AWS::Cognito::UserPoolGroup": provisioning.user_pool_group,
    }
    for resource in resolver.active():
        creators[resource.type](resource)
    return resolver, provisioning, boto3.client("cognito-idp", region_name=REGION)


def test_the_dev_operators_sign_in_and_moto_tokens_verify_as_on_aws(pool: tuple[Resolver, Any, Any]) -> None:
    resolver, provisioning, cognito = pool
    pool_id, client_id = resolver.ref("ConsoleUserPool"), resolver.ref("ConsoleUserPoolClient")
    assert {(o.username, o.group) for o in provisioning.operators} == {
        ("agent@local", "agent"),
        ("manager@local", "manager"),
    }
    sign_in = CognitoSignIn(client_id, cognito)
    tokens = sign_in.sign_in("manager@local", DEFAULT_PASSWORD)
    assert isinstance(tokens, Tokens)
    token = tokens.id_token
    # moto stamps its tokens with its own time: the console's clock is set to when it issued this one
    clock = FrozenClock(
        datetime.fromtimestamp(jwt.decode(token, options={"verify_signature": False})["iat"], UTC)
    )
    verifier = TokenVerifier(MotoJwks(), issuer_for(REGION, pool_id), client_id, clock)
    operator = verifier.operator(token)
    assert operator is not None and operator.username == "manager@local" and operator.is_manager
    assert TokenVerifier(MotoJwks(), issuer_for(REGION, "other"), client_id, clock).operator(token) is None


def test_wrong_passwords_and_unknown_operators_are_refused_a_temporary_password_is_a_challenge(
    pool: tuple[Resolver, Any, Any],
) -> None:
    resolver, _, cognito = pool
    pool_id, client_id = resolver.ref("ConsoleUserPool"), resolver.ref("ConsoleUserPoolClient")
    sign_in = CognitoSignIn(client_id, cognito)
    with pytest.raises(SignInRefused):
        sign_in.sign_in("agent@local", "wrong-password-here")
    with pytest.raises(SignInRefused):
        sign_in.sign_in("nobody@local", DEFAULT_PASSWORD)
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="new@local",
        TemporaryPassword="temporary-password",
        MessageAction="SUPPRESS",
    )
    step = sign_in.sign_in("new@local", "temporary-password")  # must set a new password first
    assert isinstance(step, Challenge) and step.name == "NEW_PASSWORD_REQUIRED"  # tests/.../test_signin.py


def test_the_local_pool_takes_the_local_policy_and_the_declared_one_stays_strong(
    pool: tuple[Resolver, Any, Any],
) -> None:
    resolver, _, cognito = pool
    described = cognito.describe_user_pool(UserPoolId=resolver.ref("ConsoleUserPool"))["UserPool"]
    assert described["Policies"]["PasswordPolicy"]["RequireUppercase"] is False
    assert (
        TEMPLATE["Resources"]["ConsoleUserPool"]["Properties"]["Policies"]["PasswordPolicy"] == STRONG_POLICY
    )
