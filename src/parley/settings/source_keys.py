"""The settings file's spelling of a contact source and the model's.

The file uses the names of issue #10 (``type``, ``url``/``path``, LDAP ``url`` with
``starttls`` and ``verify_tls``, ``filter``, ``max_results``); the model keeps the names
the code uses (``kind``, ``location``, ``host``/``port``/``security``,
``ignore_certificate``, ``search_filter``, ``result_limit``). Files written by earlier
versions use the model's names and keep loading; a table that says one thing in both
spellings with different values is refused, naming both keys.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any

from parley.contacts.source import SourceKind

# Kinds whose `location` is spelled `url` in the file (and `path` where a file is allowed).
_URL_KINDS = frozenset({"xml", "carddav", "google"})
_PATH_KINDS = frozenset({"xml", "csv"})
_LDAP_URL = re.compile(r"^(ldaps?)://(\[[0-9A-Fa-f:.]+\]|[^\s/:?#\[\]]+)(?::(\d{1,5}))?/?$")


def _text(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _merge(data: dict[str, Any], new: str, old: str, value: Any, what: str) -> None:
    """Put `value` (from the file key `new`) under the model key `old`, refusing a
    different value already given under `old`."""
    if old in data and _text(data[old]) != _text(value):
        raise ValueError(
            f"{new} and {old} both say {what} and differ ({new}: {value!r}, {old}: "
            f"{_text(data[old])!r}); keep only {new}"
        )
    data[old] = value


def from_file(raw: Any) -> Any:
    """A source table as written in the file (either spelling) in the model's names."""
    if not isinstance(raw, dict):
        return raw
    data = dict(raw)
    if "type" in data:
        kind = data.pop("type")
        known = [k.value for k in SourceKind]
        if _text(kind) not in known:
            raise ValueError(f"type {kind!r} is not one of {', '.join(known)}")
        _merge(data, "type", "kind", kind, "the kind of the source")
    kind = _text(data.get("kind"))
    if kind is None:
        raise ValueError(
            "type is missing: say what the source is (csv, xml, windows, ldap, carddav, "
            "google, outlook)"
        )
    if not isinstance(kind, str):
        return data  # the model says what is wrong with the kind
    if kind == "ldap":
        _ldap_from_file(data)
    if "url" in data:
        url = data.pop("url")
        if kind not in _URL_KINDS:
            raise ValueError(f"url is not a setting of a {kind} source; remove it")
        if isinstance(url, str) and not re.match(r"(?i)^https?://", url.strip()):
            hint = "; for a local file write path" if kind in _PATH_KINDS else ""
            raise ValueError(f"url {url!r} is not an http:// or https:// address{hint}")
        _merge(data, "url", "location", url, "where the contacts are")
    if "path" in data:
        path = data.pop("path")
        if kind not in _PATH_KINDS:
            hint = "; write its address as url" if kind in _URL_KINDS else ""
            raise ValueError(f"path is not a setting of a {kind} source{hint}")
        if "url" in raw:
            raise ValueError("give either url or path, not both")
        if isinstance(path, str) and re.match(r"(?i)^https?://", path.strip()):
            raise ValueError(f"path {path!r} is a web address: write it as url")
        _merge(data, "path", "location", path, "where the contacts are")
    return data


def _ldap_from_file(data: dict[str, Any]) -> None:
    starttls = data.pop("starttls", None)
    if starttls is not None and not isinstance(starttls, bool):
        raise ValueError(f"starttls must be true or false, not {starttls!r}")
    if "url" in data:
        url = data.pop("url")
        match = _LDAP_URL.match(url.strip()) if isinstance(url, str) else None
        if match is None:
            raise ValueError(
                f"url {url!r} is not an LDAP address: write ldap://HOST:PORT or "
                "ldaps://HOST:PORT (the base DN goes in base_dn)"
            )
        scheme, host, port = match.groups()
        if scheme == "ldaps" and starttls:
            raise ValueError(
                f"url {url!r} is ldaps:// (TLS from the start) and starttls = true asks for "
                "StartTLS on a plain connection: use ldap:// with starttls, or ldaps:// alone"
            )
        _merge(data, "url", "host", host, "the server")
        if port is not None:
            _merge(data, "url", "port", int(port), "the port")
        security = "ldaps" if scheme == "ldaps" else ("starttls" if starttls else "none")
        _merge(data, "url", "security", security, "the connection's security")
    elif starttls is not None:
        current = data.get("security", "none")
        if starttls and current == "ldaps":
            raise ValueError("security = 'ldaps' and starttls = true contradict each other")
        if starttls:
            data["security"] = "starttls"
        elif current == "starttls":
            raise ValueError("security = 'starttls' and starttls = false contradict each other")
    if "verify_tls" in data:
        verify = data.pop("verify_tls")
        if not isinstance(verify, bool):
            raise ValueError(f"verify_tls must be true or false, not {verify!r}")
        _merge(data, "verify_tls", "ignore_certificate", not verify, "whether to check TLS")
    if "filter" in data:
        _merge(data, "filter", "search_filter", data.pop("filter"), "the search filter")
    if "max_results" in data:
        _merge(data, "max_results", "result_limit", data.pop("max_results"), "the result limit")


def to_file(data: dict[str, Any]) -> dict[str, Any]:
    """The model's dump of a source in the file's names (the inverse of `from_file`)."""
    out: dict[str, Any] = {}
    kind = _text(data.get("kind"))
    for key, value in data.items():
        if key == "kind":
            out["type"] = value
        elif key == "location":
            if value is None:
                out[key] = None
            elif kind in _URL_KINDS and (
                kind not in _PATH_KINDS or re.match(r"(?i)^https?://", str(value))
            ):
                out["url"] = value
            else:
                out["path"] = value
        elif kind == "ldap" and key in ("host", "port", "security"):
            continue  # written together as url below
        elif kind == "ldap" and key == "ignore_certificate":
            out["verify_tls"] = not value
        elif kind == "ldap" and key == "search_filter":
            out["filter"] = value
        elif kind == "ldap" and key == "result_limit":
            out["max_results"] = value
        else:
            out[key] = value
    if kind == "ldap":
        host, port, security = data.get("host"), data.get("port"), _text(data.get("security"))
        if host:
            scheme = "ldaps" if security == "ldaps" else "ldap"
            out["url"] = f"{scheme}://{host}" + (f":{port}" if port else "")
        else:  # no server yet: what was chosen stays, in the model's names
            if port:
                out["port"] = port
            if security == "ldaps":
                out["security"] = security
        out["starttls"] = security == "starttls"
    return out
