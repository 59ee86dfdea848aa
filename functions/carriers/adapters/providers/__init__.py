"""HTTP clients of the tracking providers' registration and query APIs (stdlib `urllib`: no
extra dependency in the layer). Each adapter owns its base URL and key and takes an injected
`ProviderHttp`, so tests point it at the local provider simulator or a fake transport."""
