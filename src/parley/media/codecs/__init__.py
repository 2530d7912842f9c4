"""Codec registry: what we can offer in SDP and how to make encoders/decoders.

Default preference order is Opus, G.722, PCMA, PCMU (the ``codecs`` account setting
reorders or trims it). telephone-event (RFC 4733) is listed separately because it is not
an audio codec: it rides next to whichever audio codec is chosen, at that codec's clock
rate (RFC 4733 §2.1), see :func:`telephone_event`.
"""

from __future__ import annotations

from parley.media.codecs.base import CodecError, CodecInfo, Decoder, Encoder, Frame, as_frame

__all__ = [
    "DEFAULT_ORDER",
    "G722",
    "OPUS",
    "PCMA",
    "PCMU",
    "SUPPORTED",
    "TELEPHONE_EVENT",
    "CodecError",
    "CodecInfo",
    "Decoder",
    "Encoder",
    "Frame",
    "as_frame",
    "codecs_in_order",
    "get_codec",
    "make_decoder",
    "make_encoder",
    "telephone_event",
]

OPUS = CodecInfo(
    name="opus",
    clock_rate=48000,
    sample_rate=48000,
    channels=2,
    static_pt=None,
    fmtp="minptime=10;useinbandfec=1",
    key="opus",
)
G722 = CodecInfo(
    name="G722", clock_rate=8000, sample_rate=16000, channels=1, static_pt=9, fmtp="", key="g722"
)
PCMA = CodecInfo(
    name="PCMA", clock_rate=8000, sample_rate=8000, channels=1, static_pt=8, fmtp="", key="pcma"
)
PCMU = CodecInfo(
    name="PCMU", clock_rate=8000, sample_rate=8000, channels=1, static_pt=0, fmtp="", key="pcmu"
)
TELEPHONE_EVENT = CodecInfo(
    name="telephone-event",
    clock_rate=8000,
    sample_rate=8000,
    channels=1,
    static_pt=None,
    fmtp="0-16",
    key="telephone-event",
)

DEFAULT_ORDER = ["opus", "g722", "pcma", "pcmu"]
SUPPORTED: list[CodecInfo] = [OPUS, G722, PCMA, PCMU]

_BY_NAME: dict[str, CodecInfo] = {}
for _info in [*SUPPORTED, TELEPHONE_EVENT]:
    _BY_NAME[_info.key.lower()] = _info
    _BY_NAME[_info.name.lower()] = _info


def get_codec(key_or_name: str) -> CodecInfo:
    """Look a codec up by settings key or SDP encoding name, ignoring case.

    Raises KeyError naming the codec when it is unknown.
    """
    info = _BY_NAME.get(key_or_name.strip().lower())
    if info is None:
        raise KeyError(f"unknown codec {key_or_name!r}")
    return info


def codecs_in_order(keys: list[str] | tuple[str, ...]) -> list[CodecInfo]:
    """Codecs for an account's ordered ``codecs`` setting (unknown names are skipped)."""
    out: list[CodecInfo] = []
    for key in keys:
        info = _BY_NAME.get(key.strip().lower())
        if info is not None and info.is_audio and info not in out:
            out.append(info)
    return out


def telephone_event(clock_rate: int) -> CodecInfo:
    """telephone-event at the audio codec's clock rate (8000, 16000, 48000: RFC 4733 §2.1)."""
    if clock_rate == TELEPHONE_EVENT.clock_rate:
        return TELEPHONE_EVENT
    return CodecInfo(
        name="telephone-event",
        clock_rate=clock_rate,
        sample_rate=clock_rate,
        channels=1,
        static_pt=None,
        fmtp=TELEPHONE_EVENT.fmtp,
        key="telephone-event",
    )


def make_encoder(info: CodecInfo, **fmtp_params: object) -> Encoder:
    """A new encoder; ``fmtp_params`` are the far end's fmtp parameters (Opus uses them).

    Raises :class:`CodecError` for telephone-event or an unavailable library.
    """
    if info.key in ("pcmu", "pcma"):
        from parley.media.codecs.g711 import G711Encoder

        return G711Encoder(info)
    if info.key == "g722":
        from parley.media.codecs.g722 import G722Encoder

        return G722Encoder(info)
    if info.key == "opus":
        from parley.media.codecs.opus import OpusEncoder

        return OpusEncoder(info, **fmtp_params)
    raise CodecError(f"{info.name} is not an audio codec; it has no encoder")


def make_decoder(info: CodecInfo) -> Decoder:
    """A new decoder with packet loss concealment. Raises :class:`CodecError` as above."""
    if info.key in ("pcmu", "pcma"):
        from parley.media.codecs.g711 import G711Decoder

        return G711Decoder(info)
    if info.key == "g722":
        from parley.media.codecs.g722 import G722Decoder

        return G722Decoder(info)
    if info.key == "opus":
        from parley.media.codecs.opus import OpusDecoder

        return OpusDecoder(info)
    raise CodecError(f"{info.name} is not an audio codec; it has no decoder")
