"""Data: the single-table design's main table and the Powertools idempotency table."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.constructs.logical_ids import pin_logical_id
from infra.table_indexes import GLOBAL_SECONDARY_INDEXES, SEARCH_PROJECTION

STRING = dynamodb.AttributeType.STRING

MAIN_TABLE_TTL_ATTRIBUTE = "expires_at"
IDEMPOTENCY_KEY_ATTRIBUTE = "id"
IDEMPOTENCY_TTL_ATTRIBUTE = "expiration"
"""Attribute names of Powertools' DynamoDBPersistenceLayer defaults."""

_ON_DEMAND_ENCRYPTED_WITH_PITR = {
    "billing_mode": dynamodb.BillingMode.PAY_PER_REQUEST,
    "encryption": dynamodb.TableEncryption.AWS_MANAGED,
    "point_in_time_recovery_specification": dynamodb.PointInTimeRecoverySpecification(
        point_in_time_recovery_enabled=True
    ),
}
"""Every table: on-demand capacity, AWS-managed KMS encryption, point-in-time recovery."""


class Data(Construct):
    """`orders_table` holds orders, inventory and everything else keyed by pk/sk and streams every change."""

    def __init__(
        self, scope: Construct, construct_id: str, *, search_index_projection: str = "KEYS_ONLY"
    ) -> None:
        super().__init__(scope, construct_id)
        self.orders_table = dynamodb.Table(
            self,
            "OrdersTable",
            partition_key=dynamodb.Attribute(name="pk", type=STRING),
            sort_key=dynamodb.Attribute(name="sk", type=STRING),
            **_ON_DEMAND_ENCRYPTED_WITH_PITR,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            time_to_live_attribute=MAIN_TABLE_TTL_ATTRIBUTE,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index_name, partition_key, sort_key, projection in GLOBAL_SECONDARY_INDEXES:
            self.orders_table.add_global_secondary_index(
                index_name=index_name,
                partition_key=dynamodb.Attribute(name=partition_key, type=STRING),
                sort_key=dynamodb.Attribute(name=sort_key, type=STRING),
                projection_type=dynamodb.ProjectionType[
                    search_index_projection if projection == SEARCH_PROJECTION else projection
                ],
            )
        pin_logical_id(self.orders_table, "OrdersTable")

        self.idempotency_table = dynamodb.Table(
            self,
            "IdempotencyTable",
            partition_key=dynamodb.Attribute(name=IDEMPOTENCY_KEY_ATTRIBUTE, type=STRING),
            **_ON_DEMAND_ENCRYPTED_WITH_PITR,
            time_to_live_attribute=IDEMPOTENCY_TTL_ATTRIBUTE,
            # Records expire within hours; nothing is lost when the stack is deleted.
            removal_policy=RemovalPolicy.DESTROY,
        )
        pin_logical_id(self.idempotency_table, "IdempotencyTable")
