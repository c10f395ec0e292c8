"""A Kakao that misbehaves on purpose, at the socket level: error statuses, HTML, broken or endless or huge
bodies, resets, silence. Each authorization code names the fault of the token or user endpoint."""
import json
import socket
import struct
import threading
import time
import urllib.parse

OK_PROFILE = {"id": 123456789, "kakao_account": {"profile": {"nickname": "drill"}}}


class FaultyKakao:
    """`token:<fault>` codes break the token endpoint, `user:<fault>` codes the user endpoint."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.stopped = True
        self.server.close()

    def _accept(self):
        while not self.stopped:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    @staticmethod
    def _read_request(connection):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return None, None, None
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        headers = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in lines[1:]}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            body += connection.recv(65536)
        return lines[0], headers, body.decode()

    @staticmethod
    def _send(connection, status, body, content_type="application/json"):
        payload = body.encode() if isinstance(body, str) else body
        connection.sendall(f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n"
                           f"Connection: close\r\n\r\n".encode() + payload)

    def _serve(self, connection):
        try:
            request_line, headers, body = self._read_request(connection)
            if request_line is None:
                return
            if request_line.startswith("POST /oauth/token"):
                code = urllib.parse.parse_qs(body).get("code", [""])[0]
                where, _, fault = code.partition(":")
                if where == "token":
                    return self._fault(connection, fault, kauth=True)
                return self._send(connection, 200, json.dumps({"token_type": "bearer", "access_token": "at-" + code, "expires_in": 60}))
            if request_line.startswith("GET /v2/user/me"):
                token = headers.get("authorization", "").removeprefix("Bearer at-")
                where, _, fault = token.partition(":")
                if where == "user":
                    return self._fault(connection, fault, kauth=False)
                return self._send(connection, 200, json.dumps(OK_PROFILE))
            self._send(connection, 404, "{}")
        except OSError:
            pass
        finally:
            try:
                connection.close()
            except OSError:
                pass

    def _fault(self, connection, fault, kauth):
        error = json.dumps({"error": "server_error", "error_code": "KOE999"} if kauth else {"msg": "fault", "code": -1})
        if fault.startswith("status"):
            return self._send(connection, int(fault.removeprefix("status")), error)
        if fault == "html":
            return self._send(connection, 200, "<html><body>maintenance</body></html>", "text/html")
        if fault == "malformed":
            return self._send(connection, 200, "{\"access_token\": \"x\", \"id\": }")
        if fault == "truncated":
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\": 1")
            return
        if fault == "endless":
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not self.stopped:
                connection.sendall(b"1\r\n \r\n")
                time.sleep(0.05)
            return
        if fault == "huge":
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{\"id\":1,\"pad\":\"")
            block = b"x" * 1048576
            for _ in range(100):
                connection.sendall(block)
            return
        if fault == "reset":
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if fault == "silent":
            time.sleep(30)
            return
        if fault.startswith("id="):
            return self._send(connection, 200, "{\"id\":" + fault.removeprefix("id=") + "}")
        if fault == "noid":
            return self._send(connection, 200, "{\"kakao_account\":{}}")
        raise ValueError(f"unknown fault {fault!r}")
