"""Generate ``boto_session_manager/_clients.py`` from botocore's own service list.

The generated module holds:

* ``ClientProperties``: the mixin of ``BotoSesManager`` with one read-only
  ``<service>_client`` property per botocore service (``-`` spelled ``_``),
  each returning ``self.get_client("<service>")``, annotated with the
  service's client type from ``_client_types.pyi``, imported under
  ``TYPE_CHECKING`` only;
* ``AwsServiceEnum``: one ``str`` constant per service name, named as upstream
  boto-session-manager names them (the constants listed in
  ``scripts/upstream_service_names.txt`` keep their names and values; any other
  botocore service is named after botocore's client class name);
* for every upstream constant, a second property name, ``<constant
  lowercased>_client`` (``cloudwatchlogs_client``), bound to the same property
  object as botocore's name (``logs_client``). A listed service that the
  installed botocore no longer has still gets its property, typed
  ``BaseClient``; calling it raises botocore's ``UnknownServiceError``.

Usage::

    python scripts/generate_clients.py           # rewrite the module
    python scripts/generate_clients.py --check   # exit 1 if it is stale

It also writes ``_client_types.pyi`` beside it: one type alias per service
naming the client class of both published stub flavors
(``types_boto3_s3.client.S3Client | mypy_boto3_s3.client.S3Client``; the
flavor that is not installed resolves to ``Any``), and the typed
``get_client``/``get_resource`` overloads that return them.

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
from typing import Any

import attrs

TARGET = Path(__file__).resolve().parent.parent / "boto_session_manager" / "_clients.py"
#: The typed get_client/get_resource stub module, written beside TARGET.
TYPES_TARGET_NAME = "_client_types.pyi"
UPSTREAM_NAMES = Path(__file__).resolve().parent / "upstream_service_names.txt"
LINE_LENGTH = 100
#: The package prefixes of the two published flavors of per-service stubs, with the
#: same classes: ``types-boto3-s3`` (``types_boto3_s3``) and ``mypy-boto3-s3``
#: (``mypy_boto3_s3``, what ``boto3-stubs[s3]`` installs).
STUB_FLAVORS = ("types_boto3", "mypy_boto3")


@attrs.frozen
class Service:
    """One botocore service, with every name the generated module spells for it."""

    name: str  # botocore's name: "s3", "resource-groups"
    module_name: str  # botocore's client class name: "S3", "drs", "rePostPrivate"
    in_botocore: bool = True  # False: only named by upstream, gone from botocore

    @property
    def snake(self) -> str:
        """``resource-groups`` -> ``resource_groups`` (property and stub module stem)."""
        return self.name.replace("-", "_")

    @property
    def camel(self) -> str:
        """``pinpoint-sms-voice`` -> ``PinpointSmsVoice``: only to break name clashes."""
        return "".join(part[:1].upper() + part[1:] for part in self.name.split("-"))

    def stub_modules(self, submodule: str = "client") -> list[str]:
        """The stub module in each flavor: ``types_boto3_s3.client``, ``mypy_boto3_s3.client``."""
        return [f"{flavor}_{self.snake}.{submodule}" for flavor in STUB_FLAVORS]

    @property
    def stub_class(self) -> str:
        """The stub client class (both flavors): the client class name, first letter upper."""
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


#: How botocore's model files begin: the metadata object comes first (at most
#: after the version), so reading the head of a file is enough to know it.
_MODEL_HEAD = re.compile(rb'\A\s*\{\s*(?:"version"\s*:\s*"[^"]*"\s*,\s*)?"metadata"\s*:\s*')
_HEAD_BYTES = 1 << 16


def _metadata_file_loader() -> Any:
    """A botocore file loader that reads a service model's ``metadata`` only.

    Whole models are large (a few seconds for all of them); their metadata
    is at the top of the file. A file that does not begin that way (an extras
    file, another layout) is read whole, as botocore reads it. Everything
    else (search paths, latest API version, extras merged into the model) is
    botocore's own loader at work.
    """
    import gzip
    import json

    from botocore.loaders import JSONFileLoader

    class MetadataFileLoader(JSONFileLoader):  # type: ignore[misc]
        def load_file(self, file_path: str) -> Any:
            for ext, open_method in ((".json", open), (".json.gz", gzip.open)):
                path = Path(file_path + ext)
                if not path.is_file():
                    continue
                with open_method(path, "rb") as fp:
                    head = fp.read(_HEAD_BYTES)
                    match = _MODEL_HEAD.match(head)
                    if match:
                        text = head.decode("utf-8", "ignore")
                        start = len(head[: match.end()].decode("utf-8"))
                        try:
                            metadata, _ = json.JSONDecoder().raw_decode(text, start)
                        except ValueError:
                            pass  # a metadata object longer than the head: read it all
                        else:
                            return {"metadata": metadata}
                    payload = head + fp.read()
                return json.loads(payload.decode("utf-8"))
            return None

    return MetadataFileLoader()


def load_services() -> list[Service]:
    """Every service of the installed botocore, sorted by name."""
    import botocore.session

    session = botocore.session.Session()
    loader = session.get_component("data_loader")
    loader.file_loader = _metadata_file_loader()
    services = []
    for name in sorted(session.get_available_services()):
        model = loader.load_service_model(name, "service-2")
        services.append(Service(name=name, module_name=client_class_name(model["metadata"], name)))
    return services


def load_upstream_names(path: Path = UPSTREAM_NAMES) -> dict[str, str]:
    """Upstream's ``AwsServiceEnum``: constant name -> service name, from ``path``."""
    names: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or parts[0] in names:
            msg = f"{path}:{number}: expected one '<constant> <service>' per constant: {raw!r}"
            raise SystemExit(msg)
        names[parts[0]] = parts[1]
    return names


