"""AWS list prices used by `make bench` for the cost per million orders: one table, one date.

US East (N. Virginia), on-demand, first pricing tier, free tiers ignored. Read on 2026-12-06 from
the pages below; prices change: check them before quoting a figure.
"""

from __future__ import annotations

PRICES_READ_ON = "2026-12-06"
REGION = "us-east-1"

DYNAMODB_WRITE_REQUEST_UNIT = 0.625 / 1e6
"""On-demand, per write request unit (https://aws.amazon.com/dynamodb/pricing/on-demand/)."""
DYNAMODB_READ_REQUEST_UNIT = 0.125 / 1e6
LAMBDA_REQUEST = 0.20 / 1e6
"""Per invocation (https://aws.amazon.com/lambda/pricing/)."""
LAMBDA_ARM64_GB_SECOND = 0.0000133334
"""arm64 duration, first 7.5 billion GB-s a month (https://aws.amazon.com/lambda/pricing/)."""
SQS_STANDARD_REQUEST = 0.40 / 1e6
"""Standard queue, per request of up to 64 KB (https://aws.amazon.com/sqs/pricing/)."""
EVENTBRIDGE_CUSTOM_EVENT = 1.00 / 1e6
"""Custom events published, per 64 KB chunk (https://aws.amazon.com/eventbridge/pricing/)."""
HTTP_API_REQUEST = 1.00 / 1e6
"""API Gateway HTTP API, first 300 million a month, per 512 KB (https://aws.amazon.com/api-gateway/pricing/)."""
LOGS_INGESTION_GB = 0.50
"""CloudWatch Logs Standard ingestion, Lambda logs first 10 TB a month (vended-logs tier since
May 2025) (https://aws.amazon.com/cloudwatch/pricing/)."""
XRAY_TRACE_RECORDED = 5.00 / 1e6
"""Per trace recorded (https://aws.amazon.com/xray/pricing/); with the default sampling rule (one
request a second, then 5%) about 5% of traces are recorded at scale."""
XRAY_DEFAULT_SAMPLED_SHARE = 0.05
SES_EMAIL = 0.10 / 1000
"""Outbound email (https://aws.amazon.com/ses/pricing/); excluded from "before SES and SMS"."""
SNS_SMS_PART = {"US": 0.00581, "CN": 0.01935}
"""Per SMS part by destination, example rates (https://aws.amazon.com/sns/sms-pricing/); excluded
from "before SES and SMS"."""
