"""Generate ``boto_session_manager/_clients.py`` from botocore's own service list.

The generated module holds:

* ``ClientProperties``: the mixin of ``BotoSesManager`` with one read-only
  ``<service>_client`` property per botocore service (``-`` spelled ``_``),
  each returning ``self.get_client("<service>")``, annotated with the
  ``types-boto3`` stub class, imported under ``TYPE_CHECKING`` only;
* ``AwsServiceEnum``: one ``str`` constant per botocore service name, named as
  upstream boto-session-manager names them (botocore's client class name).

Usage::

    python scripts/generate_clients.py           # rewrite the module
    python scripts/generate_clients.py --check   # exit 1 if it is stale

Run it after upgrading botocore; the output depends only on the installed
botocore's service list and service metadata, and is sorted.
"""

from __future__ import annotations

import argparse
import difflib
import keyword
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

TARGET = Path(__file__).resolve().parent.parent / "boto_session_manager" / "_clients.py"
LINE_LENGTH = 100


@attrs.frozen
class Service:
    """One botocore service, with every name the generated module spells for it."""

    name: str  # botocore's name: "s3", "resource-groups"
    module_name: str  # botocore's client class name: "S3", "drs", "rePostPrivate"

    @property
    def snake(self) -> str:
        """``resource-groups`` -> ``resource_groups`` (property and stub module stem)."""
        return self.name.replace("-", "_")

    @property
    def camel(self) -> str:
        """``pinpoint-sms-voice`` -> ``PinpointSmsVoice``: only to break name clashes."""
        return "".join(part[:1].upper() + part[1:] for part in self.name.split("-"))

    @property
    def stub_module(self) -> str:
        """The types-boto3 client module: ``types_boto3_resource_groups.client``."""
        return f"types_boto3_{self.snake}.client"

    @property
    def stub_class(self) -> str:
        """The types-boto3 client class: the client class name, first letter upper."""
        return f"{self.module_name[:1].upper()}{self.module_name[1:]}Client"


def client_class_name(metadata: dict[str, str], service_name: str) -> str:
    """botocore's client class name (``type(client).__name__``) from service metadata.

    Same rule as :func:`botocore.utils.get_service_module_name`: the abbreviation,
    else the full name, else the service name, minus "Amazon"/"AWS" and non-word
    characters.
    """
    name = metadata.get("serviceAbbreviation", metadata.get("serviceFullName", service_name))
    name = name.replace("Amazon", "").replace("AWS", "")
    return re.sub(r"\W+", "", name)


def installed_botocore_version() -> str:
    """The installed botocore's release, which the generated module records."""
    import botocore

    return str(botocore.__version__)


def load_services() -> list[Service]:
    """Every service of the installed botocore, sorted by name."""
    import botocore.session

    session = botocore.session.Session()
    loader = session.get_component("data_loader")
    services = []
    for name in sorted(session.get_available_services()):
        model = loader.load_service_model(name, "service-2")
        services.append(Service(name=name, module_name=client_class_name(model["metadata"], name)))
    return services


def enum_names(services: Sequence[Service]) -> dict[str, str]:
    """``AwsServiceEnum`` attribute name per service name.

    Upstream names each constant after botocore's client class name. Two
    services can share one (``pinpoint-sms-voice`` and ``sms-voice`` are both
    ``PinpointSMSVoice``); upstream's class body let the last one win, so the
    last (in sorted order) keeps the name and the others are named after their
    service name (``PinpointSmsVoice``), keeping old code working.
    """
    owner = {service.module_name: service.name for service in services}
    names = {
        service.name: service.module_name
        if owner[service.module_name] == service.name
        else service.camel
        for service in services
    }
    _require_unique_identifiers(names.values(), "AwsServiceEnum constant")
    return names


def stub_aliases(services: Sequence[Service]) -> dict[str, str]:
    """Local name of each stub client class; clashing class names get aliases."""
    counts = Counter(service.stub_class for service in services)
    names = {
        service.name: service.stub_class
        if counts[service.stub_class] == 1
        else f"{service.camel}Client"
        for service in services
    }
    _require_unique_identifiers(names.values(), "stub client class")
    return names


