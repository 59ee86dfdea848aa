"""A storefront that generates its client from `/openapi.json` with a maintained generator
(openapi-python-client, pinned in requirements-dev.txt) can run a journey with it: every answer it
gets is one the document declares, so the generated code parses it into a typed model instead of
raising `UnexpectedStatus`, errors included."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.factories import order_body

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("contract")]

PACKAGE = "ordertrack_storefront_client"


@pytest.fixture(scope="module")
def client_package(contract_stack: Any, tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """Generate the client into a temporary folder and import it."""
    root = tmp_path_factory.mktemp("generated-client")
    bin_dir = Path(sys.executable).parent
    completed = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--url",
            f"{contract_stack.api_url}/openapi.json",
            "--meta",
            "none",
            "--output-path",
            str(root / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    # The generator warns about parts of the document it cannot express; a contract has none.
    assert "Warning" not in completed.stdout, completed.stdout
    sys.path.insert(0, str(root))
    try:
        package = importlib.import_module(PACKAGE)
        yield package
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


class GeneratedApi:
    """Finds the generated module of an operation by its method and path, so the journey does not
    depend on how the document names operations."""

    def __init__(self, package: ModuleType, base_url: str, api_key: str) -> None:
        self.client = package.Client(
            base_url=base_url, headers={"x-api-key": api_key}, raise_on_unexpected_status=True
        )
        self._operations: dict[tuple[str, str], ModuleType] = {}
        api = importlib.import_module(f"{package.__name__}.api")
        for info in pkgutil.walk_packages(api.__path__, prefix=f"{api.__name__}."):
            module = importlib.import_module(info.name)
            if not hasattr(module, "_get_kwargs"):
                continue
            source = inspect.getsource(module._get_kwargs)
            method = re.search(r'"method": "(\w+)"', source)
            url = re.search(r'"url": "([^"]+)"', source)
            assert method and url, source
            self._operations[(method.group(1).upper(), url.group(1))] = module

    def operation(self, method: str, path: str) -> ModuleType:
        return self._operations[(method, path)]

    def body_model(self, method: str, path: str) -> Any:
        return inspect.signature(self.operation(method, path)._get_kwargs).parameters["body"].annotation

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, **arguments: Any) -> Any:
        if body is not None:
            arguments["body"] = self.body_model(method, path).from_dict(body)
        return self.operation(method, path).sync_detailed(client=self.client, **arguments)


def test_a_generated_client_runs_a_storefront_journey(
    contract_stack: Any, client_package: ModuleType
) -> None:
    api = GeneratedApi(client_package, contract_stack.api_url, contract_stack.api_key)
    tag = uuid.uuid4().hex[:8]
    sku = f"GEN-{tag}".upper()
    customer_id = f"cust-gen-{tag}"

    # Given stock for a SKU
    stocked = api.call("PUT", "/v1/inventory/{sku}", {"on_hand": 5}, sku=sku)
    assert stocked.status_code == 200
    assert stocked.parsed.on_hand == 5

    # When the storefront places an order through the generated client
    body = order_body(
        customer={"id": customer_id, "name": "Alex Doe", "email": f"gen-{tag}@example.com", "locale": "en"},
        items=[{"sku": sku, "name": f"Item {sku}", "quantity": 2, "unit_price": "10.00"}],
    )
    key = uuid.uuid4().hex
    placed = api.call("POST", "/v1/orders", body, idempotency_key=key)
    assert placed.status_code == 201
    order_id = placed.parsed.order_id

    # Then the same request again is the same order, and the order is confirmed once stock is reserved
    again = api.call("POST", "/v1/orders", body, idempotency_key=key)
    assert again.status_code in (200, 201)
    assert again.parsed.order_id == order_id
    deadline = time.monotonic() + 60
    order = api.call("GET", "/v1/orders/{order_id}", order_id=order_id).parsed
    while order.status != "confirmed" and time.monotonic() < deadline:
        time.sleep(0.2)
        order = api.call("GET", "/v1/orders/{order_id}", order_id=order_id).parsed
    assert order.status == "confirmed"
    assert api.call("GET", "/v1/inventory/{sku}", sku=sku).parsed.reserved == 2

    # And the search finds it
    found = api.call("GET", "/v1/orders", customer_id=customer_id).parsed
    assert [summary.order_id for summary in found.orders] == [order_id]

    # And errors come back parsed in the documented envelope, not as UnexpectedStatus
    missing = api.call("GET", "/v1/orders/{order_id}", order_id="ord_" + "a" * 24)
    assert missing.status_code == 404
    assert missing.parsed.error.code == "not_found"
    invalid = api.call("PUT", "/v1/inventory/{sku}", {"on_hand": -1}, sku=sku)
    assert invalid.status_code == 422
    assert invalid.parsed.error.code == "validation_failed"

    # When it cancels the order, the stock is released
    cancelled = api.call(
        "POST", "/v1/orders/{order_id}/cancel", {"reason": "customer changed their mind"}, order_id=order_id
    )
    assert cancelled.status_code == 200
    assert cancelled.parsed.status == "cancelled"
    contract_stack.wait_idle(timeout=60)
    assert api.call("GET", "/v1/inventory/{sku}", sku=sku).parsed.reserved == 0
