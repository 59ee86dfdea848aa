"""The customer tracking page: `GET /track/{token}`, server-rendered HTML (docs/tracking-page.md)."""