def _require_unique_identifiers(names: Iterable[str], what: str) -> None:
    seen = Counter(names)
    clashes = sorted(name for name, count in seen.items() if count > 1)
    bad = sorted(name for name in seen if not name.isidentifier() or keyword.iskeyword(name))
    if clashes or bad:
        msg = f"cannot name every {what}: clashes {clashes}, not identifiers {bad}"
        raise SystemExit(msg)


HEADER = '''\
# mypy: disable-error-code="import-not-found"
# mypy: no-warn-return-any
"""Typed ``<service>_client`` properties and ``AwsServiceEnum``, one per botocore service.

GENERATED by ``scripts/generate_clients.py`` from the installed botocore's
service list: do not edit. After upgrading botocore, regenerate with::

    python scripts/generate_clients.py

(``--check`` exits 1 when this file is stale. The test suite checks it
whenever the installed botocore is the release recorded below; with any other
release it reports the check as skipped, so a new AWS service never fails a
clean install. Such a service works through ``get_client("<name>")``.)

The return types come from the ``types-boto3`` stub packages
(``types-boto3[s3,sts,...]``) and are imported for type checkers only: there
is no runtime import and no dependency. Without a service's stubs its
property is typed ``Any``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
'''

ENUM_DOC = '''\
class AwsServiceEnum:
    """Every botocore service name, as upstream boto-session-manager names them.

    Constants are plain ``str``: ``AwsServiceEnum.S3 == "s3"``,
    ``AwsServiceEnum.SecretsManager == "secretsmanager"``.
    """
'''

MIXIN_DOC = '''\
class ClientProperties:
    """Mixin of :class:`~boto_session_manager.BotoSesManager`: one property per service.

    ``bsm.s3_client`` is ``bsm.get_client("s3")``: the cached default client.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        def get_client(self, service_name: str, /) -> Any: ...
'''


def _import_line(service: Service, local: str) -> str:
    name = service.stub_class if local == service.stub_class else f"{service.stub_class} as {local}"
    line = f"    from {service.stub_module} import {name}"
    if len(line) <= LINE_LENGTH:
        return line
    return f"    from {service.stub_module} import (\n        {name},\n    )"


def _property(service: Service, local: str) -> str:
    prop = f"{service.snake}_client"
    signature = f"    def {prop}(self) -> {local}:"
    if len(signature) > LINE_LENGTH:
        signature = f"    def {prop}(\n        self,\n    ) -> {local}:"
    return (
        "    @property\n"
        f"{signature}\n"
        f'        """The cached default ``{service.name}`` client."""\n'
        f'        return self.get_client("{service.name}")\n'
    )


def render(services: Sequence[Service], botocore_version: str) -> str:
    """The whole generated module, as text, for ``services`` of that botocore release."""
    aliases = stub_aliases(services)
    constants = enum_names(services)
    imports = sorted(_import_line(s, aliases[s.name]) for s in services)
    enum = "".join(f'    {constants[s.name]} = "{s.name}"\n' for s in services)
    properties = "".join("\n" + _property(s, aliases[s.name]) for s in services)
    return "\n".join(
        [
            HEADER,
            "if TYPE_CHECKING:\n" + "\n".join(imports) + "\n",
            '__all__ = ["AwsServiceEnum", "ClientProperties"]\n',
            "#: The botocore release whose service list this module was generated from.\n"
            f'GENERATED_FROM_BOTOCORE = "{botocore_version}"\n\n',
            ENUM_DOC + "\n" + enum + "\n",
            MIXIN_DOC + properties,
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--output", type=Path, default=TARGET, help="default: %(default)s")
    args = parser.parse_args(argv)
    text = render(load_services(), installed_botocore_version())
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if args.check:
        if current == text:
            print(f"{args.output} is current")
            return 0
        diff = difflib.unified_diff(
            current.splitlines(keepends=True), text.splitlines(keepends=True), "current", "fresh"
        )
        sys.stdout.writelines(list(diff)[:60])
        print(f"{args.output} is stale: run python scripts/generate_clients.py")
        return 1
    if current != text:
        args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
