"""The threaded HTTP server the local API and the provider simulator serve on.

A client that goes away mid-response (a browser tab closed, ``curl`` interrupted, a test's
timeout) is normal traffic, not a fault of the server: it is logged on one line instead of the
traceback :class:`socketserver.BaseServer` prints for it. Any other error still gets its traceback.
"""

from __future__ import annotations

import logging
import sys
from http.server import ThreadingHTTPServer
from typing import Any

DISCONNECTED = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)
"""What a socket write or read raises when the client has closed or reset the connection."""
_LOG = logging.getLogger("ordertrack.local")


class LocalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    server_name_for_log = "http"

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, DISCONNECTED):
            _LOG.info("%s client_disconnected error=%s", self.server_name_for_log, type(error).__name__)
            return
        super().handle_error(request, client_address)
