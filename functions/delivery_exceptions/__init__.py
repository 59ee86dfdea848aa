"""Delivery exceptions as work items: opened from shipment problems, worked by operators (docs/exceptions.md)."""
