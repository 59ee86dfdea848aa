"""A client that goes away mid-response is one log line, never a traceback."""

from __future__ import annotations

import logging
import socket
import struct
import threading

import pytest

from infra.local.http_api import HttpApiServer, HttpRequest, HttpResponse

BIG = (
    8 * 1024 * 1024
)  # far more than the socket buffers hold: the server is still writing when the client resets


class _BigAnswer:
    def __init__(self) -> None:
        self.answered = threading.Event()

    def handle(self, request: HttpRequest, domain_name: str) -> HttpResponse:
        self.answered.set()
        return HttpResponse(200, [("content-type", "application/octet-stream")], b"x" * BIG)


def _connect_read_a_little_and_reset(port: int) -> None:
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(b"GET /v1/big HTTP/1.1\r\nHost: local\r\n\r\n")
    assert client.recv(1024).startswith(b"HTTP/1.1 200")
    # close with RST (SO_LINGER 0), as a killed browser tab or an interrupted curl does
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


def test_a_client_resetting_mid_response_is_one_log_line_and_no_traceback(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    server = HttpApiServer(0)
    api = _BigAnswer()
    server.start(api)  # type: ignore[arg-type]
    try:
        with caplog.at_level(logging.INFO, logger="ordertrack.local"):
            # Given a client that asks for a large answer, reads its first bytes and resets
            _connect_read_a_little_and_reset(server.port)
            # When the server goes on writing (then serves the next client as usual)
            probe = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            probe.sendall(b"GET /v1/big HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n")
            received = 0
            while chunk := probe.recv(1 << 16):
                received += len(chunk)
            probe.close()
    finally:
        server.stop()
    # Then nothing was printed to stderr, and the disconnection is one line of the runtime's log
    assert received > BIG
    assert "Traceback" not in capfd.readouterr().err
    disconnects = [r.getMessage() for r in caplog.records if "client_disconnected" in r.getMessage()]
    assert len(disconnects) == 1, disconnects
    assert disconnects[0].startswith("api client_disconnected error=")
