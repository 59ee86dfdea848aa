"""The local HTTP API takes a burst of clients the way API Gateway does: none is reset or dropped."""

from __future__ import annotations

import http.client
import socket
from concurrent.futures import ThreadPoolExecutor
from threading import Event

from infra.local.http_api import HttpApiServer, HttpRequest, HttpResponse, json_response

CLIENTS = 64


class _SlowApi:
    """Every request waits until all clients are connected: the accept queue must hold them."""

    def __init__(self) -> None:
        self.release = Event()

    def handle(self, request: HttpRequest, domain_name: str) -> HttpResponse:
        self.release.wait(timeout=10)
        return json_response(200, {"path": request.path})


def test_64_clients_connecting_before_any_is_accepted_are_all_served() -> None:
    server = HttpApiServer(0)
    api = _SlowApi()
    sockets: list[socket.socket] = []
    try:
        # Given 64 clients that connect while nothing accepts yet (the server is bound, not serving)
        for _ in range(CLIENTS):
            client = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            client.sendall(b"GET /v1/burst HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n")
            sockets.append(client)
        # When the server starts and answers them all
        server.start(api)  # type: ignore[arg-type]
        api.release.set()

        def answer(client: socket.socket) -> bytes:
            chunks = []
            while chunk := client.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)

        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(answer, sockets))
        # Then every one got its 200: none was reset or left waiting
        assert [a.split(b"\r\n", 1)[0] for a in answers] == [b"HTTP/1.1 200 OK"] * CLIENTS
    finally:
        for client in sockets:
            client.close()
        server.stop()


def test_64_concurrent_keep_alive_clients_are_served() -> None:
    server = HttpApiServer(0)
    api = _SlowApi()
    api.release.set()
    server.start(api)  # type: ignore[arg-type]
    try:

        def client(index: int) -> list[int]:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            statuses = []
            for _ in range(3):
                connection.request("GET", f"/v1/orders/{index}")
                response = connection.getresponse()
                response.read()
                statuses.append(response.status)
            connection.close()
            return statuses

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(client, range(CLIENTS)))
        assert results == [[200, 200, 200]] * CLIENTS
    finally:
        server.stop()
