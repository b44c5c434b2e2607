"""``--target`` specs: which implementation to check, and one clear line when it cannot load.

- ``reference``: the reference client;
- ``auth0:FILE``: an Auth0 connection (its JSON body, or the HAR request Auth0's
  docs print it in), run through the reference client, its ``fetchUserProfile``
  script in Node.js (:mod:`fakeidp.conformance.scripted`);
- ``integration-app:FILE``: an integration.app OAuth2 config (YAML or JSON), or
  ``integration-app:DIR``: a connector directory, its JavaScript methods run in
  Node.js (:mod:`fakeidp.conformance.integration_app_dir`);
- ``exec:COMMAND``: an HTTP application started by COMMAND
  (:mod:`fakeidp.conformance.http_app`);
- ``social-core:BACKEND``: a python-social-auth backend, unmodified
  (:mod:`fakeidp.conformance.social_core`);
- ``MODULE:FACTORY`` or ``PATH.py:FACTORY``: a Python adapter
  (:mod:`fakeidp.conformance.adapter`), or a factory returning a
  :class:`~fakeidp.conformance.targets.Target` of its own.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from ..client.connection import ConnectionError
from .adapter import AdapterTarget
from .http_app import HttpAppTarget
from .scripted import Auth0ScriptTarget
from .targets import ConnectionTarget, ReferenceTarget, Target, TargetError

# A connection config's credentials are replaced by the fake IdP's test client.
PLACEHOLDER_ID = "fakeidp-conformance"


def load_target(spec: str) -> Target:
    """The Target ``spec`` names; TargetError (one line) when it cannot be loaded."""
    kind, sep, rest = spec.partition(":")
    if spec == "reference":
        return ReferenceTarget()
    if not sep or not rest:
        raise TargetError(
            f"target {spec!r}: expected reference, auth0:FILE, integration-app:FILE|DIR, "
            "social-core:BACKEND, exec:COMMAND or MODULE:FACTORY"
        )
    if kind == "auth0":
        return _connection(spec, rest, "auth0")
    if kind == "integration-app":
        return _connection(spec, rest, "integration-app")
    if kind == "exec":
        return HttpAppTarget(rest)
    if kind == "social-core":
        from .social_core import SocialCoreTarget  # social-auth-core is optional

        return SocialCoreTarget(rest)
    made = _factory(spec)()
    return made if isinstance(made, Target) else AdapterTarget(made, name=spec)


def _connection(spec: str, path: str, dialect: str) -> Target:
    from ..client.importers import from_auth0, from_integration_app

    if dialect == "integration-app" and Path(path).is_dir():
        from .integration_app_dir import load_connector_dir

        parameters = {"clientId": PLACEHOLDER_ID, "clientSecret": PLACEHOLDER_ID}
        return load_connector_dir(spec, Path(path), parameters)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise TargetError(f"target {spec!r}: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise TargetError(
            f"target {spec!r}: {path} is not UTF-8 text (byte {exc.start}: {exc.reason})"
        ) from None
    try:
        if dialect == "auth0":
            connection = from_auth0(text, forgiving=True, source=path, client_id=PLACEHOLDER_ID)
        else:
            connection = from_integration_app(
                text,
                source=path,
                parameters={"clientId": PLACEHOLDER_ID, "clientSecret": PLACEHOLDER_ID},
            )
    except ConnectionError as exc:
        raise TargetError(f"target {spec!r}: {exc}") from None
    name = f"{dialect} connection {path}"
    if connection.profile_script is not None:
        return Auth0ScriptTarget(connection, name=name)
    return ConnectionTarget(connection, name=name)


def _factory(spec: str) -> Any:
    module_name, _, attr = spec.rpartition(":")
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            if not path.is_file():
                raise TargetError(f"target {spec!r}: no file {module_name}")
            name = f"fakeidp_target_{path.stem}"
            loader = importlib.util.spec_from_file_location(name, path)
            if loader is None or loader.loader is None:
                raise TargetError(f"target {spec!r}: cannot load {module_name}")
            module = importlib.util.module_from_spec(loader)
            sys.modules[name] = module
            loader.loader.exec_module(module)
        else:
            module = _import_from_cwd(module_name)
    except TargetError:
        raise
    except Exception as exc:  # an import error of any kind is the user's to fix: one line
        raise TargetError(f"cannot import target {spec!r}: {type(exc).__name__}: {exc}") from None
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise TargetError(f"target {spec!r}: {module_name} has no callable {attr!r}")
    return factory


def _import_from_cwd(name: str) -> Any:
    """Import ``name`` with the current directory on sys.path, as ``python -m`` would."""
    cwd = str(Path.cwd())
    added = cwd not in sys.path
    if added:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(name)
    finally:
        if added and cwd in sys.path:
            sys.path.remove(cwd)
