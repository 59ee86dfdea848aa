"""The operations console (docs/console.md): a Cognito user pool for customer-service staff and
one function that serves the console's server-rendered pages under `/console` on the storefront's
HTTP API.

The pool: no self sign-up (an administrator creates operators), a strong password policy, optional
TOTP MFA, groups `agent` and `manager`. The app client has no secret: only the console function
exchanges a password for tokens (USER_PASSWORD_AUTH, server side), and a secret would add nothing
an attacker holding the password lacks, since the sign-in form itself accepts the same password.

The function verifies the session's tokens against the pool's JWKS on every request, reads the
orders table through its indexes and writes only what the console's forms do (an order's review).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import StageConfig
from infra.constructs.customer_links import CustomerLinks
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import suppress

HANDLER = "console.handler.handler"
GROUPS = {
    "agent": "Customer-service agents: the console's everyday pages and order reviews",
    "manager": "Customer-service managers: everything agents do, and the manager-only pages",
}
GET, POST = apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST
ROUTES: dict[str, list[apigwv2.HttpMethod]] = {
    "/console": [GET],
    "/console/{proxy+}": [GET, POST],
}
"""Every console page reaches the one function, which holds the page table (functions/console/views):
a path it does not know is its 404 page, a group that may not open it its 403 page."""
PASSWORD_MIN_LENGTH = 12
LOCAL_PASSWORD_POLICY_METADATA = "ordertrack:local-password-policy"  # noqa: S105 - a metadata key
"""The policy the local moto pool gets instead of the deployed one (docs/console.md): only so that
`make dev`'s operators can sign in with an easy-to-type password. Never read on AWS."""
LOCAL_PASSWORD_POLICY = {
    "MinimumLength": PASSWORD_MIN_LENGTH,
    "RequireLowercase": True,
    "RequireUppercase": False,
    "RequireNumbers": False,
    "RequireSymbols": False,
}


class OperationsConsole(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        config: StageConfig,
        orders_table: dynamodb.ITable,
        http_api: apigwv2.HttpApi,
        customer_links: CustomerLinks,
        notification_queue: sqs.IQueue,
        service_rules: str,
        hold_rules: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            sign_in_case_sensitive=False,
            password_policy=cognito.PasswordPolicy(
                min_length=PASSWORD_MIN_LENGTH,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        pin_logical_id(self.user_pool, "ConsoleUserPool")
        pool_resource = self.user_pool.node.default_child
        pool_resource.add_metadata(LOCAL_PASSWORD_POLICY_METADATA, LOCAL_PASSWORD_POLICY)  # type: ignore[union-attr]
        suppress(
            self.user_pool,
            "AwsSolutions-COG2",
            "MFA is optional rather than required so that a new operator can first sign in with the "
            "temporary password an administrator gave and then enrol a TOTP app; managers are expected "
            "to enforce enrolment per operator. SMS MFA is off (SIM swapping).",
        )
        for rule in ("AwsSolutions-COG3", "AwsSolutions-COG8"):
            suppress(
                self.user_pool,
                rule,
                "advanced security (threat protection) needs the Plus feature plan, a per-user "
                "cost the project does not impose on every deployment; the pool refuses self sign-up "
                "and enforces a strong password policy, and a stage can enable the plan.",
            )
        self.client = self.user_pool.add_client(
            "ConsoleClient",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True),
            prevent_user_existence_errors=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.hours(12),
            enable_token_revocation=True,
        )
        pin_logical_id(self.client, "ConsoleUserPoolClient")
        self.groups = {}
        for name, description in GROUPS.items():
            group = cognito.CfnUserPoolGroup(
                self,
                f"{name.title()}Group",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=name,
                description=description,
            )
            pin_logical_id(group, f"Console{name.title()}Group")
            self.groups[name] = group

        self.console = ServiceFunction(
            self,
            "Console",
            runtime=runtime,
            name="OperationsConsole",
            handler=HANDLER,
            service_name="operations-console",
            description="Operations console for customer-service staff (server-rendered pages)",
            settings=config.api.function,
            environment={
                "ORDERS_TABLE_NAME": orders_table.table_name,
                "CONSOLE_USER_POOL_ID": self.user_pool.user_pool_id,
                "CONSOLE_CLIENT_ID": self.client.user_pool_client_id,
                # the console's actions tell customers what the storefront's would (cases, returns)
                "NOTIFICATION_QUEUE_URL": notification_queue.queue_url,
                "CUSTOMER_SERVICE_RULES": service_rules,
                "HOLD_RULES": hold_rules,  # an address edit runs the hold rules again
                "CONSOLE_PHONE_REGIONS": ",".join(config.console.phone_regions),
            },
        )
        self.function = self.console.function
        self.console.grant_table_read_write_data(orders_table)
        customer_links.grant_to(self.function, self.function)
        notification_queue.grant_send_messages(self.function)
        # InitiateAuth with USER_PASSWORD_AUTH is an unauthenticated Cognito call: no IAM grant needed

        integration = integrations.HttpLambdaIntegration(
            "ConsoleIntegration",
            self.function,
            payload_format_version=apigwv2.PayloadFormatVersion.VERSION_2_0,
        )
        self.routes = [
            route
            for path, methods in ROUTES.items()
            for route in http_api.add_routes(path=path, methods=methods, integration=integration)
        ]
        for route in self.routes:
            suppress(
                route,
                "AwsSolutions-APIG4",
                "The console's pages are for people in a browser, not API clients: the function "
                "verifies the Cognito session in an HttpOnly cookie (signature against the pool's "
                "JWKS, issuer, client, expiry, token use) on every request and sends anyone without "
                "one to the sign-in page; every form also carries a CSRF token.",
            )
