"""The credential recipe: how a manager's credentials are made, in one registry.

Every manager has a :class:`Recipe`. Its ``source`` names an entry of
:data:`SOURCES`, the one table that says, for each way of getting
credentials (keys, a profile or the default chain, a caller's botocore
session, an assumed role, an MFA session, web identity ...):

- what :attr:`~boto_session_manager.BotoSesManager.credential_source`
  answers (``name``, or botocore's own answer when ``ask_botocore``);
- the botocore credential ``method`` of refreshing credentials;
- the STS ``operation`` (the credential file cache keys on it);
- what a pickle carries (``travels``: the constructor's keys, only the
  settings, the keys in use now, or the recipe itself: parent and request);
- for derived sources, how to rebuild the fetcher from the request alone
  (``rebuild``), which is how an unpickled manager keeps refreshing.

Pickling, snapshots, derived managers,
``credential_source`` and the ``bsm`` command all read this table: a new way
of getting credentials is one new entry here, plus the manager method that
makes its request (see :mod:`boto_session_manager.roles`).
``SourceMethods``, a base of the manager, answers ``credential_source``
and the ``has_*`` properties from the manager's recipe.

Thread safety: everything here is immutable, or a pure function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from . import credentials as _creds
from .credentials import AutoRefreshCredentials, Clock, TemporaryCredentials
from .exceptions import NoCredentialsError, UnpicklableRecipeError
from .identity import CallerIdentity
from .session import client_settings

if TYPE_CHECKING:
    from .snapshot import PathLike

__all__ = ["SOURCES", "CredentialRequest", "Recipe", "Source", "SourceMethods", "principal_key"]

#: Returns fresh credentials (one STS call, or a file cache read).
Fetch = Callable[[], TemporaryCredentials]


class ClientSource(Protocol):
    """What a recipe needs from the manager it was derived from (its public API)."""

    @property
    def recipe(self) -> Recipe: ...

    def get_client(self, service_name: str, *, unsigned: bool = False) -> Any: ...

    def get_frozen_credentials(self) -> Any: ...


class Parent(ClientSource, Protocol):
    """What deriving a manager reads from its parent (its public API)."""

    region_name: str | None
    default_client_kwargs: dict[str, Any] | None
    clock: Clock

    @property
    def aws_region(self) -> str | None: ...

    @property
    def boto_ses(self) -> Any: ...


def _needs(kind: str, what: str) -> Fetch:
    def fetch() -> TemporaryCredentials:
        msg = (
            f"this {kind} manager was unpickled in another process and cannot refresh "
            f"there: {what} does not travel in a pickle; refresh it in the original "
            "process and send it again"
        )
        raise UnpicklableRecipeError(msg)

    return fetch


def _rebuild_assume_role(parent: ClientSource, params: Mapping[str, Any]) -> Fetch:
    if "SerialNumber" in params:
        return _needs("assume-role", "an MFA code")
    return _creds.assume_role_fetcher(lambda: parent.get_client("sts"), params)


def _rebuild_session_token(parent: ClientSource, params: Mapping[str, Any]) -> Fetch:
    if "SerialNumber" in params:
        return _needs("session-token", "an MFA code")
    return _creds.session_token_fetcher(lambda: parent.get_client("sts"), params)


def _rebuild_web_identity(parent: ClientSource, params: Mapping[str, Any]) -> Fetch:
    request = dict(params)
    token_file = request.pop("WebIdentityTokenFile", None)
    if token_file is None:
        return _needs("web-identity", "a literal web identity token")
    return _creds.web_identity_fetcher(
        lambda: parent.get_client("sts", unsigned=True), request, None, token_file
    )


@attrs.frozen
class Source:
    """One way of getting credentials (an entry of :data:`SOURCES`).

    Attributes:
        name: what ``credential_source`` answers.
        method: botocore's credential method name for these credentials.
        travels: what a pickle carries: ``"keys"`` (the constructor's),
            ``"settings"`` (profile, region ...; the chain runs again there),
            ``"current-keys"`` (the keys in use now, as static keys) or
            ``"recipe"`` (parent manager and request).
        ask_botocore: ``credential_source`` asks botocore which provider
            answered (profile, env, SSO ...) instead of answering ``name``.
        operation: the STS operation of a derived source.
        is_role: a role was assumed (``has_role``).
        rebuild: a fetcher from the parent and the request alone (no MFA
            code, no literal token): how an unpickled manager refreshes.
    """

    name: str
    method: str
    travels: str
    ask_botocore: bool = False
    operation: str | None = None
    is_role: bool = False
    rebuild: Callable[[ClientSource, Mapping[str, Any]], Fetch] | None = None


#: Every way a manager gets credentials, by recipe source.
SOURCES: Mapping[str, Source] = {
    source.name: source
    for source in (
        Source("explicit-keys", "explicit", travels="keys"),
        Source("unsigned", "unsigned", travels="settings"),
        Source("chain", "chain", travels="settings", ask_botocore=True),
        Source("botocore-session", "explicit", travels="current-keys", ask_botocore=True),
        Source("shared", "shared", travels="current-keys", ask_botocore=True),
        Source(
            "assume-role",
            "assume-role",
            travels="recipe",
            operation="AssumeRole",
            is_role=True,
            rebuild=_rebuild_assume_role,
        ),
        Source(
            "session-token",
            "session-token",
            travels="recipe",
            operation="GetSessionToken",
            rebuild=_rebuild_session_token,
        ),
        Source(
            "web-identity",
            "assume-role-with-web-identity",
            travels="recipe",
            operation="AssumeRoleWithWebIdentity",
            is_role=True,
            rebuild=_rebuild_web_identity,
        ),
    )
}


#: botocore credential ``method`` names -> our credential source names.
_BOTOCORE_METHODS = {
    "explicit": "explicit-keys",
    "env": "env",
    "shared-credentials-file": "profile",
    "config-file": "profile",
    "custom-process": "credential-process",
    "assume-role": "assume-role",
    "assume-role-with-web-identity": "web-identity",
    "sso": "sso",
    "login": "sso",
    "iam-role": "instance-metadata",
    "container-role": "container",
    "boto-config": "boto-config",
    "session-token": "session-token",
}


def method_source_name(method: str | None) -> str:
    """Our name for a botocore credential method (unknown ones pass through)."""
    if method is None:
        return "none"
    return _BOTOCORE_METHODS.get(method, method)


@attrs.frozen(eq=False)
class Recipe:
    """How one manager's credentials are made.

    Attributes:
        source: a key of :data:`SOURCES`.
        parent: the manager this one was derived from (derived sources).
        params: the STS request, without MFA code or literal token.
        auto_refresh: the credentials renew themselves.
        credentials: the live botocore credentials object, shared with the
            manager that made it (refreshing credentials, ``shared``).
        identity: who the credentials are, when STS already said so.
        settings: the parent's client settings the manager keeps (see
            :func:`boto_session_manager.session.client_settings`).

    Example::

        bsm.recipe.source          # "chain"
        role.recipe.parent is bsm  # True
    """

    source: str
    parent: Any = attrs.field(default=None, repr=False)
    params: Mapping[str, Any] = attrs.field(factory=dict)
    auto_refresh: bool = False
    credentials: Any = attrs.field(default=None, repr=False)
    identity: CallerIdentity | None = attrs.field(default=None, repr=False)
    settings: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def kind(self) -> Source:
        """The registry entry of :attr:`source`."""
        return SOURCES[self.source]

    @property
    def has_mfa(self) -> bool:
        """An MFA device was used to make these credentials."""
        return "SerialNumber" in self.params

    @property
    def renews_itself(self) -> bool:
        """The credentials are refreshing ones that renew before they expire."""
        return self.auto_refresh or isinstance(self.credentials, AutoRefreshCredentials)

    def source_name(self, resolved: Callable[[], Any]) -> str:
        """What ``credential_source`` answers.

        One of ``"explicit-keys"``, ``"profile"``, ``"env"``, ``"assume-role"``,
        ``"session-token"``, ``"web-identity"``, ``"sso"``,
        ``"credential-process"``, ``"container"``, ``"instance-metadata"``,
        ``"unsigned"`` or ``"none"`` (botocore's name for anything newer).

        Args:
            resolved: returns the botocore credentials the session resolved
                (asked only for sources that let botocore answer).
        """
        if not self.kind.ask_botocore:
            return self.kind.name
        creds = resolved()
        return method_source_name(None if creds is None else getattr(creds, "method", None))

    def rebuild_fetcher(self) -> Fetch:
        """A fetcher made from the parent and request alone (after unpickling).

        Raises:
            UnpicklableRecipeError: the source cannot be rebuilt.
        """
        rebuild = self.kind.rebuild
        if rebuild is None or self.parent is None:
            msg = f"cannot rebuild refreshing credentials of kind {self.source!r} after unpickling"
            raise UnpicklableRecipeError(msg)
        return rebuild(self.parent, self.params)


def base_recipe(*, unsigned: bool, has_keys: bool, has_botocore_session: bool) -> Recipe:
    """The recipe of a manager built by its constructor (nothing derived)."""
    if unsigned:
        return Recipe("unsigned")
    if has_botocore_session:
        return Recipe("botocore-session")
    return Recipe("explicit-keys" if has_keys else "chain")


@attrs.frozen
class CredentialRequest:
    """A checked STS request, ready to fetch (what the role methods build).

    Attributes:
        source: the key of :data:`SOURCES` it makes.
        params: the request recorded in the recipe (no MFA code, no token).
        fetch: makes the STS call.
        cache_params: what identifies the request in the credential file
            cache (a literal token enters only as its hash).
        session_name_given: the caller chose the session name (a generated
            one must not defeat the file cache).
    """

    source: str
    params: Mapping[str, Any]
    fetch: Fetch = attrs.field(repr=False)
    cache_params: Mapping[str, Any]
    session_name_given: bool = True

    def cached(
        self,
        cache_dir: PathLike | None,
        *,
        principal: str,
        endpoint_url: str | None,
        region: str | None,
        clock: Clock,
    ) -> Fetch:
        """:attr:`fetch` behind the credential file cache in ``cache_dir`` (if given).

        The cache key holds the request, who asks (``principal``, see
        :func:`principal_key`), the endpoint and the region, never a secret.
        """
        if cache_dir is None:
            return self.fetch
        from .cache import cached_fetcher

        material = dict(self.cache_params, operation=SOURCES[self.source].operation)
        material.update(source=principal, endpoint_url=endpoint_url, region=region)
        if not self.session_name_given:
            # A generated session name differs per run; it must not defeat the cache.
            material.pop("RoleSessionName", None)
        return cached_fetcher(cache_dir, material, self.fetch, clock=clock)


class KeepFirst:
    """A fetcher that remembers the first credentials it fetched.

    Thread safety: the first call is made before the fetcher is shared
    (derived managers fetch once up front), later ones never write.
    """

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self.first: TemporaryCredentials | None = None

    def __call__(self) -> TemporaryCredentials:
        fresh = self._fetch()
        if self.first is None:
            self.first = fresh
        return fresh


def principal_key(manager: ClientSource) -> str:
    """Who a manager's credentials are, without a network call or a secret.

    The credential file cache keys on it, so two principals sharing a cache
    directory never share a role's credentials.
    """
    recipe = manager.recipe
    if recipe.parent is not None:
        arn = recipe.params.get("RoleArn", "")
        return f"{recipe.source}:{arn}:" + principal_key(recipe.parent)
    try:
        return f"key:{manager.get_frozen_credentials().access_key}"
    except NoCredentialsError:
        return "anonymous"  # unsigned STS calls (web identity): the token decides


def inherited_arguments(parent: Parent, region_name: str | None) -> dict[str, Any]:
    """The constructor arguments every manager derived from ``parent`` keeps.

    ``region_name`` replaces the parent's region; the client defaults and
    the clock are the parent's.
    """
    return {
        "region_name": region_name,
        "default_client_kwargs": parent.default_client_kwargs,
        "clock": parent.clock,
    }


def shared_arguments(parent: Parent, region_name: str | None) -> dict[str, Any]:
    """Constructor arguments of a manager on ``parent``'s very credentials object."""
    recipe = Recipe(
        "shared",
        credentials=parent.boto_ses.get_credentials(),
        settings=client_settings(parent.boto_ses),
    )
    return dict(inherited_arguments(parent, region_name), recipe=recipe)


def derived_arguments(
    parent: Parent,
    request: CredentialRequest,
    *,
    auto_refresh: bool = False,
    region_name: str | None = None,
    cache_dir: PathLike | None = None,
) -> dict[str, Any]:
    """Constructor arguments of a manager on the credentials ``request`` fetches.

    Fetches now (failing here, not at the first API call): once for static
    keys, or as the first set of refreshing credentials (``auto_refresh``).
    """
    fetch = request.cached(
        cache_dir,
        principal=principal_key(parent),
        endpoint_url=(parent.default_client_kwargs or {}).get("endpoint_url"),
        region=parent.region_name or parent.aws_region,
        clock=parent.clock,
    )
    kept = KeepFirst(fetch)
    live: AutoRefreshCredentials | None = None
    keys: dict[str, Any] = {}
    if auto_refresh:
        live = AutoRefreshCredentials(
            kept,
            method=SOURCES[request.source].method,
            clock=parent.clock,
            on_rejected=getattr(fetch, "discard", None),  # the file cache forgets a refused set
        )
        live.get_frozen_credentials()
    else:
        keys = kept().to_constructor_kwargs()
    recipe = Recipe(
        request.source,
        parent=parent,
        params=request.params,
        auto_refresh=auto_refresh,
        credentials=live,
        # STS already said who the role session is: no GetCallerIdentity needed.
        identity=None if kept.first is None else kept.first.caller_identity(),
        settings=client_settings(parent.boto_ses),
    )
    region = region_name or parent.region_name or parent.aws_region
    return dict(inherited_arguments(parent, region), recipe=recipe, **keys)


class SourceMethods:
    """Base of :class:`~boto_session_manager.BotoSesManager`: where its credentials come from.

    Each property reads the manager's public :attr:`~boto_session_manager.BotoSesManager.recipe`
    (and ``profile_name``); nothing here touches the manager's state.
    """

    __slots__ = ()

    if TYPE_CHECKING:

        @property
        def recipe(self) -> Recipe: ...

        @property
        def boto_ses(self) -> Any: ...

        profile_name: str | None

    @property
    def credential_source(self) -> str:
        """Where the credentials come from (``"explicit-keys"``, ``"profile"``, ``"env"`` ...).

        See :meth:`Recipe.source_name <boto_session_manager.recipe.Recipe.source_name>`
        for every answer. It may look up the default chain, but makes no AWS call.

        Example::

            if bsm.credential_source == "env":
                print("using the job's environment credentials")
        """
        return self.recipe.source_name(self.boto_ses.get_credentials)

    @property
    def has_keys(self) -> bool:
        """True when the credentials are keys given to the constructor."""
        return self.credential_source == "explicit-keys"

    @property
    def has_profile(self) -> bool:
        """True when a profile was named (``profile_name=``)."""
        return self.profile_name is not None

    @property
    def has_role(self) -> bool:
        """True when this manager is an assumed role (any kind of assumption)."""
        return self.recipe.kind.is_role

    @property
    def has_mfa(self) -> bool:
        """True when an MFA device was used to obtain these credentials."""
        return self.recipe.has_mfa
