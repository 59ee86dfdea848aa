"""The orders table's global secondary indexes: one definition for the CDK construct
(`infra.constructs.data`) and the tests that build the table without CDK."""

from __future__ import annotations

SEARCH_PROJECTION = "KEYS_ONLY"
"""gsi1 and gsi2 by default; a stage's `search_index_projection` (infra.config) can keep ALL."""

GLOBAL_SECONDARY_INDEXES = (
    ("gsi1", "gsi1pk", "gsi1sk", SEARCH_PROJECTION),  # orders of a customer by time; complaints of a customer
    ("gsi2", "gsi2pk", "gsi2sk", SEARCH_PROJECTION),  # orders in a status by time; the complaints queues
    ("gsi3", "gsi3pk", "gsi3sk", "ALL"),  # sparse: pending-payment holds by time; an order's cases
)
"""(index name, partition key, sort key, projection). gsi1 and gsi2 hold keys only: an order item
changes at every step of its journey, and an index projecting all of it would be rewritten (in
full, twice when its key moves) at each step; with keys only, a change that leaves the index key
alone costs no index write and a key move costs two small ones (docs/capacity.md). Their readers
fetch the items of a page with one BatchGetItem. gsi3 is sparse and written rarely, so it keeps
every attribute and its readers need no second request."""
