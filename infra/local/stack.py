"""The local stack: moto + provisioned resources + function workers + triggers, from one template.

Usage in tests::

    with LocalStack("cdk.out/Ordertrack.template.json", port=0) as stack:
        requests.post(f"{stack.api_url}/v1/orders", json=...)
        stack.wait_idle(timeout=20)
        assert stack.outbox()[0]["channel"] == "email"

Start-up order: moto server subprocess -> HTTP port bound (its URL may appear in the template) ->
resources provisioned in dependency order -> a worker per triggered function spawned and its
handler imported -> event source pollers, schedules and the HTTP server started.

Only functions something triggers locally (an HTTP route, an event source mapping, a schedule)
get workers; CDK's own helper functions (custom resources, log retention) are never started.

Settings, read from ``env`` first, then ``os.environ``:

* ``ORDERTRACK_API_KEY`` (default ``local-dev-key``): the storefront API key, through secret
  Metadata ``ordertrack:local-secret``;
* ``ORDERTRACK_LOCAL_API_CONCURRENCY`` (default 1): workers per function behind an HTTP route;
* ``ORDERTRACK_LOCAL_CONCURRENCY`` (default 1): workers per other function;
* ``ORDERTRACK_LOCAL_LOG_LEVEL``: every function's ``POWERTOOLS_LOG_LEVEL`` instead of the template's;
* ``ORDERTRACK_LOCAL_THROTTLING`` (default ``off``): ``on`` applies the stage's throttles from the
  template (``DefaultRouteSettings``, per-route ``RouteSettings``), answering 429 as API Gateway
  does. Off by default: benchmarks and the contract fuzzer drive the local stack far above a
  stage's rate on purpose, to measure and test the code rather than the throttle.
* ``ORDERTRACK_SIMULATOR_SPEED`` (default 1): how fast the provider simulator plays journeys
  (docs/provider-simulator.md); ``ORDERTRACK_<PROVIDER>_API_URL`` points a provider's clients
  elsewhere than the simulator (default: the simulator's own URL for that provider);
* ``ORDERTRACK_LOCAL_FAULTS``: faults to inject (``infra.local.faults``), applied once the stack is
  started (provisioning is never faulted): AWS errors answered by the moto server
  (``dynamodb.TransactWriteItems=throttle:0.1``, ``ses.SendEmail=throttle:0.3``, ...;
  ``infra.local.aws_faults``), worker crashes (``lambda.<FunctionLogicalId>=crash:<rate>``) and
  provider API failures (``provider.<name>=5xx|timeout:<rate>``). ``ORDERTRACK_LOCAL_FAULTS_SEED``
  (an integer) makes the draws repeatable. ``POST /_local/faults`` with ``{"faults": "<spec>"}``
  (or :meth:`LocalStack.set_faults`) replaces the spec everywhere at once, ``""`` switching every
  fault off; ``GET /_local/faults`` shows it and what was injected (:meth:`LocalStack.fault_counts`).
  The runtime's own AWS calls (provisioning, pollers) are never faulted (``infra.local.fault_control``).

Routes with a Lambda authorizer (``AWS::ApiGatewayV2::Authorizer``) run it before their function,
with its identity sources and result caching (``infra.local.authorizers``).

The provider simulator (``infra.local.providers``) stands in for EasyPost, AfterShip, Kuaidi100,
17TRACK and Shippo: it answers the registration and query APIs on a free loopback port and pushes
webhooks, signed with the stack's own webhook secrets, to this stack's API.

``make dev`` also writes :meth:`LocalStack.endpoints` to ``.local/endpoints.json`` (see
:func:`write_endpoints_file`), so tools in other processes (``make redrive``) find the running stack.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import ChainMap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from infra.local.authorizers import LambdaAuthorizer
from infra.local.aws_faults import FAULTS_ENV, RUNTIME_USER_AGENT, SEED_ENV, parse_seed
from infra.local.fault_control import StackFaults
from infra.local.filtering import compile_filters
from infra.local.functions import CODE_ROOT, FunctionRuntime, FunctionSpec, configure_runtime_log
from infra.local.http_api import Cors, HttpApi, HttpApiServer, HttpResponse, Route, RouteTable, json_response
from infra.local.moto_process import MotoServer
from infra.local.progress import Progress, Silent
from infra.local.providers import ProviderSimulator
from infra.local.provision import Provisioner
from infra.local.schedules import Schedule, ScheduleRunner
from infra.local.sqs_source import SqsEventSource
from infra.local.stream_source import StreamEventSource, send_to_destination
from infra.local.template import (
    LOCAL_CREDENTIALS,
    REGION,
    Resolver,
    Resource,
    Template,
    TemplateError,
    references,
)
from infra.local.throttling import StageThrottle

DEFAULT_API_KEY = "local-dev-key"
ENDPOINTS_FILE = Path(
    os.environ.get("ORDERTRACK_ENDPOINTS_FILE")
    or Path(__file__).resolve().parents[2] / ".local" / "endpoints.json"
)
"""Where ``make dev`` says how to reach it (gitignored; ``ORDERTRACK_ENDPOINTS_FILE`` elsewhere):
read by ``make redrive``, ``make webhook`` and ``make links`` (``infra.local.running``)."""
_LOG = logging.getLogger("ordertrack.local")
_PYTHON_RUNTIME_PREFIX = "python"
SIMULATED = {
    "easypost": "EasyPost",
    "aftership": "AfterShip",
    "kuaidi100": "Kuaidi100",
    "17track": "SeventeenTrack",
    "shippo": "Shippo",
}
"""Providers the simulator plays -> the logical id prefix of their secrets (and env prefix, upper-cased)."""


class LocalStack:
    def __init__(
        self,
        template_path: str | Path,
        port: int = 3000,
        env: Mapping[str, str] | None = None,
        code_root: str | Path = CODE_ROOT,
        progress: Progress | None = None,
    ) -> None:
        self.template_path = Path(template_path)
        self.progress = progress or Silent()
        self.code_root = Path(code_root)
        self._route_targets: list[tuple[str, str, str | None]] = []
        self._authorizer_targets: dict[str, str] = {}
        self._api_id = "localapi"
        self._cors: Cors | None = None
        self._throttle: StageThrottle | None = None
        self.authorizers: dict[str, LambdaAuthorizer] = {}
        self.template = Template.load(self.template_path)
        self.settings: Mapping[str, str] = ChainMap(dict(env or {}), os.environ)  # type: ignore[arg-type]
        self.requested_port = port
        self.fault_seed = parse_seed(self.settings.get(SEED_ENV))
        self.moto = MotoServer(faults="", seed=self.fault_seed)  # no faults until provisioned
        self.functions: dict[str, FunctionRuntime] = {}
        self.sqs_sources: list[SqsEventSource] = []
        self.stream_sources: list[StreamEventSource] = []
        self.schedules = ScheduleRunner([])
        self.routes = RouteTable()
        self.secret_values: dict[str, str] = {}
        self.console_operators: list[Any] = []  # infra.local.cognito.DevOperator
        self.console_password = ""
        self._http: HttpApiServer | None = None
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self._session = boto3.session.Session(region_name=REGION, **LOCAL_CREDENTIALS)
        self.resolver: Resolver | None = None
        self.providers: ProviderSimulator | None = None
        self.faults = StackFaults(
            self.settings.get(FAULTS_ENV, ""), self.moto, lambda: self.providers, lambda: self.functions
        )

    # -- public API ---------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        assert self._http is not None, "LocalStack is not started"
        return self._http.url

    @property
    def moto_endpoint(self) -> str:
        return self.moto.endpoint

    @property
    def api_key(self) -> str:
        return self.settings.get("ORDERTRACK_API_KEY", DEFAULT_API_KEY)

    def client(self, service: str) -> Any:
        """A boto3 client for ``service`` pointed at the local moto server (thread-safe, cached)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = self._session.client(
                    service,
                    endpoint_url=self.moto.endpoint,
                    config=Config(
                        retries={"max_attempts": 2, "mode": "standard"},
                        max_pool_connections=50,
                        user_agent_extra=RUNTIME_USER_AGENT,  # stands for AWS itself: never faulted
                    ),
                )
            return self._clients[service]

    def physical(self, logical_id: str, attribute: str = "Ref") -> Any:
        """The local value of ``Ref`` / ``Fn::GetAtt`` for a template resource."""
        assert self.resolver is not None, "LocalStack is not started"
        return self.resolver.get_att(logical_id, attribute)

    def endpoints(self) -> dict[str, Any]:
        """How another process reaches this stack: the API URL, the moto endpoint and region, and
        the physical name, URL and ARN of every queue, the name of every table and the ARN of every
        secret, by logical id."""
        assert self.resolver is not None, "LocalStack is not started"
        resources = list(self.resolver.active())
        return {
            "pid": os.getpid(),
            "api_url": self.api_url,
            "moto_endpoint": self.moto_endpoint,
            "region": REGION,
            "template": str(self.template_path),
            "queues": {
                r.logical_id: {
                    "name": self.physical(r.logical_id, "QueueName"),
                    "url": self.physical(r.logical_id, "QueueUrl"),
                    "arn": self.physical(r.logical_id, "Arn"),
                }
                for r in resources
                if r.type == "AWS::SQS::Queue"
            },
            "tables": {
                r.logical_id: self.physical(r.logical_id)
                for r in resources
                if r.type in ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")
            },
            "secrets": {
                r.logical_id: self.physical(r.logical_id)
                for r in resources
                if r.type == "AWS::SecretsManager::Secret"
            },
        }

    def outbox(self) -> list[dict[str, Any]]:
        """Emails (SES v1 and v2) and SMS (SNS) sent so far, newest first."""
        return self.moto.outbox()

    def set_faults(self, spec: str) -> None:
        """Replace the fault spec in the moto server, the provider simulator and every function
        runtime at once (``""``: no faults); ``FaultSpecError`` if malformed, and nothing changes."""
        self.faults.set(spec)

    def fault_counts(self) -> dict[str, int]:
        """Faults injected so far, by ``<target>=<kind>`` (moto, the simulator, the runtimes)."""
        return self.faults.counts()

    def trigger_schedule(self, logical_id: str) -> Any:
        """Run a schedule's target now; returns the function's :class:`InvocationResult`."""
        return self.schedules.trigger(logical_id)

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Invoke a (triggered) function directly, like ``lambda invoke``."""
        return self.functions[logical_id].invoke(event, trigger="direct")

    @contextmanager
    def event_sources_disabled(self, *functions: str) -> Iterator[None]:
        """Disable the event source mappings of the named functions (logical ids; default: all)
        for the duration (like `Enabled: false` on AWS); records and messages wait in their
        stream or queue and are delivered once re-enabled."""
        sources = [
            source
            for source in [*self.sqs_sources, *self.stream_sources]
            if not functions or source.function.spec.logical_id in functions
        ]
        for source in sources:
            source.disable()
        try:
            yield
        finally:
            for source in sources:
                source.enable()

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Block until no function runs, every consumed queue is empty (nothing visible, in flight
        or delayed) and every stream poller has caught up; ``TimeoutError`` otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mark = time.monotonic()
            if self._quiet_since(mark, deadline):
                return
            time.sleep(0.05)
        raise TimeoutError(
            f"local stack still busy after {timeout}s: {'; '.join(self.busy_report()) or 'nothing busy now'}"
        )

    def busy_report(self) -> list[str]:
        """What keeps the stack from being idle right now, one entry per busy part."""
        report = [f"function {name} running" for name, function in self.functions.items() if function.busy]
        report += [
            f"queue {source.mapping_id}: {state}"
            for source in self.sqs_sources
            if (state := source.pending())
        ]
        report += [
            f"stream {source.mapping_id}: {state}"
            for source in self.stream_sources
            if (state := source.pending())
        ]
        if self.providers is not None and not self.providers.idle():
            report.append("provider simulator: pushes scheduled")
        return report

    def _quiet_since(self, mark: float, deadline: float) -> bool:
        while time.monotonic() < deadline:
            if any(function.busy for function in self.functions.values()):
                return False
            if not all(source.is_idle() for source in self.sqs_sources):
                return False
            if self.providers is not None and not self.providers.idle():
                return False
            if all(source.is_idle_since(mark) for source in self.stream_sources):
                return not any(function.busy for function in self.functions.values()) and all(
                    source.is_idle() for source in self.sqs_sources
                )
            time.sleep(0.05)
        return False

    # -- lifecycle ------------------------------------------------------------------------

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self) -> LocalStack:
        configure_runtime_log()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        with self.progress.step("moto", "starting the moto server"):
            self.moto.start()
        self._http = HttpApiServer(self.requested_port)
        self.resolver = Resolver(self.template, endpoint=self.moto.endpoint, api_url=self._http.url)
        with self.progress.step(
            "resources", "creating the template's tables, queues, topics, secrets"
        ) as notes:
            provisioner = Provisioner(self.resolver, self.client, self.settings)
            provisioner.provision()
            self.secret_values = provisioner.secret_values
            self.console_operators = provisioner.cognito.operators
            self.console_password = provisioner.cognito.password
            self._start_provider_simulator()
            notes.append(f"{sum(1 for _ in self.resolver.active())} resources")

        resources = list(self.resolver.active())
        function_resources = {r.logical_id: r for r in resources if r.type == "AWS::Lambda::Function"}
        http_targets = self._wire_routes(resources, function_resources)
        mappings = [r for r in resources if r.type == "AWS::Lambda::EventSourceMapping"]
        schedule_resources = [
            r for r in resources if r.type in ("AWS::Scheduler::Schedule", "AWS::Events::Rule")
        ]
        triggered = set(http_targets)
        triggered |= {
            self._function_of(m.properties.get("FunctionName"), function_resources) for m in mappings
        }
        triggered |= {
            target
            for schedule in schedule_resources
            for target in self._schedule_targets(schedule, function_resources)
        }
        triggered.discard(None)  # type: ignore[arg-type]

        with self.progress.step("functions", f"starting a worker per function ({len(triggered)})"):
            self._start_functions(sorted(triggered), function_resources, http_targets)

        self._start_authorizers(resources)
        for route_key, target, authorizer_id in self._route_targets:
            if target not in self.functions:
                continue
            if authorizer_id is not None and authorizer_id not in self.authorizers:
                # never serve a guarded route unguarded
                _LOG.info("skip route=%s (its authorizer %s cannot run locally)", route_key, authorizer_id)
                continue
            authorizer = self.authorizers.get(authorizer_id) if authorizer_id else None
            self.routes.add(Route.parse(route_key, self.functions[target], authorizer))
        for mapping in mappings:
            self._wire_mapping(mapping, function_resources)
        self.schedules = ScheduleRunner(
            [
                schedule
                for resource in schedule_resources
                for schedule in self._schedules_of(resource, function_resources)
            ]
        )

        for sqs_source in self.sqs_sources:
            sqs_source.start()
        for stream_source in self.stream_sources:
            stream_source.start()
        self.schedules.start()
        self._http.start(HttpApi(self.routes, self._api_id, self._cors, self._local_route, self._throttle))
        self.faults.activate()

    def _start_functions(
        self, triggered: list[str], function_resources: Mapping[str, Resource], http_targets: set[str]
    ) -> None:
        """A worker per triggered function (each imports its handler), ready when this returns."""
        api_workers = int(self.settings.get("ORDERTRACK_LOCAL_API_CONCURRENCY", "1"))
        other_workers = int(self.settings.get("ORDERTRACK_LOCAL_CONCURRENCY", "1"))
        for logical_id in triggered:
            spec = FunctionSpec.from_resource(
                self.resolver, function_resources[logical_id], settings=self.settings
            )
            if not spec.runtime.startswith(_PYTHON_RUNTIME_PREFIX) or not spec.handler:
                _LOG.info("skip function=%s runtime=%s (not a Python zip function)", logical_id, spec.runtime)
                continue
            runtime = FunctionRuntime(
                spec,
                self.moto.endpoint,
                api_workers if logical_id in http_targets else other_workers,
                code_root=self.code_root,
                fault_seed=self.settings.get(SEED_ENV),
            )
            runtime.start()
            self.functions[logical_id] = runtime
        for runtime in self.functions.values():
            runtime.wait_ready()

    def _start_provider_simulator(self) -> None:
        """The providers' "dashboards" point at this stack's webhook URLs and hold its secrets;
        the functions' provider base URLs point at the simulator unless a setting says otherwise."""
        assert self._http is not None
        api = self._http.url

        def secret(logical_id: str, field: str) -> str:
            raw = self.secret_values.get(logical_id)
            return str(json.loads(raw).get(field, "")) if raw else ""

        self.providers = ProviderSimulator(
            webhook_url=lambda provider: f"{api}/v1/webhooks/{provider}",
            webhook_secrets={
                p: secret(f"{logical}WebhookSecret", "secret") for p, logical in SIMULATED.items()
            },
            api_keys={
                **{p: secret(f"{logical}ApiKey", "api_key") for p, logical in SIMULATED.items()},
                "kuaidi100_customer": secret("Kuaidi100ApiKey", "customer"),
            },
            speed=float(self.settings.get("ORDERTRACK_SIMULATOR_SPEED", "1")),
            seed=self.fault_seed,
        )
        self.providers.start()  # its faults are set with the others, once the stack is started
        urls = {
            f"ORDERTRACK_{logical.upper()}_API_URL": self.providers.base_url(p)
            for p, logical in SIMULATED.items()
        }
        self.settings = ChainMap(*self.settings.maps, urls)  # explicit settings win

    def stop(self, join_timeout: float = 30.0) -> None:
        """Stop in the reverse order of :meth:`start`: first what brings work in (the provider
        simulator's pushes, the HTTP API), then the pollers and schedules, which finish the batch
        they hold, then the function workers, and moto last, so no invocation loses its AWS
        endpoint half-way (a Ctrl-C reaches only this process: moto runs in its own group)."""
        if self.providers is not None:
            self.providers.stop()
        if self._http is not None:
            self._http.stop()
        self.schedules.stop()
        sources = [*self.sqs_sources, *self.stream_sources]
        for source in sources:
            source.stop()
        deadline = time.monotonic() + join_timeout
        for source in sources:
            source.join(timeout=max(0.0, deadline - time.monotonic()))
        self.schedules.join(timeout=max(0.0, deadline - time.monotonic()))
        _LOG.info("stopped event source pollers and schedules")
        for function in self.functions.values():
            function.stop()
        self.moto.stop()
        _LOG.info("stopped function workers, then moto")

    # -- wiring ---------------------------------------------------------------------------

    def _function_of(self, node: Any, functions: Mapping[str, Resource]) -> str | None:
        """The function a template value designates: by reference, else by name or ARN."""
        referenced = sorted(references(node) & functions.keys()) if isinstance(node, dict | list) else []
        if len(referenced) == 1:
            return referenced[0]
        assert self.resolver is not None
        value = str(self.resolver.resolve(node))
        for logical_id in functions:
            name = str(self.resolver.get_att(logical_id, "Ref"))
            arn = str(self.resolver.get_att(logical_id, "Arn"))
            if value in (name, arn, f"{arn}:$LATEST") or f"{arn}/" in value:
                return logical_id
        return None

    def _wire_routes(self, resources: list[Resource], functions: Mapping[str, Resource]) -> set[str]:
        assert self.resolver is not None
        apis = [r for r in resources if r.type == "AWS::ApiGatewayV2::Api"]
        if len(apis) > 1:
            _LOG.info("template declares %d HTTP APIs; serving all their routes on one port", len(apis))
        self._api_id = str(self.resolver.get_att(apis[0].logical_id, "Ref")) if apis else "localapi"
        self._cors = Cors.from_configuration(
            self.resolver.properties(apis[0]).get("CorsConfiguration") if apis else None
        )
        integrations = {r.logical_id: r for r in resources if r.type == "AWS::ApiGatewayV2::Integration"}
        authorizers = {r.logical_id: r for r in resources if r.type == "AWS::ApiGatewayV2::Authorizer"}
        self._authorizer_targets = {}
        for logical_id, authorizer in authorizers.items():
            function = self._function_of(authorizer.properties.get("AuthorizerUri"), functions)
            if function is not None:
                self._authorizer_targets[logical_id] = function
        stages = [r for r in resources if r.type == "AWS::ApiGatewayV2::Stage"]
        if stages and self.settings.get("ORDERTRACK_LOCAL_THROTTLING", "off").lower() == "on":
            self._throttle = StageThrottle.from_stage(self.resolver.properties(stages[0]))
        self._route_targets = []
        for route in (r for r in resources if r.type == "AWS::ApiGatewayV2::Route"):
            properties = self.resolver.properties(route)
            target = str(properties.get("Target", ""))
            integration = integrations.get(target.removeprefix("integrations/"))
            if integration is None:
                _LOG.info("skip route=%s (no integration)", properties.get("RouteKey"))
                continue
            integration_properties = self.resolver.properties(integration)
            version = str(integration_properties.get("PayloadFormatVersion", "2.0"))
            if version != "2.0":
                raise TemplateError(
                    f"route {properties['RouteKey']}: payload format {version} is not supported"
                )
            function = self._function_of(integration.properties.get("IntegrationUri"), functions)
            if function is None:
                _LOG.info("skip route=%s (integration target is not a function)", properties.get("RouteKey"))
                continue
            authorizer_id = None
            if str(properties.get("AuthorizationType", "NONE")).upper() == "CUSTOM":
                named = sorted(references(route.properties.get("AuthorizerId")) & authorizers.keys())
                authorizer_id = named[0] if named else str(properties.get("AuthorizerId"))
            self._route_targets.append((str(properties["RouteKey"]), function, authorizer_id))
        routed = {function for _, function, _ in self._route_targets}
        return routed | {
            self._authorizer_targets[authorizer_id]
            for _, _, authorizer_id in self._route_targets
            if authorizer_id in self._authorizer_targets
        }

    def _start_authorizers(self, resources: list[Resource]) -> None:
        assert self.resolver is not None
        for resource in resources:
            function = self._authorizer_targets.get(resource.logical_id)
            if resource.type != "AWS::ApiGatewayV2::Authorizer" or function not in self.functions:
                continue
            self.authorizers[resource.logical_id] = LambdaAuthorizer.from_properties(
                resource.logical_id, self.resolver.properties(resource), self.functions[function]
            )

    def _wire_mapping(self, mapping: Resource, functions: Mapping[str, Resource]) -> None:
        assert self.resolver is not None
        properties = self.resolver.properties(mapping)
        function_id = self._function_of(mapping.properties.get("FunctionName"), functions)
        if function_id not in self.functions or properties.get("Enabled", True) in (False, "false"):
            return
        function = self.functions[function_id]
        source_arn = str(properties["EventSourceArn"])
        service = source_arn.split(":")[2]
        report_failures = "ReportBatchItemFailures" in (properties.get("FunctionResponseTypes") or [])
        filters = compile_filters(properties.get("FilterCriteria"))
        window = float(properties.get("MaximumBatchingWindowInSeconds", 0))
        if service == "sqs":
            queue_url = self.client("sqs").get_queue_url(QueueName=source_arn.rsplit(":", 1)[1])["QueueUrl"]
            self.sqs_sources.append(
                SqsEventSource(
                    mapping.logical_id,
                    function,
                    self.client("sqs"),
                    queue_url,
                    source_arn,
                    batch_size=int(properties.get("BatchSize", 10)),
                    batching_window_s=window,
                    report_batch_item_failures=report_failures,
                    filters=filters,
                )
            )
        elif service == "dynamodb":
            on_failure = ((properties.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
                "Destination"
            )
            self.stream_sources.append(
                StreamEventSource(
                    mapping.logical_id,
                    function,
                    self.client("dynamodbstreams"),
                    source_arn,
                    send_on_failure=send_to_destination(self.client),
                    batch_size=int(properties.get("BatchSize", 100)),
                    batching_window_s=window,
                    starting_position=str(properties.get("StartingPosition", "TRIM_HORIZON")),
                    report_batch_item_failures=report_failures,
                    bisect_on_error=properties.get("BisectBatchOnFunctionError") in (True, "true"),
                    maximum_retry_attempts=int(properties.get("MaximumRetryAttempts", -1)),
                    maximum_record_age_s=int(properties.get("MaximumRecordAgeInSeconds", -1)),
                    on_failure_destination=str(on_failure) if on_failure else None,
                    filters=filters,
                    retry_delay_s=float(self.settings.get("ORDERTRACK_LOCAL_STREAM_RETRY_DELAY", "0.1")),
                )
            )
        else:
            _LOG.info(
                "skip mapping=%s (event source %s is not supported locally)", mapping.logical_id, service
            )

    @staticmethod
    def _schedule_target_nodes(resource: Resource) -> list[Mapping[str, Any]]:
        """The unresolved targets of a schedule (a rule without ``ScheduleExpression`` has none)."""
        if resource.type == "AWS::Scheduler::Schedule":
            return [resource.properties.get("Target") or {}]
        if "ScheduleExpression" not in resource.properties:
            return []
        return list(resource.properties.get("Targets") or [])

    def _schedule_targets(self, resource: Resource, functions: Mapping[str, Resource]) -> list[str]:
        found = [
            self._function_of(node.get("Arn"), functions) for node in self._schedule_target_nodes(resource)
        ]
        return [target for target in found if target is not None]

    def _schedules_of(self, resource: Resource, functions: Mapping[str, Resource]) -> list[Schedule]:
        assert self.resolver is not None
        properties = self.resolver.properties(resource)
        schedules = []
        for node in self._schedule_target_nodes(resource):
            function_id = self._function_of(node.get("Arn"), functions)
            if function_id not in self.functions:
                continue
            schedules.append(
                Schedule(
                    logical_id=resource.logical_id,
                    expression=str(properties["ScheduleExpression"]),
                    enabled=str(properties.get("State", "ENABLED")).upper() == "ENABLED",
                    function=self.functions[function_id],
                    input=self.resolver.resolve(node["Input"]) if "Input" in node else None,
                    source_arn=str(self.resolver.get_att(resource.logical_id, "Arn")),
                    kind="scheduler" if resource.type == "AWS::Scheduler::Schedule" else "rule",
                )
            )
        return schedules

    # -- local-only HTTP routes -------------------------------------------------------------

    def _local_route(self, method: str, path: str, body: bytes) -> HttpResponse | None:
        if not path.startswith("/_local/"):
            return None
        if method == "GET" and path == "/_local/health":
            return json_response(
                200,
                {
                    "status": "ok",
                    "moto_endpoint": self.moto.endpoint,
                    "functions": {logical_id: f.concurrency for logical_id, f in self.functions.items()},
                    "schedules": sorted(self.schedules.schedules),
                },
            )
        if method == "GET" and path == "/_local/outbox":
            return json_response(200, self.outbox())
        if path == "/_local/faults":
            return self.faults.route(method, body)
        if method == "POST" and path.startswith("/_local/schedules/"):
            logical_id = path.removeprefix("/_local/schedules/")
            if logical_id not in self.schedules.schedules:
                return json_response(404, {"message": f"no schedule {logical_id}"})
            result = self.trigger_schedule(logical_id)
            return json_response(
                200 if result.ok else 502,
                {"functionError": result.function_error, "payload": result.payload},
            )
        return json_response(404, {"message": "Not Found"})


def write_endpoints_file(stack: LocalStack, path: Path = ENDPOINTS_FILE) -> Path:
    """Write ``stack.endpoints()`` as JSON, atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(stack.endpoints(), indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return path


def remove_endpoints_file(path: Path = ENDPOINTS_FILE) -> None:
    """Remove the file if this process wrote it (another ``make dev`` may have replaced it)."""
    try:
        written_by = json.loads(path.read_text(encoding="utf-8")).get("pid")
    except (OSError, ValueError):
        return
    if written_by == os.getpid():
        path.unlink(missing_ok=True)
