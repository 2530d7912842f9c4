"""A stand-in for Microsoft Graph's contacts on 127.0.0.1, answering with the JSON shapes
of Graph's documentation (v1.0 `GET /me/contacts`, `/me/contactFolders/{id}/contacts`).
Real Graph is never contacted by a test.

    with GraphStandIn(contacts=[...], page_size=2, accept={"at-1"}.__contains__) as graph:
        graph.base_url                   # http://127.0.0.1:PORT/v1.0
        graph.throttle.append((429, "1"))  # the next contacts request: 429, Retry-After: 1
        graph.broken_pages.add(2)        # page 2 (1-based) is not JSON

- Paging: `$top` (capped by `page_size`) and `$skip`; `@odata.nextLink` is absolute, as
  Graph sends it (`next_link_base` makes it point elsewhere).
- Bearer tokens: `accept(token)` decides; a refused one gets 401 with Graph's
  `InvalidAuthenticationToken` error.
- Throttling: each queued `(status, retry_after or None)` answers one request with Graph's
  `TooManyRequests` / `ServiceUnavailable` error.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from typing import Any

from peers.http_standin import Answer, Recorded, StandIn

GRAPH_SELECT = "displayName,givenName,surname,companyName,businessPhones,mobilePhone,homePhones"
# Properties of Graph's contact resource (v1.0) a $select may name; others get Graph's 400.
CONTACT_PROPERTIES = frozenset(
    GRAPH_SELECT.split(",")
    + "assistantName businessHomePage department fileAs generation imAddresses initials "
    "jobTitle manager middleName nickName officeLocation profession spouseName title "
    "yomiCompanyName yomiGivenName yomiSurname emailAddresses categories birthday".split()
)


def graph_contact(
    ident: str,
    display: str | None = None,
    given: str | None = None,
    surname: str | None = None,
    company: str | None = None,
    business: list[str] | None = None,
    mobile: str | None = None,
    home: list[str] | None = None,
    **more: Any,
) -> dict[str, Any]:
    """A contact as Graph returns it with our $select (null and [] where empty); `more`:
    other properties (department=…), served when a $select names them."""
    return more | {
        "@odata.etag": f'W/"EQAAABYAAAB{ident}"',
        "id": ident,
        "displayName": display,
        "givenName": given,
        "surname": surname,
        "companyName": company,
        "businessPhones": business or [],
        "mobilePhone": mobile,
        "homePhones": home or [],
    }


def _error(code: str, message: str, status: int) -> bytes:
    return json.dumps(
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": "2026-12-02T22:00:00",
                    "request-id": "00000000-0000-0000-0000-000000000000",
                    "client-request-id": "00000000-0000-0000-0000-000000000000",
                    "status": str(status),
                },
            }
        }
    ).encode()


class GraphStandIn(StandIn):
    def __init__(
        self,
        contacts: list[dict[str, Any]] | None = None,
        *,
        page_size: int = 100,
        accept: Callable[[str], bool] = lambda token: True,
    ) -> None:
        super().__init__()
        self.reset(contacts, page_size=page_size, accept=accept)

    def reset(
        self,
        contacts: list[dict[str, Any]] | None = None,
        *,
        page_size: int = 100,
        accept: Callable[[str], bool] = lambda token: True,
    ) -> None:
        """Forget what was asked and set up a new mailbox (one server for a module)."""
        with self.lock:
            self.requests.clear()
            self.contacts = list(contacts or [])
            self.folders: dict[str, list[dict[str, Any]]] = {}
            self.page_size = page_size
            self.accept = accept
            self.throttle: list[tuple[int, str | None]] = []
            self.broken_pages: set[int] = set()
            self.next_link_base: str | None = None
            self.raw_pages: dict[int, bytes] = {}  # page number -> body served as is

    @property
    def base_url(self) -> str:
        return self.url("/v1.0")

    def contact_requests(self) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if "/contacts" in r.path]

    def handle(self, request: Recorded) -> Answer:
        parts = urllib.parse.urlsplit(request.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        path = urllib.parse.unquote(parts.path)
        if request.method != "GET":
            return Answer(405, _error("BadRequest", "Unsupported method", 405))
        if path == "/v1.0/me/contacts":
            items = self.contacts
        elif path.startswith("/v1.0/me/contactFolders/") and path.endswith("/contacts"):
            folder = path.removeprefix("/v1.0/me/contactFolders/").removesuffix("/contacts")
            if folder not in self.folders:
                return Answer(
                    404, _error("ErrorItemNotFound", "The specified object was not found.", 404)
                )
            items = self.folders[folder]
        else:
            return Answer(404, _error("BadRequest", f"Resource not found for {path}", 404))
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        if not token or not self.accept(token):
            return Answer(
                401,
                _error(
                    "InvalidAuthenticationToken",
                    "Access token has expired or is not yet valid.",
                    401,
                ),
                headers={"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
            )
        if self.throttle:
            status, retry_after = self.throttle.pop(0)
            code = "TooManyRequests" if status == 429 else "ServiceUnavailable"
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return Answer(status, _error(code, "Please retry again later.", status), headers)
        select = query.get("$select", "")
        unknown = [p for p in select.split(",") if p not in CONTACT_PROPERTIES]
        if not select or unknown:
            return Answer(
                400,
                _error(
                    "RequestBroker--ParseUri",
                    f"Could not find a property named '{(unknown or [''])[0]}' on type "
                    "'microsoft.graph.contact'.",
                    400,
                ),
            )
        chosen = ("@odata.etag", "id", *select.split(","))
        top = min(int(query.get("$top", "10")), self.page_size)
        skip = int(query.get("$skip", "0"))
        page = skip // top + 1
        if page in self.raw_pages:
            return Answer(200, self.raw_pages[page])
        if page in self.broken_pages:
            return Answer(200, b'{"@odata.context": "https://graph.microsoft.com/v1.0/$meta')
        body: dict[str, Any] = {
            "@odata.context": (
                "https://graph.microsoft.com/v1.0/$metadata#users('me')/contacts(" + select + ")"
            ),
            "value": [
                {k: item.get(k) for k in chosen} if isinstance(item, dict) else item
                for item in items[skip : skip + top]
            ],
        }
        if skip + top < len(items):
            base = self.next_link_base or self.url("")
            body["@odata.nextLink"] = (
                f"{base}{parts.path}?$select={select}&$top={top}&$skip={skip + top}"
            )
        return Answer(200, json.dumps(body).encode())
