"""Operations console infrastructure: the staff user pool and the console's routes."""

from __future__ import annotations

import pytest

from tests.infra.conftest import SYNTH_GROUP, SynthesizedApp

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group(SYNTH_GROUP)]


def test_the_user_pool_refuses_self_sign_up_and_weak_passwords(synthesized: SynthesizedApp) -> None:
    pool = synthesized.props("ConsoleUserPool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(
        policy[flag] for flag in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )
    assert pool["MfaConfiguration"] in ("OPTIONAL", "ON")
    assert pool.get("EnabledMfas") == ["SOFTWARE_TOKEN_MFA"]


def test_the_console_client_signs_in_with_a_password_only_and_has_no_secret(
    synthesized: SynthesizedApp,
) -> None:
    client = synthesized.props("ConsoleUserPoolClient")
    assert client["UserPoolId"] == {"Ref": "ConsoleUserPool"}
    assert client.get("GenerateSecret", False) is False
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_the_console_cookies_live_as_long_as_the_clients_tokens(synthesized: SynthesizedApp) -> None:
    """The sign-in cookies' Max-Age and the lifetime of a sign-out's revocation record are the
    function's constants; they must equal the token lifetimes the app client is given, or a
    revocation record could expire while Cognito still accepts the refresh token it revoked."""
    from console import sign_in_flow

    client = synthesized.props("ConsoleUserPoolClient")
    units = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86_400}
    token_units = client.get("TokenValidityUnits", {})

    def seconds(kind: str, default_unit: str) -> int:
        return int(client[f"{kind}TokenValidity"]) * units[token_units.get(f"{kind}Token", default_unit)]

    # CloudFormation's defaults: hours for ID and access tokens, days for the refresh token
    assert seconds("Refresh", "days") == sign_in_flow.REFRESH_SECONDS
    assert seconds("Access", "hours") == sign_in_flow.TOKEN_SECONDS
    assert seconds("Id", "hours") == sign_in_flow.TOKEN_SECONDS


def test_the_pool_has_the_agent_and_manager_groups(synthesized: SynthesizedApp) -> None:
    groups = synthesized.of_type("AWS::Cognito::UserPoolGroup")
    assert {group["Properties"]["GroupName"] for group in groups.values()} == {"agent", "manager"}
    assert all(group["Properties"]["UserPoolId"] == {"Ref": "ConsoleUserPool"} for group in groups.values())


def test_the_console_routes_reach_the_console_function(synthesized: SynthesizedApp) -> None:
    routes = [
        route["Properties"]
        for route in synthesized.of_type("AWS::ApiGatewayV2::Route").values()
        if route["Properties"]["RouteKey"].partition(" ")[2].startswith("/console")
    ]
    assert {route["RouteKey"] for route in routes} == {
        "GET /console",
        "GET /console/{proxy+}",
        "POST /console/{proxy+}",
    }
    for route in routes:
        integration = synthesized.props(route["Target"]["Fn::Join"][1][1]["Ref"])
        assert integration["IntegrationUri"]["Fn::GetAtt"][0] == "OperationsConsoleFunction"
    variables = synthesized.props("OperationsConsoleFunction")["Environment"]["Variables"]
    assert variables["CONSOLE_USER_POOL_ID"] == {"Ref": "ConsoleUserPool"}
    assert variables["CONSOLE_CLIENT_ID"] == {"Ref": "ConsoleUserPoolClient"}
    assert variables["CONSOLE_PHONE_REGIONS"] == "CN"  # the stage's console.phone_regions
