"""The nginx sample (deploy/nginx/egov.conf, docs/deploy.md §10), run in a real nginx.

The sample is copied with the host name, ports, certificate and folders of a temporary setup; a tiny
upstream echoes the headers it receives. Checked: unknown hosts get no answer (444) and no TLS
handshake, HTTP redirects to HTTPS, the proxy passes Host with its port, the client address, the
scheme and a request id, no version in Server, and the maintenance notice (flag file, or upstream down)
with Retry-After and the security headers, as JSON under /api/.

Needs nginx (``apt install nginx``; CI installs it). By hand: ``pytest egov/core/tests/test_nginx_sample.py``.
"""

from __future__ import annotations

import datetime
import json
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "deploy" / "nginx" / "egov.conf"
HOST = "dichvucong.example.gov.vn"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt install nginx)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class Echo(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = json.dumps({name.lower(): value for name, value in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _request(port: int, host: str, path: str = "/", *, sni: str | None = None) -> tuple[int, dict, bytes] | None:
    """One HTTP/1.1 request; None when the server closes the connection without an answer."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock = raw
    if sni is not None:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        sock = context.wrap_socket(raw, server_hostname=sni)
    with sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    if not data:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nginx")
    cert, key = _certificate(tmp)
    http_port, https_port, upstream_port = _free_port(), _free_port(), _free_port()
    (tmp / "maintenance").mkdir()
    conf = SAMPLE.read_text(encoding="utf-8")
    for old, new in {
        "listen 80": f"listen {http_port}",
        "listen [::]:80": f"listen [::1]:{http_port}",
        "listen 443": f"listen {https_port}",
        "listen [::]:443": f"listen [::1]:{https_port}",
        "127.0.0.1:8000": f"127.0.0.1:{upstream_port}",
        "/etc/ssl/egov/fullchain.pem": str(cert),
        "/etc/ssl/egov/privkey.pem": str(key),
        "/srv/egov/maintenance/on": str(tmp / "maintenance" / "on"),
        "/srv/egov/app/deploy/maintenance": str(ROOT / "deploy" / "maintenance"),
    }.items():
        assert old in conf, old
        conf = conf.replace(old, new)
    (tmp / "egov.conf").write_text(conf, encoding="utf-8")
    (tmp / "nginx.conf").write_text(
        f"""
        user root;
        worker_processes 1;
        pid {tmp}/nginx.pid;
        error_log {tmp}/error.log;
        events {{ worker_connections 64; }}
        http {{
            include /etc/nginx/mime.types;
            access_log off;
            client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
            uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
            include {tmp}/egov.conf;
        }}
        """,
        encoding="utf-8",
    )
    checked = subprocess.run([NGINX, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], capture_output=True)
    assert checked.returncode == 0, checked.stderr.decode()
    upstream = ThreadingHTTPServer(("127.0.0.1", upstream_port), Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    try:
        yield {"http": http_port, "https": https_port, "flag": tmp / "maintenance" / "on", "upstream": upstream}
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=10)
        upstream.shutdown()


def test_unknown_hosts_get_no_answer_and_no_certificate(site):
    assert _request(site["http"], "evil.example") is None
    assert _request(site["http"], "127.0.0.1") is None
    with pytest.raises(ssl.SSLError):
        _request(site["https"], "evil.example", sni="evil.example")


def test_http_redirects_to_https_without_telling_the_version(site):
    status, headers, _ = _request(site["http"], HOST, "/tra-cuu/?ma=1")
    assert (status, headers["location"], headers["server"]) == (301, f"https://{HOST}/tra-cuu/?ma=1", "nginx")


def test_the_proxy_passes_host_with_port_client_address_scheme_and_a_request_id(site):
    status, headers, body = _request(site["https"], f"{HOST}:{site['https']}", sni=HOST)
    seen = json.loads(body)
    assert status == 200
    assert headers["server"] == "nginx"
    assert (seen["host"], seen["x-forwarded-for"], seen["x-forwarded-proto"]) == (
        f"{HOST}:{site['https']}",
        "127.0.0.1",
        "https",
    )
    assert len(seen["x-request-id"]) == 32 and int(seen["x-request-id"], 16) >= 0


def test_the_maintenance_flag_shows_the_notice_with_retry_after_and_security_headers(site):
    site["flag"].touch()
    try:
        page = _request(site["https"], HOST, "/thu-tuc/", sni=HOST)
        api = _request(site["https"], HOST, "/api/v1/procedures", sni=HOST)
    finally:
        site["flag"].unlink()
    status, headers, body = page
    assert (status, headers["retry-after"], headers["content-type"]) == (503, "120", "text/html")
    assert "Hệ thống đang được nâng cấp" in body.decode()
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"].startswith("default-src 'none'")
    status, headers, body = api
    assert (status, headers["content-type"], json.loads(body)["code"]) == (503, "application/json", "maintenance")
    assert _request(site["https"], HOST, "/", sni=HOST)[0] == 200  # flag removed: served again


def test_the_notice_shows_by_itself_while_the_application_is_down(site):
    site["upstream"].shutdown()
    site["upstream"].server_close()
    status, headers, body = _request(site["https"], HOST, "/", sni=HOST)
    assert (status, headers["retry-after"]) == (503, "120")
    assert "Hệ thống đang được nâng cấp" in body.decode()