def with_upstream_services(services: Sequence[Service], upstream: dict[str, str]) -> list[Service]:
    """``services`` plus each service upstream names that botocore does not have."""
    known = {service.name for service in services}
    gone = sorted(set(upstream.values()) - known)
    extra = [Service(name=name, module_name=name, in_botocore=False) for name in gone]
    return sorted([*services, *extra], key=lambda service: service.name)


def enum_names(services: Sequence[Service], upstream: dict[str, str]) -> dict[str, str]:
    """``AwsServiceEnum`` constant name -> service name, one constant per service.

    Upstream's constants come first, with their values. Every other service is
    named after botocore's client class name, or after its service name
    (``SmsVoice``) when upstream already uses that class name for another one.
    """
    constants = dict(upstream)
    named = set(upstream.values())
    for service in services:
        if service.name in named:
            continue
        constant = service.module_name
        if constant in constants:
            constant = service.camel
        if constant in constants:
            msg = f"cannot name the AwsServiceEnum constant of {service.name!r}"
            raise SystemExit(msg)
        constants[constant] = service.name
    _require_unique_identifiers(list(constants), "AwsServiceEnum constant")
    return dict(sorted(constants.items(), key=lambda item: (item[1], item[0])))


def upstream_aliases(services: Sequence[Service], upstream: dict[str, str]) -> dict[str, str]:
    """Upstream's property name -> botocore's, where they differ (``cloudwatchlogs_client``)."""
    properties = {f"{service.snake}_client" for service in services}
    aliases = {}
    for constant, service_name in sorted(upstream.items()):
        alias = f"{constant.lower()}_client"
        target = f"{service_name.replace('-', '_')}_client"
        if alias == target:
            continue
        if alias in properties or target not in properties:
            msg = f"property {alias!r} for {service_name!r} clashes with another service's"
            raise SystemExit(msg)
        aliases[alias] = target
    return aliases


