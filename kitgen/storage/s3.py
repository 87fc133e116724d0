"""The S3 store: a bucket on AWS, MinIO, moto… reached through boto3.

An S3 PUT is atomic (a reader sees the whole object or none of it), so with content-addressed
keys and the manifest written last no locking is needed. Credentials come from boto3's usual
chain (AWS_ACCESS_KEY_ID…, a profile, an instance role) and never appear in a message. The
credentials need s3:ListBucket as well as Get/PutObject: without it S3 answers 403, not 404,
for a missing key, and a cache miss would look like a refusal.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from kitgen.errors import ConfigError, StorageError
from kitgen.storage.base import check_key

if TYPE_CHECKING:
    from kitgen.settings import Settings

#: SigV4 presigned URLs cannot live longer than seven days; S3 refuses longer ones.
MAX_EXPIRY = 7 * 24 * 3600
_DENIED = {
    "AccessDenied",
    "Forbidden",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "AllAccessDisabled",
}


class S3Storage:
    """A bucket (and a key prefix in it); one boto3 client per store, shared by threads."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        prefix: str = "",
        path_style: bool = True,
        download_expiry: int = 3600,
        public_endpoint_url: str | None = None,
        read_timeout: int = 30,
        attempts: int = 3,
    ):
        if not 0 < download_expiry <= MAX_EXPIRY:
            raise ConfigError(
                f"KITGEN_DOWNLOAD_EXPIRY must be 1 to {MAX_EXPIRY} seconds "
                f"for S3 presigned URLs, not {download_expiry}"
            )
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.download_expiry = download_expiry
        # Short timeouts and few retries: an unreachable store fails a request in seconds.
        config = Config(
            region_name=region,
            signature_version="s3v4",
            connect_timeout=3,
            read_timeout=read_timeout,
            retries={"mode": "standard", "max_attempts": attempts},
            s3={"addressing_style": "path" if path_style else "virtual"},
            # checksums only where S3 requires them: older MinIO/Ceph refuse more
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        # A session per store: boto3 sessions are not thread-safe, the client made here is.
        session = boto3.session.Session()
        self._client = session.client("s3", endpoint_url=endpoint_url, config=config)
        self.endpoint: str = self._client.meta.endpoint_url
        # Presigned links go to browsers: they may need another host than the workers use
        # (compose: workers reach http://minio:9000, browsers http://localhost:9000).
        self._signer = (
            session.client("s3", endpoint_url=public_endpoint_url, config=config)
            if public_endpoint_url
            else self._client
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, read_timeout: int = 30, attempts: int = 3
    ) -> S3Storage:
        if not settings.s3_bucket:
            raise ConfigError("KITGEN_S3_BUCKET is not set")
        return cls(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            prefix=settings.s3_prefix,
            path_style=settings.s3_path_style,
            download_expiry=settings.download_expiry,
            public_endpoint_url=settings.s3_public_endpoint_url,
            read_timeout=read_timeout,
            attempts=attempts,
        )

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def get(self, key: str) -> bytes | None:
        name = self._name(key)
        with self._translate(f"reading {name}"):
            try:
                response = self._client.get_object(Bucket=self.bucket, Key=name)
            except ClientError as exc:
                if _code(exc) == "NoSuchKey":
                    return None
                raise
            data: bytes = response["Body"].read()  # a stream cut mid-body is a StorageError
            return data

    def exists(self, key: str) -> bool:
        name = self._name(key)
        with self._translate(f"looking up {name}"):
            try:
                self._client.head_object(Bucket=self.bucket, Key=name)
            except ClientError as exc:
                if _status(exc) == 404:  # HEAD has no body: a bare 404 is a missing key
                    return False
                raise
            return True

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """One put_object: S3 makes it visible only once all of it has arrived."""
        name = self._name(key)
        with self._translate(f"writing {name}"):
            self._client.put_object(
                Bucket=self.bucket, Key=name, Body=data, ContentType=content_type
            )

    def local_file(self, key: str) -> Path | None:
        return None  # objects live in the bucket

    def download_url(self, key: str, filename: str) -> str | None:
        """A presigned GET that makes the browser save the object under ``filename``."""
        name = self._name(key)
        params = {
            "Bucket": self.bucket,
            "Key": name,
            "ResponseContentDisposition": _attachment(filename),
            "ResponseContentType": (mimetypes.guess_type(name)[0] or "application/octet-stream"),
        }
        with self._translate(f"signing a download of {name}"):
            url: str = self._signer.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=self.download_expiry
            )
            return url

    def check(self) -> None:
        with self._translate("checking the bucket"):
            self._client.head_bucket(Bucket=self.bucket)

    def describe(self) -> str:
        where = f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"
        return f"{where} at {self.endpoint}"

    @contextmanager
    def _translate(self, action: str) -> Iterator[None]:
        """Every boto failure becomes a StorageError that names the endpoint, bucket, problem."""
        bucket, endpoint = self.bucket, self.endpoint
        try:
            yield
        except ClientError as exc:
            code, status = _code(exc), _status(exc)
            if code == "NoSuchBucket" or (action == "checking the bucket" and status == 404):
                message = f"S3 bucket {bucket!r} does not exist at {endpoint}"
            elif status == 403 or code in _DENIED:
                message = (
                    f"S3 refused access to bucket {bucket!r} at {endpoint} "
                    f"(check AWS credentials): {code or status}"
                )
            elif status == 301 or code in {"PermanentRedirect", "AuthorizationHeaderMalformed"}:
                message = (
                    f"S3 bucket {bucket!r} is in another region than KITGEN_S3_REGION "
                    f"({self._client.meta.region_name})"
                )
            else:
                detail = exc.response.get("Error", {}).get("Message") or code or status
                message = f"S3 failed {action} in bucket {bucket!r} at {endpoint}: {detail}"
            raise StorageError(message) from None
        except (NoCredentialsError, PartialCredentialsError):
            raise StorageError(
                f"no usable AWS credentials for S3 bucket {bucket!r} (set "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
            ) from None
        except ReadTimeoutError:
            raise StorageError(
                f"S3 endpoint {endpoint} did not answer in time (bucket {bucket}, {action})"
            ) from None
        except (BotoConnectionError, HTTPClientError) as exc:
            raise StorageError(
                f"S3 endpoint {endpoint} is unreachable (bucket {bucket}): {exc}"
            ) from None
        except BotoCoreError as exc:
            raise StorageError(
                f"S3 failed {action} in bucket {bucket!r} at {endpoint}: {exc}"
            ) from None


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int | None:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None


def _attachment(filename: str) -> str:
    """An ASCII ``filename=`` every browser reads, plus RFC 6266 ``filename*`` for the rest."""
    plain = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    value = f'attachment; filename="{plain}"'
    if plain != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value
