"""The S3 store against a real S3 server (moto over HTTP): objects, keys, downloads, failures.

Nothing in boto3 is patched: every test goes through sockets, signing and S3's error replies,
so a failure here is one a deployment against AWS or MinIO would see.
"""

from __future__ import annotations

import hashlib
import time
import urllib.request
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from kitgen.errors import ConfigError, StorageError
from kitgen.models import KitRequest, Manifest
from kitgen.pipeline import build_kit
from kitgen.publish import ensure_combined
from kitgen.settings import Settings
from kitgen.storage import FilesystemStorage, open_storage
from kitgen.storage.s3 import S3Storage
from tests.s3server import unreachable_endpoint

AGENDA = KitRequest(country="fr", language="fr", kinds=("agenda",))


def client(settings: Settings):
    return boto3.session.Session().client("s3", endpoint_url=settings.s3_endpoint_url)


def bucket_keys(settings: Settings) -> list[str]:
    listing = client(settings).list_objects_v2(Bucket=settings.s3_bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.fixture
def store(s3_settings: Settings) -> S3Storage:
    return S3Storage.from_settings(s3_settings)


# -- objects -------------------------------------------------------------------------------
def test_put_get_exists_round_trip(store):
    assert not store.exists("kits/abc/kit.pdf")
    store.put("kits/abc/kit.pdf", b"%PDF-1.7 bytes", "application/pdf")
    assert store.get("kits/abc/kit.pdf") == b"%PDF-1.7 bytes"
    assert store.exists("kits/abc/kit.pdf")
    store.put("kits/abc/kit.pdf", b"", "application/pdf")  # an empty object is still an object
    assert store.get("kits/abc/kit.pdf") == b""


def test_a_missing_key_reads_as_none(store):
    assert store.get("documents/missing.pdf") is None
    assert not store.exists("documents/missing.pdf")


def test_the_content_type_is_stored(store, s3_settings):
    store.put("kits/abc/manifest.json", b"{}", "application/json")
    head = client(s3_settings).head_object(
        Bucket=s3_settings.s3_bucket, Key="kits/abc/manifest.json"
    )
    assert head["ContentType"] == "application/json"
    assert head["ContentLength"] == 2


def test_keys_live_under_the_prefix(s3_settings):
    prefixed = S3Storage.from_settings(replace(s3_settings, s3_prefix="tenant/a"))
    prefixed.put("documents/x.pdf", b"x", "application/pdf")
    assert bucket_keys(s3_settings) == ["tenant/a/documents/x.pdf"]
    assert prefixed.get("documents/x.pdf") == b"x"
    assert S3Storage.from_settings(s3_settings).get("documents/x.pdf") is None
    where = f"s3://{s3_settings.s3_bucket}/tenant/a at {s3_settings.s3_endpoint_url}"
    assert prefixed.describe() == where


@pytest.mark.parametrize("key", ["../x", "/abs", "UPPER", "a/../b", "a//b", ""])
def test_invalid_keys_are_refused_before_any_request(store, key):
    for call in (
        lambda: store.get(key),
        lambda: store.exists(key),
        lambda: store.put(key, b"x", "text/plain"),
        lambda: store.download_url(key, "x.pdf"),
    ):
        with pytest.raises(StorageError, match="invalid storage key"):
            call()


# -- downloads -----------------------------------------------------------------------------
def test_a_download_url_serves_the_bytes_as_an_attachment(store, s3_settings):
    store.put("kits/abc/kit.pdf", b"%PDF-kit", "application/pdf")
    url = store.download_url("kits/abc/kit.pdf", "hour-of-code-fr.pdf")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == [str(s3_settings.download_expiry)]
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"%PDF-kit"
        assert response.headers["Content-Type"] == "application/pdf"
        disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="hour-of-code-fr.pdf"'


def test_a_non_ascii_filename_gets_an_rfc6266_fallback(store):
    store.put("kits/abc/kit.pdf", b"%PDF-kit", "application/pdf")
    url = store.download_url("kits/abc/kit.pdf", 'Kit "Été".pdf')
    with urllib.request.urlopen(url, timeout=10) as response:
        disposition = response.headers["Content-Disposition"]
    assert disposition == (
        "attachment; filename=\"Kit __t__.pdf\"; filename*=UTF-8''Kit%20%22%C3%89t%C3%A9%22.pdf"
    )


def test_the_download_expiry_is_signed_into_the_url(s3_settings):
    # moto does not enforce X-Amz-Expires (nor the signature), so the test can only check
    # what is signed, not that S3 refuses the URL once it has expired.
    store = S3Storage.from_settings(replace(s3_settings, download_expiry=1))
    store.put("kits/abc/kit.pdf", b"%PDF-kit", "application/pdf")
    query = parse_qs(urlsplit(store.download_url("kits/abc/kit.pdf", "k.pdf")).query)
    assert query["X-Amz-Expires"] == ["1"]
    assert "X-Amz-Signature" in query


def test_an_expiry_s3_cannot_sign_is_a_config_error(s3_settings):
    with pytest.raises(ConfigError, match="KITGEN_DOWNLOAD_EXPIRY"):
        S3Storage.from_settings(replace(s3_settings, download_expiry=8 * 24 * 3600))


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan", "86400"])
def test_a_storage_retry_wait_that_is_not_seconds_is_a_config_error(value):
    with pytest.raises(ConfigError, match="KITGEN_STORAGE_RETRY_SECONDS"):
        Settings.from_env({"KITGEN_STORAGE_RETRY_SECONDS": value})
    assert Settings.from_env({"KITGEN_STORAGE_RETRY_SECONDS": "0.5"}).storage_retry_seconds == 0.5


# -- health and failures -------------------------------------------------------------------
def test_check_passes_on_the_bucket(store, s3_settings):
    store.check()
    assert store.describe() == f"s3://{s3_settings.s3_bucket} at {s3_settings.s3_endpoint_url}"


def test_a_missing_bucket_is_named(s3_settings):
    store = S3Storage.from_settings(replace(s3_settings, s3_bucket="kitgen-no-such-bucket"))
    for call in (store.check, lambda: store.get("x"), lambda: store.put("x", b"", "text/plain")):
        with pytest.raises(StorageError, match="S3 bucket 'kitgen-no-such-bucket' does not exist"):
            call()


@pytest.mark.parametrize("operation", ["get", "put", "exists", "check"])
def test_an_unreachable_endpoint_fails_fast_with_a_clear_error(s3_settings, operation):
    endpoint = unreachable_endpoint()
    store = S3Storage.from_settings(replace(s3_settings, s3_endpoint_url=endpoint))
    calls = {
        "get": lambda: store.get("kits/k/manifest.json"),
        "put": lambda: store.put("kits/k/kit.pdf", b"x", "application/pdf"),
        "exists": lambda: store.exists("kits/k/kit.pdf"),
        "check": store.check,
    }
    started = time.monotonic()
    with pytest.raises(StorageError) as caught:
        calls[operation]()
    assert time.monotonic() - started < 20
    message = str(caught.value)
    assert "unreachable" in message and endpoint in message and s3_settings.s3_bucket in message
    assert "testing" not in message


def test_open_storage_picks_s3_when_a_bucket_is_set(s3_settings):
    assert isinstance(open_storage(s3_settings), S3Storage)
    assert isinstance(open_storage(replace(s3_settings, s3_bucket=None)), FilesystemStorage)


# -- the pipeline over S3 ------------------------------------------------------------------
class FailingAfter:
    """The real store for the first ``allowed`` puts, then S3 goes away mid-publish."""

    def __init__(self, store: S3Storage, allowed: int):
        self.store, self.allowed, self.puts = store, allowed, 0

    def put(self, key: str, data: bytes, content_type: str) -> None:
        if self.puts >= self.allowed:
            raise StorageError(f"S3 endpoint {self.store.endpoint} is unreachable (simulated)")
        self.puts += 1
        self.store.put(key, data, content_type)

    def __getattr__(self, name: str):
        return getattr(self.store, name)


def assert_complete(settings: Settings, manifest: dict) -> None:
    """Every object the manifest names is in the bucket, with the digest it records."""
    store = S3Storage.from_settings(settings)
    assert store.exists(f"kits/{manifest['key']}/manifest.json")
    for entry in manifest["documents"]:
        data = store.get(entry["object"])
        assert data is not None and data.startswith(b"%PDF")
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]


