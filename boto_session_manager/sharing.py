"""What every session of the process shares: models, handlers, endpoint rules, client methods.

A plain ``boto3.Session()`` gets its own botocore ``Loader``, and each loader
parses the service model, endpoint rules and partitions JSON again on the first
client of each service: about 30-45 ms and several MB per session and service.
A process that talks to hundreds of accounts makes hundreds of sessions, so
every session this library builds shares what does not depend on the account:

- **One loader per process** (per value of ``AWS_DATA_PATH``, so custom models
  keep working), given to each session through botocore's public
  ``register_component("data_loader", ...)``. Its ``instance_cache`` holds one
  parsed copy of each file. Parsing is single-flight: when 16 threads ask a
  cold loader for the S3 model at once, one parses and 15 wait for its result
  (an unlocked loader parses the same file up to 11 times, all under the GIL).
  ``prewarm()`` parses chosen services ahead of a fan-out. (``boto3.Session``
  appends its data directory to the loader's search paths on *every*
  session; the shared list ignores an entry it already holds.)
- **A template of botocore's builtin event handlers.** ``botocore.session.Session()``
  spends ~95 % of its 4 ms registering the same ~130 builtin handlers (it
  inspects each handler's signature). The template is filled once; each new
  session starts from a copy of it (``include_builtin_handlers=False``),
  about 0.3 ms. The copy holds the very same handler objects botocore would
  have registered, so signing, retries, S3 redirects and resources behave
  exactly as with a plain session (``tests/test_sharing.py`` compares the
  handler lists event by event).
- **Copy-on-write handler tries.** botocore copies the session's whole
  handler trie (~120 nodes, ~700 objects) into every client it creates, and
  the client then registers a dozen handlers of its own. Sessions and
  clients built here copy in O(1): a copy shares every node with its
  original, and a registration copies only the few nodes on its event's path
  (``_SharedTrie``).
- **One endpoint provider per endpoint ruleset.** botocore builds the
  ruleset's rule objects again for every client (~1 ms and ~500 objects for
  S3). Rulesets parsed by the shared loader get one provider each, built on
  first use and handed to every later client; providers are pure functions
  of the ruleset (botocore's own result cache then serves all accounts).
  This is the one process-wide change: ``botocore.regions.EndpointProvider``
  becomes a subclass that behaves exactly as before for any ruleset the
  shared loaders did not parse (a plain ``boto3.Session``'s, for one).
- **One set of client methods per service model.** botocore generates a
  method, a closure and a lazy docstring holding an ``OperationModel`` for
  each operation of each client class (~1,300 objects per account of three
  clients). Once a client's class is built (every ``creating-client-class``
  handler has run), one set per parsed model replaces the methods it still
  has as botocore generated them: copies of the first class's
  methods whose docstrings render through the template, so they keep no
  session alive. A generated method only carries the operation's name; the
  call itself always goes through the client's own model, credentials and
  handlers. A method another handler replaced, wrapped or changed is never
  swapped, nor are the methods of a session with ``docs.*`` handlers of its
  own (``_ClientMethods``).
- **Cheaper registrations.** botocore checks each handler's signature with
  ``inspect.getfullargspec`` and derives aliased event names again in every
  client; plain functions are checked through their code flags here
  (``_SharedEmitter``), and one cache of aliased names serves every session
  (``_SharedAliaser``).
- **A pause of the cyclic garbage collector** while a session or client is
  built (``gc_paused``). A client is hundreds of new container objects; in a
  process already holding many, the collector's scans during creation cost
  about as much as the creation itself. The pause is shared by all threads
  (first in turns the collector off, last out turns it back on); however
  many threads overlap, the first creator to finish after
  ``_GCPause.MAX_PAUSE`` (0.25 s) turns it back on. It covers in-memory work
  only: credentials (a credential process, SSO, IMDS) are resolved before
  it. A collector the caller disabled beforehand is left alone, and a child
  forked during a pause starts with the collector on.

Together: ~1,200 long-lived container objects per account of three clients
instead of ~6,100 (``tests/test_sharing.py`` holds the count under 2,000),
so the collector's full scans, which used to cost as much as the creation
itself, are cheap again. Measured numbers are in ``docs/performance.rst``.

Not shared: the ``ServiceModel``, the client class object itself, the
config store and HTTP pool of each client (small, and per-client state).

The code lives in the package's one door to botocore internals
(``boto_session_manager._botocore``); every internal it reaches is checked
once, before the first session is built: a botocore upgrade that removes one
raises :class:`~boto_session_manager.exceptions.BotocoreCompatibilityError`
(also importable from here as ``SharingError``) naming what is missing,
instead of failing later.

Thread safety: everything here is safe from any number of threads. The
loader, the template, the providers and the method sets are built under
locks; shared nodes, providers and methods are never changed after they are
shared, and each session and client writes only to nodes it owns, one
registration at a time (a lock per handler trie).
"""

from __future__ import annotations

from ._botocore import new_botocore_session, prewarm, shared_loader
from .exceptions import SharingError

__all__ = ["SharingError", "new_botocore_session", "prewarm", "shared_loader"]
