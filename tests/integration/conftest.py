"""moto-backed AWS for adapter and handler tests (in-process, no network)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.moto_patches import apply_speedups
from infra.table_indexes import GLOBAL_SECONDARY_INDEXES

TABLE = "ordertrack-test"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "ordertrack",
        "POWERTOOLS_SERVICE_NAME": "ordertrack-test",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    from shared.aws_clients import aws_client, provider_client

    aws_client.cache_clear()
    provider_client.cache_clear()
    apply_speedups()  # the local moto server's: faster transactions and answers, the same results
    with mock_aws():
        yield
    aws_client.cache_clear()
    provider_client.cache_clear()


@pytest.fixture
def dynamodb(aws: None) -> Any:
    from shared.aws_clients import aws_client

    return aws_client("dynamodb")


@pytest.fixture
def orders_table(dynamodb: Any) -> str:
    keys = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"]
    dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": f"{name}pk", "KeyType": "HASH"},
                    {"AttributeName": f"{name}sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": projection},
            }
            for name, _, _, projection in GLOBAL_SECONDARY_INDEXES
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return TABLE


def table_items(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    return dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]


@pytest.fixture
def api_key_secret(aws: None) -> str:
    client = boto3.client("secretsmanager")
    return client.create_secret(Name="storefront-api-key", SecretString=json.dumps({"api_key": "test-key"}))[
        "ARN"
    ]
