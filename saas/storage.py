"""Where files live: a local folder (embedded default) or S3 through boto3.

STORAGE_URL=file:///path or s3://bucket/prefix (S3_ENDPOINT_URL for moto / other endpoints).
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from urllib.parse import urlparse

from saas.domain.messages import N_
from saas.errors import DomainError


class StorageUnavailable(DomainError):
    """The storage did not answer (503): the request is refused whole (the caller rolls
    back)."""


UNAVAILABLE = N_("文件存储暂不可用，请稍后重试")


class LocalStorage:
    def __init__(self, root: str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key escapes the storage root")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> str | None:
        """Write the file; returns its version (None: a folder keeps one)."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except OSError as exc:
            raise StorageUnavailable(UNAVAILABLE) from exc
        return None

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def get(self, key: str, version: str | None = None) -> bytes:
        return self._path(key).read_bytes()

    def sha256(self, key: str, version: str | None = None) -> str:
        return hashlib.sha256(self.get(key)).hexdigest()

    def url(self, key: str, filename: str, expires: int = 300,
            version: str | None = None) -> str | None:
        return None  # served through the app

    def check(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        return f"file {self.root}"


class S3Storage:
    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None = None):
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put(self, key: str, data: bytes, content_type: str) -> str | None:
        """Upload, encrypted at rest (SSE-S3) with S3 checking the SHA-256 on arrival;
        returns the object's version on a versioned bucket (kept, so the evidence always
        names the bytes it was uploaded with), else None."""
        with self._answering():
            answer = self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type,
                ChecksumSHA256=_b64_sha256(data), ServerSideEncryption="AES256")
        version = answer.get("VersionId")
        return None if version in (None, "null") else version

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        with self._answering():
            try:
                self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                    return False
                raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    @staticmethod
    @contextlib.contextmanager
    def _answering():
        """Unreachable or refusing S3 (connection, timeout, credentials): a 503."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable(UNAVAILABLE) from exc

    def _object(self, key: str, version: str | None) -> dict:
        where = {"Bucket": self.bucket, "Key": self._key(key)}
        return {**where, "VersionId": version} if version else where

    def get(self, key: str, version: str | None = None) -> bytes:
        with self._answering():
            return self.client.get_object(**self._object(key, version))["Body"].read()

    def sha256(self, key: str, version: str | None = None) -> str:
        """The stored object's SHA-256 (hex), from the checksum S3 kept at upload; read
        and hashed when the store keeps none."""
        import base64

        with self._answering():
            head = self.client.head_object(**self._object(key, version), ChecksumMode="ENABLED")
        kept = head.get("ChecksumSHA256")
        if kept and "-" not in kept:  # a multipart checksum is not the file's own
            return base64.b64decode(kept).hex()
        return hashlib.sha256(self.get(key, version)).hexdigest()

    def url(self, key: str, filename: str, expires: int = 300,
            version: str | None = None) -> str | None:
        disposition = f"attachment; filename*=UTF-8''{_quote(filename)}"
        return self.client.generate_presigned_url(
            "get_object", Params={**self._object(key, version),
                                  "ResponseContentDisposition": disposition},
            ExpiresIn=expires)

    def check(self) -> str:
        self.client.head_bucket(Bucket=self.bucket)
        return f"s3 {self.bucket}"


def _b64_sha256(data: bytes) -> str:
    import base64

    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def get_storage(config):
    url = urlparse(config["STORAGE_URL"])
    if url.scheme == "s3":
        return S3Storage(url.netloc, url.path, config.get("S3_ENDPOINT_URL"))
    if url.scheme == "file":
        return LocalStorage(url.path)
    raise ValueError(f"unsupported STORAGE_URL scheme: {url.scheme}")
