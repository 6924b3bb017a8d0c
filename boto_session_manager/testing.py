"""Test your own code against a local AWS: moto's server on the loopback.

This module needs the ``local`` extra (``pip install
"boto-session-manager-ng[local]"``), which brings moto's server. Nothing here
talks to a real AWS endpoint: the server listens on ``127.0.0.1`` on a port the
operating system picks, and the managers it hands out point every client at it
through ``default_client_kwargs``, including the STS calls behind
:meth:`~boto_session_manager.BotoSesManager.assume_role`.

Example, as a pytest fixture::

    import pytest
    from boto_session_manager.testing import local_aws

    @pytest.fixture(scope="session")
    def aws():
        with local_aws() as server:
            yield server

    def test_upload(aws):
        bsm = aws.manager()
        bsm.s3_client.create_bucket(Bucket="b")
        ...

Thread safety: the server serves many threads at once; :meth:`LocalAWS.reset`
wipes the state of every test using the server, so call it between tests, not
during one.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import attrs

from .exceptions import LocalAWSUnavailableError

if TYPE_CHECKING:
    from .manager import BotoSesManager

#: The account moto uses for credentials it has never seen.
DEFAULT_ACCOUNT_ID = "123456789012"

#: Placeholder keys for the local server; moto accepts any key.
TEST_ACCESS_KEY_ID = "AKIALOCALTESTING0000"
TEST_SECRET_ACCESS_KEY = "local-testing-secret-key"  # noqa: S105 - not a real secret


@attrs.frozen
class LocalAWS:
    """A running local AWS server.

    Attributes:
        endpoint_url: ``http://127.0.0.1:<port>``, for ``endpoint_url=``.
        region_name: the region the managers use by default.
    """

    endpoint_url: str
    region_name: str = "us-east-1"

    def manager(self, **kwargs: Any) -> BotoSesManager:
        """Return a manager whose every client talks to this server.

        Keyword arguments go to :class:`~boto_session_manager.BotoSesManager`
        and override the defaults (placeholder keys, this server's endpoint,
        :attr:`region_name`).

        Example::

            bsm = server.manager(region_name="eu-west-1")
            assert bsm.aws_account_id == "123456789012"
        """
        from .manager import BotoSesManager

        client_kwargs = {"endpoint_url": self.endpoint_url}
        client_kwargs.update(kwargs.pop("default_client_kwargs", None) or {})
        options: dict[str, Any] = {
            "aws_access_key_id": TEST_ACCESS_KEY_ID,
            "aws_secret_access_key": TEST_SECRET_ACCESS_KEY,
            "region_name": self.region_name,
        }
        options.update(kwargs)
        return BotoSesManager(default_client_kwargs=client_kwargs, **options)

    def reset(self) -> None:
        """Forget every resource created on the server (all accounts)."""
        request = urllib.request.Request(  # noqa: S310 - loopback URL we built
            f"{self.endpoint_url}/moto-api/reset", data=b"", method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()

    def set_config(self, **config: Any) -> None:
        """Change moto's server-side configuration (e.g. IAM enforcement).

        Example::

            server.set_config(batch={"use_docker": False})
        """
        request = urllib.request.Request(  # noqa: S310 - loopback URL we built
            f"{self.endpoint_url}/moto-api/config",
            data=json.dumps(config).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()


@contextmanager
def local_aws(region_name: str = "us-east-1") -> Iterator[LocalAWS]:
    """Start moto's server on ``127.0.0.1`` (a free port) for the block.

    Args:
        region_name: the region of the managers :meth:`LocalAWS.manager` makes.

    Yields:
        The running :class:`LocalAWS`.

    Raises:
        LocalAWSUnavailableError: moto's server is not installed.

    Example::

        with local_aws() as server:
            bsm = server.manager()
            print(bsm.aws_account_id)
    """
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:  # pragma: no cover - depends on the install
        msg = (
            "the local AWS server needs moto's server: "
            'pip install "boto-session-manager-ng[local]"'
        )
        raise LocalAWSUnavailableError(msg) from exc

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield LocalAWS(endpoint_url=f"http://{host}:{port}", region_name=region_name)
    finally:
        server.stop()
