"""Read an Auth0 ``fetchUserProfile`` script without running it.

Auth0 custom social connections map the provider's profile to a user in a
Node.js script (shared/seeds/000 "Fetch User Profile Script"; the nine
examples in shared/seeds/002). The scripts people write follow a few
shapes, and this module reads those shapes:

- the profile URL: ``request.get('URL'``, ``request.get({ url: 'URL'``,
  ``oauth.get('URL'``, or a string variable plus a path (JIRA's
  ``jiraUrl + '/rest/auth/1/session'``);
- how the access token is presented: ``'Bearer ' + accessToken``,
  ``'OAuth ' + accessToken`` (Twitch Kraken), ``?access_token=' + accessToken``,
  or an OAuth 1.0a signed request (``oauth.get``, ``_performSecureRequest``);
- constant headers (Twitch's ``'Accept': 'application/vnd.twitchtv.v3+json'``);
- where the user id comes from: ``var profile = JSON.parse(b).account;
  profile.user_id = profile.uuid`` is ``account.uuid``; with no ``user_id``,
  ``profile.id = profile._id`` is ``_id`` and an untouched profile is its ``id``
  (``p.users[0]`` is ``users.0.id``);
- a second request that takes a value from the first (JIRA: the session's
  ``name``, then ``/rest/api/2/user?username=``), returned as a profile step.

Whatever it cannot tell is left as ``None`` for the caller to fill in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = r"[A-Za-z_$][\w$]*"
# A property chain: .account  [0]  ['name']
_CHAIN = r"(?:\.[A-Za-z_$][\w$]*|\[\s*\d+\s*\]|\[\s*['\"][^'\"]+['\"]\s*\])*"
_SEGMENT = re.compile(r"\.([A-Za-z_$][\w$]*)|\[\s*(\d+)\s*\]|\[\s*['\"]([^'\"]+)['\"]\s*\]")

_FUNCTION = re.compile(r"function\s*[\w$]*\s*\(([^)]*)\)")
_STRING_VAR = re.compile(rf"\b(?:var|let|const)\s+({_NAME})\s*=\s*(['\"])([^'\"]*)\2\s*[;,\n]")
_URL = re.compile(
    rf"""(?P<q>['"])(?P<literal>https?://[^'"\s]*)(?P=q)"""
    rf"""|\b(?P<base>{_NAME})\s*\+\s*(?P<q2>['"])(?P<path>[^'"]*)(?P=q2)"""
)
# What is appended to a URL: + accessToken, + encodeURIComponent(json.name)
_TAIL = re.compile(rf"\s*\+\s*(?:encodeURIComponent\(\s*)?({_NAME})({_CHAIN})")
_PARSED = re.compile(
    rf"(?:\b(?:var|let|const)\s+)?\b({_NAME})\s*=\s*JSON\.parse\(\s*[\w$.]+\s*\)({_CHAIN})"
)
_DERIVED = re.compile(rf"\b(?:var|let|const)\s+({_NAME})\s*=\s*({_NAME})({_CHAIN})\s*[;,\n]")
_SETS = re.compile(rf"\b{_NAME}\.(user_id|id)\s*=(?!=)\s*({_NAME})({_CHAIN})")
_LITERAL_USER_ID = re.compile(rf"\buser_id\s*:\s*({_NAME})({_CHAIN})")
_CALLBACK = re.compile(rf"\b(?:cb|callback|done)\(\s*null\s*,\s*({_NAME})\s*\)")
_HEADERS = re.compile(r"\bheaders\s*:\s*\{([^{}]*)\}")
_HEADER = re.compile(
    r"""(?:(['"])(?P<quoted>[\w-]+)\1|(?P<bare>[A-Za-z_][\w-]*))\s*:\s*"""
    r"""(['"])(?P<value>[^'"]*)\4\s*(?=,|$)"""
)
_OAUTH1 = re.compile(r"\boauth\.get\(|_performSecureRequest\(|require\(\s*['\"]oauth['\"]\s*\)")


@dataclass(frozen=True)
class ProfileScript:
    url: str | None = None
    auth: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    user_id_path: str | None = None
    # Further requests, as Connection.profile_steps: (URL, user_id path). A "${path}" in
    # the URL is that field of the previous answer (fakeidp.client.oauth1.fill_step).
    steps: tuple[tuple[str, str], ...] = ()


def _segments(chain: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _SEGMENT.finditer(chain)]


def _parsed_vars(script: str) -> dict[str, list[str]]:
    """Variable -> where it points in the parsed response body (``[]`` is the body)."""
    events = sorted(
        [(m.start(), m.group(1), None, m.group(2)) for m in _PARSED.finditer(script)]
        + [(m.start(), m.group(1), m.group(2), m.group(3)) for m in _DERIVED.finditer(script)]
    )
    bases: dict[str, list[str]] = {}
    for _pos, name, origin, chain in events:
        if origin is None:
            bases[name] = _segments(chain)
        elif origin in bases:
            bases[name] = bases[origin] + _segments(chain)
    return bases


def _user_id_path(script: str, bases: dict[str, list[str]]) -> str | None:
    def path(var: str, chain: str) -> str | None:
        return ".".join(bases[var] + _segments(chain)) if var in bases else None

    sets = [(m.group(1), path(m.group(2), m.group(3))) for m in _SETS.finditer(script)]
    candidates = (
        [p for f, p in sets if f == "user_id"]
        + [path(m.group(1), m.group(2)) for m in _LITERAL_USER_ID.finditer(script)]
        # Auth0 takes the profile's id when the script sets no user_id (Twitch example).
        + [p for f, p in sets if f == "id"]
        + [path(m.group(1), ".id") for m in _CALLBACK.finditer(script)]
    )
    return next((c for c in candidates if c), None)


def _headers(script: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for block in _HEADERS.finditer(script):
        for entry in _HEADER.finditer(block.group(1).strip()):
            name = entry.group("quoted") or entry.group("bare")
            if name.lower() != "authorization":
                headers[name] = entry.group("value")
    return headers


def read_fetch_user_profile(script: str, *, oauth1: bool = False) -> ProfileScript:
    function = _FUNCTION.search(script)
    params = [p.strip() for p in function.group(1).split(",")] if function else []
    token = params[0] if params and params[0] else "accessToken"
    strings = {m.group(1): (m.group(3), m.span()) for m in _STRING_VAR.finditer(script)}
    bases = _parsed_vars(script)

    auth: str | None = None
    if oauth1 or _OAUTH1.search(script):
        auth = "oauth1"
    else:
        scheme = re.search(rf"(['\"])(Bearer|OAuth)\s+\1\s*\+\s*{re.escape(token)}\b", script, re.I)
        if scheme:
            auth = "oauth" if scheme.group(2).lower() == "oauth" else "bearer"
        elif re.search(rf"\bbearer\s*:\s*{re.escape(token)}\b", script):
            auth = "bearer"  # the request library's { auth: { bearer: token } }

    # Every URL the script builds, in order, with what is appended to it.
    calls: list[tuple[str, tuple[str, str] | None]] = []
    for m in _URL.finditer(script):
        if any(start <= m.start() < end for _v, (start, end) in strings.values()):
            continue  # the definition of a base such as var jiraUrl = 'https://...'
        if m.group("literal"):
            url = m.group("literal")
        elif m.group("base") in strings:
            url = strings[m.group("base")][0] + m.group("path")
        else:
            continue
        tail = _TAIL.match(script, m.end())
        appended = (tail.group(1), tail.group(2)) if tail else None
        if appended and appended[0] == token:
            query = re.search(r"[?&](access_token|oauth_token)=$", url)
            if query:  # 'https://.../me?access_token=' + accessToken
                auth = auth or f"query:{query.group(1)}"
                url = url[: query.start()]
            appended = None
        if all(url != seen for seen, _a in calls):
            calls.append((url, appended))

    user_id = _user_id_path(script, bases)
    if not calls:
        return ProfileScript(auth=auth, headers=_headers(script), user_id_path=user_id)
    # A later request that appends a value read from an earlier response is a step.
    steps: list[tuple[str, str]] = []
    carried: list[str] = []
    for url, appended in calls[1:]:
        if appended and appended[0] in bases:
            carried.append(".".join(bases[appended[0]] + _segments(appended[1])))
            steps.append((url + "${" + carried[-1] + "}", ""))
    if steps and user_id:
        # Each step's user_id path is what the next one carries; the last is the user id.
        paths = [*carried[1:], user_id]
        steps = [(url, p) for (url, _p), p in zip(steps, paths, strict=True)]
        return ProfileScript(calls[0][0], auth, _headers(script), carried[0], tuple(steps))
    return ProfileScript(calls[0][0], auth, _headers(script), user_id)
