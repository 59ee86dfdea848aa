"""A local stand-in for the carrier tracking providers (EasyPost, AfterShip, Kuaidi100, 17TRACK,
Shippo): their registration and query APIs, then their webhook pushes. See
docs/provider-simulator.md."""

from infra.local.providers.simulator import PROVIDERS, ProviderSimulator, parse_faults

__all__ = ["PROVIDERS", "ProviderSimulator", "parse_faults"]
