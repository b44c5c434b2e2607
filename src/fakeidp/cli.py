"""The ``fakeidp`` command: ``serve`` and ``providers``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from .info import format_provider, provider_info
from .providers.loader import FixtureError, builtin_providers
from .providers.model import Provider
from .version import __version__

if TYPE_CHECKING:
    from flask import Flask

    from .config import Config

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _select(names: Sequence[str] | None) -> dict[str, Provider]:
    every = dict(builtin_providers())
    if not names:
        return every
    unknown = [n for n in names if n not in every]
    if unknown:
        raise SystemExit(
            f"fakeidp: unknown provider {unknown[0]!r}; known: {', '.join(sorted(every))}"
        )
    return {n: every[n] for n in names}


def cmd_providers(args: argparse.Namespace) -> int:
    chosen = _select(args.provider)
    infos = [provider_info(p, args.base_url) for p in chosen.values()]
    if args.json:
        print(json.dumps({"base_url": args.base_url, "providers": infos}, indent=2))
    else:
        for info in infos:
            print(format_provider(info))
            print()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from waitress import create_server  # a production-grade pure-Python WSGI server

    from . import serving
    from .config import ConfigError, load_config
    from .idp.app import create_app, store_of

    chosen = _select(args.provider)
    try:
        serving.check_port(args.port)
        serving.check_host(args.host, args.port)
        threads = serving.check_positive("--threads", args.threads)
        limit = serving.check_positive("--connection-limit", args.connection_limit)
        timeout = serving.check_positive("--channel-timeout", args.channel_timeout)
        max_body = serving.check_positive("--max-body", args.max_body)
    except serving.BadArgument as exc:
        print(f"fakeidp: {exc}", file=sys.stderr)
        return 2
    try:
        config_file = args.config or os.environ.get("FAKEIDP_CONFIG") or None
        config = load_config(config_file) if config_file else None
    except ConfigError as exc:  # before binding: a bad file is one line and exit 2
        print(f"fakeidp: bad config: {exc}", file=sys.stderr)
        return 2
    access = serving.control_access(
        args.host, args.control_token, config.control_token if config else None
    )
    app = create_app(
        chosen,
        strict=not args.lenient,
        interactive=args.interactive,
        config={"MAX_CONTENT_LENGTH": max_body, **access.app_config()},
    )
    if config is not None:
        if args.lenient:  # the command line wins over the file's global mode
            config = dataclasses.replace(config, strict=False)
        if args.interactive:
            config = dataclasses.replace(config, interactive=True)
        config.install(store_of(app))
    store_of(app).warm_up()
    serving.summarise_queue_warnings(threads)
    try:
        server = create_server(
            app,
            host=args.host,
            port=args.port,
            threads=threads,
            connection_limit=serving.connection_limit(limit),
            channel_timeout=timeout,
            # Bodies between --max-body and this get the provider's 413; beyond, waitress's.
            max_request_body_size=max_body * 4,
            ident="fakeidp",
        )
    except (OSError, OverflowError, ValueError) as exc:
        print(
            f"fakeidp: cannot listen on {args.host}:{args.port}: "
            f"{getattr(exc, 'strerror', None) or exc}",
            file=sys.stderr,
        )
        return 2
    port = server.effective_port
    host = args.host if ":" not in args.host else f"[{args.host}]"
    base_url = f"http://{host}:{port}"
    if args.host not in LOOPBACK:
        print(
            f"fakeidp: WARNING: listening on {args.host}, reachable from other machines; "
            "the fake IdP hands out tokens to anyone who can reach it",
            file=sys.stderr,
        )
    if access.made:
        print(
            "fakeidp: the control API (reset, users, faults) needs a token off loopback; "
            f"made one: Authorization: Bearer {access.token}",
            file=sys.stderr,
        )
        print(f"fakeidp: dashboard: {base_url}/_fakeidp/?token={access.token}", file=sys.stderr)
    try:
        _announce(args, app, chosen, base_url, config)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    if not args.log_json:
        print("fakeidp stopped.", flush=True)
    return 0


def _announce(
    args: argparse.Namespace,
    app: Flask,
    chosen: dict[str, Provider],
    base_url: str,
    config: Config | None,
) -> None:
    """The banner, the credentials with --verbose, and the access log unless --quiet."""
    from . import serve_log
    from .idp.app import store_of

    store = store_of(app)
    source = f"{config.source} ({config.summary()})" if config is not None else None
    facts = serve_log.Facts(store.strict, store.interactive, source, __version__)
    if args.log_json:
        print(serve_log.banner_json(base_url, chosen, facts), flush=True)
    else:
        print("\n".join(serve_log.banner(base_url, chosen, facts)))
        if args.verbose:
            print()
            for p in chosen.values():
                user = store.user(p.id)
                print(format_provider(provider_info(p, base_url, user.login, user.profile)))
                print()
        else:
            print("Test credentials: on the landing page, or with --verbose.")
        log = "" if args.quiet else " One line per request follows (--quiet turns it off)."
        print(f"Press Ctrl-C to stop.{log}", flush=True)
    if not args.quiet:
        serve_log.install(app, lambda line: print(line, flush=True), as_json=args.log_json)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), not the usage and the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fakeidp", description="A fake identity provider for real OAuth providers."
    )
    parser.add_argument("--version", action="version", version=f"fakeidp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the fake IdP for every provider (or the ones named)")
    serve.add_argument("provider", nargs="*", help="provider ids (default: all)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8400, help="port (default 8400; 0: any free)")
    serve.add_argument(
        "--control-token",
        metavar="TOKEN",
        help="require Authorization: Bearer TOKEN on the control API (also "
        "FAKEIDP_CONTROL_TOKEN, or control_token in --config); made and printed when "
        "--host is not loopback",
    )
    serve.add_argument(
        "--max-body", type=int, default=1024 * 1024, help="largest request body in bytes (1 MiB)"
    )
    serve.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    serve.add_argument(
        "--connection-limit",
        type=int,
        default=1000,
        help="open connections before new ones wait (default 1000)",
    )
    serve.add_argument(
        "--channel-timeout",
        type=int,
        default=30,
        help="seconds an idle or stalled connection is kept (default 30)",
    )
    serve.add_argument(
        "--lenient", action="store_true", help="record rule violations but answer normally"
    )
    serve.add_argument(
        "--interactive",
        action="store_true",
        help="show a login and consent page at authorize instead of auto-approving",
    )
    serve.add_argument(
        "--config",
        metavar="FILE",
        help="TOML file of clients, users, strictness and faults (docs/config.md); "
        "default: $FAKEIDP_CONFIG",
    )
    serve.add_argument(
        "--verbose", action="store_true", help="print each provider's URLs and test credentials"
    )
    serve.add_argument("--quiet", action="store_true", help="no access log line per request")
    serve.add_argument(
        "--log-json", action="store_true", help="the banner and access log as JSON lines"
    )
    serve.set_defaults(func=cmd_serve)

    providers = sub.add_parser("providers", help="list providers, their URLs and test clients")
    providers.add_argument("provider", nargs="*", help="provider ids (default: all)")
    providers.add_argument("--json", action="store_true", help="machine-readable output")
    providers.add_argument(
        "--base-url", default="http://127.0.0.1:8400", help="where the fake IdP is served"
    )
    providers.set_defaults(func=cmd_providers)

    from .cli_conformance import register as register_conformance  # its own module (issue 4)

    register_conformance(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except FixtureError as exc:
        print(f"fakeidp: bad provider fixture: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
