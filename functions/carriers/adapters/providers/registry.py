"""The provider clients of one function, built from its environment: the base URLs (the real APIs
on AWS, the provider simulator locally), the API key secrets and Kuaidi100's callback."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from carriers.adapters.provider_keys import CUSTOMER_FIELD, KEY_FIELD, SecretsManagerProviderKeys
from carriers.adapters.providers.aftership import AfterShipTrackings
from carriers.adapters.providers.easypost import EasyPostTrackers
from carriers.adapters.providers.http import ProviderHttp
from carriers.adapters.providers.kuaidi100 import Kuaidi100Api
from carriers.adapters.providers.seventeentrack import SeventeenTrackApi
from carriers.adapters.providers.shippo import ShippoTracks
from carriers.adapters.webhook_secrets import SECRET_FIELD
from carriers.domain.carrier_catalog import RegistrationProvider
from shared.aws_clients import aws_client
from shared.settings import FunctionSettings

if TYPE_CHECKING:
    from carriers.domain.register_tracking import TrackingProvider


class ProviderSettings(FunctionSettings):
    easypost_api_url: str = "https://api.easypost.com"
    aftership_api_url: str = "https://api.aftership.com"
    kuaidi100_api_url: str = "https://poll.kuaidi100.com"
    seventeentrack_api_url: str = "https://api.17track.net"
    shippo_api_url: str = "https://api.goshippo.com"
    easypost_api_key_secret_arn: str = ""
    aftership_api_key_secret_arn: str = ""
    kuaidi100_api_key_secret_arn: str = ""
    seventeentrack_api_key_secret_arn: str = ""
    shippo_api_key_secret_arn: str = ""
    kuaidi100_webhook_secret_arn: str = ""
    kuaidi100_callback_url: str = ""
    provider_timeout_seconds: float = 8.0


def build_providers(
    settings: ProviderSettings, keys: SecretsManagerProviderKeys
) -> dict[RegistrationProvider, TrackingProvider]:
    def http(name: str, url: str) -> ProviderHttp:
        return ProviderHttp(name, url, timeout=settings.provider_timeout_seconds)

    def key(arn: str):
        return lambda: keys.field(arn, KEY_FIELD)

    kuaidi100 = settings.kuaidi100_api_key_secret_arn
    return {
        RegistrationProvider.EASYPOST: EasyPostTrackers(
            http("easypost", settings.easypost_api_url), key(settings.easypost_api_key_secret_arn)
        ),
        RegistrationProvider.AFTERSHIP: AfterShipTrackings(
            http("aftership", settings.aftership_api_url), key(settings.aftership_api_key_secret_arn)
        ),
        RegistrationProvider.KUAIDI100: Kuaidi100Api(
            http("kuaidi100", settings.kuaidi100_api_url),
            lambda: (keys.field(kuaidi100, KEY_FIELD), keys.field(kuaidi100, CUSTOMER_FIELD)),
            settings.kuaidi100_callback_url,
            lambda: keys.field(settings.kuaidi100_webhook_secret_arn, SECRET_FIELD),
        ),
        RegistrationProvider.SEVENTEENTRACK: SeventeenTrackApi(
            http("17track", settings.seventeentrack_api_url), key(settings.seventeentrack_api_key_secret_arn)
        ),
        RegistrationProvider.SHIPPO: ShippoTracks(
            http("shippo", settings.shippo_api_url), key(settings.shippo_api_key_secret_arn)
        ),
    }


@cache
def tracking_providers() -> dict[RegistrationProvider, TrackingProvider]:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    keys = SecretsManagerProviderKeys(SecretsProvider(boto3_client=aws_client("secretsmanager")))
    return build_providers(ProviderSettings(), keys)
