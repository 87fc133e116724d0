"""pytest plugin: a real S3 endpoint (moto's server over HTTP) for the tests that need one.

Tests talk to it exactly as production talks to S3 or MinIO: boto3 over a socket, nothing
patched. One server per session; each test gets its own bucket.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from kitgen.settings import Settings

#: Dummy credentials: the server accepts any; they keep boto3 off the developer's real ones.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
#: Variables that would point boto3 at another account, profile or endpoint.
UNSET = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_CA_BUNDLE",
)


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it; closed again at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unreachable_endpoint() -> str:
    """An HTTP endpoint that refuses connections: S3 that has gone away."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server running for the whole session, with dummy credentials set."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in CREDENTIALS.items():
            mp.setenv(name, value)
        for name in UNSET:
            mp.delenv(name, raising=False)
        mp.setenv("AWS_CONFIG_FILE", "/dev/null")
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        port = free_port()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()


@pytest.fixture
def s3_settings(s3_endpoint: str, tmp_path: Path) -> Settings:
    """Settings whose store is a fresh, empty bucket on the session's S3 server."""
    bucket = f"kitgen-test-{uuid.uuid4().hex[:12]}"
    boto3.session.Session().client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=bucket)
    return replace(
        Settings(), store_dir=tmp_path / "store", s3_bucket=bucket, s3_endpoint_url=s3_endpoint
    )