def stub_aliases(services: Sequence[Service]) -> dict[str, str]:
    """Local name of each stub client class; clashing class names get aliases."""
    counts = Counter(service.stub_class for service in services if service.in_botocore)
    names = {
        service.name: service.stub_class
        if counts[service.stub_class] == 1
        else f"{service.camel}Client"
        for service in services
        if service.in_botocore
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
# mypy: no-warn-return-any
"""Typed ``<service>_client`` properties and ``AwsServiceEnum``, one per botocore service.

GENERATED by ``scripts/generate_clients.py`` from the installed botocore's
service list: do not edit. After upgrading botocore, regenerate with::

    python scripts/generate_clients.py

(``--check`` exits 1 when this file is stale. The test suite checks it
whenever the installed botocore is the release recorded below; with any other
release it reports the check as skipped, so a new AWS service never fails a
clean install. Such a service works through ``get_client("<name>")``.)

Upstream boto-session-manager's property names are second names of the same
property objects: ``cloudwatchlogs_client is logs_client`` in the class body,
so both return the one cached client. A few services that upstream names and
botocore has since removed keep a property typed ``BaseClient``.

The return types are the service aliases of ``_client_types.pyi``: the
client class of the ``types-boto3-<service>`` or the ``mypy-boto3-<service>``
stub package, whichever is installed, read by type checkers only: there is no
runtime import and no dependency. Without a service's stubs its property is
typed ``Any``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
'''

ENUM_DOC = '''\
class AwsServiceEnum:
    """Every service name, as upstream boto-session-manager names them.

    One constant per botocore service, plus the few services upstream still
    names that botocore has removed. Constants are plain ``str``::

        AwsServiceEnum.S3 == "s3"
        AwsServiceEnum.CloudWatchLogs == "logs"
        bsm.get_client(AwsServiceEnum.SecretsManager)
    """
'''

MIXIN_DOC = '''\
class ClientProperties(_TypedFactories):
    """Mixin of :class:`~boto_session_manager.BotoSesManager`: one property per service.

    ``bsm.s3_client`` is ``bsm.get_client("s3")``: the cached default client.
    For type checkers its base declares ``get_client``/``get_resource`` with
    one overload per service (``_client_types.pyi``); at run time the base is
    ``object``.
    """

    __slots__ = ()
'''


ALIAS_COMMENT = "    # Upstream boto-session-manager's names: the same property objects.\n"


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


def render(
    services: Sequence[Service], botocore_version: str, upstream: dict[str, str] | None = None
) -> str:
    """The whole generated module, as text, for ``services`` of that botocore release."""
    upstream = load_upstream_names() if upstream is None else upstream
    services = with_upstream_services(services, upstream)
    aliases = stub_aliases(services)
    types = {s.name: f"_types.{aliases[s.name]}" for s in services if s.in_botocore}
    constants = enum_names(services, upstream)
    imports = [
        "    from botocore.client import BaseClient\n",
        "    from . import _client_types as _types",
        "    from ._client_types import TypedFactories as _TypedFactories",
    ]
    enum = "".join(f'    {constant} = "{name}"\n' for constant, name in constants.items())
    properties = "".join("\n" + _property(s, types.get(s.name, "BaseClient")) for s in services)
    second_names = "".join(
        f"    {alias} = {target}\n"
        for alias, target in upstream_aliases(services, upstream).items()
    )
    return "\n".join(
        [
            HEADER,
            "if TYPE_CHECKING:\n" + "\n".join(imports) + "\nelse:\n    _TypedFactories = object\n",
            '__all__ = ["AwsServiceEnum", "ClientProperties"]\n',
            "#: The botocore release whose service list this module was generated from.\n"
            f'GENERATED_FROM_BOTOCORE = "{botocore_version}"\n\n',
            ENUM_DOC + "\n" + enum + "\n",
            MIXIN_DOC + properties,
            f"{ALIAS_COMMENT}{second_names}",
        ]
    )


TYPES_HEADER = '''\
# mypy: disable-error-code="import-not-found"
"""Typed ``get_client`` / ``get_resource``: one ``Literal`` overload per service.

GENERATED by ``scripts/generate_clients.py``: do not edit. A stub module for
type checkers only; nothing imports it at run time.

Each service has a type alias naming its client class in both published stub
flavors: ``S3Client = types_boto3_s3.client.S3Client |
mypy_boto3_s3.client.S3Client``. ``types-boto3[s3]`` installs the first,
``boto3-stubs[s3]`` (``mypy-boto3-s3``) the second; the flavor that is not
installed resolves to ``Any``, so ``bsm.get_client("s3")`` is the installed
flavor's client (``S3Client | Any``) and its methods are checked. Without
either, the overload is ``Any``. ``bsm.get_resource("s3")`` likewise gives
the service resource. Any other name gives ``BaseClient`` /
``ServiceResource``. The ``<service>_client`` properties use the same aliases.
"""

from typing import Literal, TypeAlias, overload

'''

#: Third-party names every generated overload block needs (after the stub modules).
TYPES_BASE_IMPORTS = [
    "from boto3.resources.base import ServiceResource",
    "from botocore.client import BaseClient",
    "from botocore.config import Config",
]

TYPES_CLASS_DOC = '"""Type-only base of the manager: get_client/get_resource by service name."""'

FACTORY_PARAMETERS = """\
        region_name: str | None = ...,
        api_version: str | None = ...,
        use_ssl: bool = ...,
        verify: bool | str | None = ...,
        endpoint_url: str | None = ...,
        aws_access_key_id: str | None = ...,
        aws_secret_access_key: str | None = ...,
        aws_session_token: str | None = ...,
        config: Config | None = ...,
        *,
        unsigned: bool = ...,
"""


def load_resource_names() -> list[str]:
    """The services boto3 offers a resource for, sorted."""
    import boto3.session

    return sorted(boto3.session.Session().get_available_resources())


def resource_class(service: Service) -> str:
    """The stub resource class (both flavors): ``S3Client`` -> ``S3ServiceResource``."""
    return service.stub_class.removesuffix("Client") + "ServiceResource"


def _overload(method: str, service_type: str, returns: str) -> str:
    return (
        "    @overload\n"
        f"    def {method}(\n"
        "        self,\n"
        f"        service_name: {service_type},\n"
        f"{FACTORY_PARAMETERS}"
        f"    ) -> {returns}: ...\n"
    )


def _alias(local: str, modules: Sequence[str], cls: str) -> str:
    """``local: TypeAlias = <flavor 1>.cls | <flavor 2>.cls``, wrapped as ruff formats it."""
    union = " | ".join(f"{module}.{cls}" for module in modules)
    line = f"{local}: TypeAlias = {union}"
    if len(line) <= LINE_LENGTH:
        return line + "\n"
    if len(union) + 4 <= LINE_LENGTH:
        return f"{local}: TypeAlias = (\n    {union}\n)\n"
    first, *rest = (f"{module}.{cls}" for module in modules)
    return f"{local}: TypeAlias = (\n    {first}\n" + "".join(f"    | {r}\n" for r in rest) + ")\n"


def render_types(services: Sequence[Service], resources: Sequence[str]) -> str:
    """The generated stub module: the per-service aliases and the typed factories."""
    known = [s for s in services if s.in_botocore]
    aliases = stub_aliases(known)
    by_name = {s.name: s for s in known}
    modules = [m for s in known for m in s.stub_modules("client")]
    modules += [m for n in resources for m in by_name[n].stub_modules("service_resource")]
    client_aliases = [_alias(aliases[s.name], s.stub_modules(), s.stub_class) for s in known]
    resource_aliases = [
        _alias(
            resource_class(by_name[n]),
            by_name[n].stub_modules("service_resource"),
            resource_class(by_name[n]),
        )
        for n in resources
    ]
    clients = [_overload("get_client", f'Literal["{s.name}"]', aliases[s.name]) for s in known]
    clients.append(_overload("get_client", "str", "BaseClient"))
    typed = [
        _overload("get_resource", f'Literal["{n}"]', resource_class(by_name[n])) for n in resources
    ]
    typed.append(_overload("get_resource", "str", "ServiceResource"))
    return "".join(
        [
            TYPES_HEADER,
            "".join(f"import {module}\n" for module in sorted(modules)),
            "".join(f"{line}\n" for line in TYPES_BASE_IMPORTS) + "\n",
            "# Each service's client and resource class, in the stub flavor that is installed.\n",
            "".join(client_aliases) + "".join(resource_aliases) + "\n",
            "class TypedFactories:\n",
            f"    {TYPES_CLASS_DOC}\n\n",
            "".join(clients),
            "".join(typed),
        ]
    )


def _sync(path: Path, text: str, check: bool) -> bool:
    """Write ``text`` to ``path`` (or, with ``check``, report whether it is current)."""
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if check:
        if current == text:
            print(f"{path} is current")
            return True
        diff = difflib.unified_diff(
            current.splitlines(keepends=True), text.splitlines(keepends=True), "current", "fresh"
        )
        sys.stdout.writelines(list(diff)[:60])
        print(f"{path} is stale: run python scripts/generate_clients.py")
        return False
    if current != text:
        path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    parser.add_argument("--output", type=Path, default=TARGET, help="default: %(default)s")
    args = parser.parse_args(argv)
    services = load_services()
    text = render(services, installed_botocore_version())
    types = render_types(with_upstream_services(services, {}), load_resource_names())
    types_path = args.output.with_name(TYPES_TARGET_NAME)
    fresh = [_sync(args.output, text, args.check), _sync(types_path, types, args.check)]
    return 0 if all(fresh) else 1


if __name__ == "__main__":
    sys.exit(main())
