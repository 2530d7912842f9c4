"""The Replaces header (RFC 3891): which dialog a new INVITE takes the place of.

An attended transfer sends `REFER` whose Refer-To carries the header as a URI header
(`<sip:bob@pbx?Replaces=abc%40host%3Bto-tag%3D1%3Bfrom-tag%3D2>`); the transferee copies
it into its INVITE; the target finds the dialog and ends it once the new one is up.

The tags are named from the point of view of the party that *sends* the Replaces:
`to_tag` is the tag of the far end of the replaced dialog as seen by that sender, i.e.
at the target (who owns the dialog) `to_tag` is its own local tag and `from_tag` the
remote one (§3).
"""

from __future__ import annotations

from dataclasses import dataclass

from parley.sip.headers import SipParseError
from parley.sip.uri import SipURI

__all__ = ["Replaces"]


@dataclass(frozen=True)
class Replaces:
    call_id: str
    to_tag: str
    from_tag: str
    early_only: bool = False

    @classmethod
    def parse(cls, value: str) -> Replaces:
        """`callid;to-tag=X;from-tag=Y[;early-only]`. Raises SipParseError (400) when a
        part is missing: RFC 3891 §3 wants both tags."""
        parts = [p.strip() for p in value.split(";")]
        call_id = parts[0]
        params: dict[str, str | None] = {}
        for part in parts[1:]:
            if not part:
                continue
            name, _, val = part.partition("=")
            params[name.strip().lower()] = val.strip() if val else None
        to_tag, from_tag = params.get("to-tag"), params.get("from-tag")
        if not call_id or not to_tag or not from_tag:
            raise SipParseError(
                f"Replaces {value!r} needs a Call-ID, a to-tag and a from-tag (RFC 3891 §6.1)"
            )
        return cls(call_id, to_tag, from_tag, "early-only" in params)

    def __str__(self) -> str:
        text = f"{self.call_id};to-tag={self.to_tag};from-tag={self.from_tag}"
        return text + (";early-only" if self.early_only else "")

    def in_uri(self, target: SipURI) -> SipURI:
        """`target` with this Replaces as a URI header (for a REFER's Refer-To); the URI
        printer escapes ';', '=' and '@'."""
        uri = target.copy()
        uri.headers["Replaces"] = str(self)
        return uri

    @classmethod
    def from_uri(cls, uri: SipURI) -> Replaces | None:
        """The Replaces a Refer-To URI carries, if any (header names ignore case)."""
        for name, value in uri.headers.items():
            if name.lower() == "replaces":
                return cls.parse(value)
        return None