@pytest.mark.slow
def test_a_kit_is_stored_in_the_bucket_and_then_cached(s3_settings):
    first = build_kit(AGENDA, settings=s3_settings, storage=S3Storage.from_settings(s3_settings))
    assert not first.cached and first.rendered_count == 1
    document = first.documents[0].key
    assert bucket_keys(s3_settings) == sorted(
        [
            f"documents/{document}.pdf",
            f"documents/{document}.json",
            f"kits/{first.key}/manifest.json",
        ]
    )
    store = S3Storage.from_settings(s3_settings)
    stored = Manifest.from_json(store.get(f"kits/{first.key}/manifest.json"))
    assert stored == first.manifest
    assert_complete(s3_settings, stored.to_dict())
    # The combined PDF is made when first asked for, from the documents in the bucket.
    assert ensure_combined(store, stored) == f"kits/{first.key}/kit.pdf"
    assert store.get(f"kits/{first.key}/kit.pdf").startswith(b"%PDF-")
    again = build_kit(AGENDA, settings=s3_settings, storage=S3Storage.from_settings(s3_settings))
    assert again.cached and again.key == first.key


@pytest.mark.slow
def test_an_unreachable_store_fails_the_build_with_a_storage_error(s3_settings):
    dead = replace(s3_settings, s3_endpoint_url=unreachable_endpoint())
    with pytest.raises(StorageError, match="unreachable"):
        build_kit(AGENDA, settings=dead, storage=S3Storage.from_settings(dead))
    assert bucket_keys(s3_settings) == []
    assert not s3_settings.store_dir.exists()  # no quiet fallback to the local folder


@pytest.mark.slow
@pytest.mark.parametrize("allowed", [0, 1, 2])
def test_s3_going_away_mid_publish_leaves_no_manifest(s3_settings, allowed):
    # A one-document kit is three puts: the PDF, its metadata, the manifest (the combined
    # PDF is made when first asked for).
    flaky = FailingAfter(S3Storage.from_settings(s3_settings), allowed)
    with pytest.raises(StorageError, match="simulated"):
        build_kit(AGENDA, settings=s3_settings, storage=flaky)
    assert flaky.puts == allowed
    assert len(bucket_keys(s3_settings)) == allowed
    assert not [k for k in bucket_keys(s3_settings) if k.endswith("manifest.json")]

    healed = build_kit(AGENDA, settings=s3_settings, storage=S3Storage.from_settings(s3_settings))
    assert not healed.cached
    assert healed.rendered_count == (1 if allowed < 2 else 0)  # a stored document is reused
    assert_complete(s3_settings, healed.manifest.to_dict())
