"""A listening-quality estimate for a running call (MOS from the E-model).

The simplified E-model of ITU-T G.107 as Cole and Rosenbluth reduced it: the rating
R starts at 93.2, loses a delay impairment (one-way mouth-to-ear delay) and an
equipment impairment that grows with packet loss, codec-specific (G.113 Appendix I
values; Opus and G.722 are wideband and rated on the narrowband scale conservatively).
R maps to MOS with the G.107 formula. An estimate for the statistics window, not PESQ.
"""

from __future__ import annotations

# Ie (impairment at no loss) and Bpl (robustness to loss) per codec, G.113 App. I / G.107.
_CODEC_FACTORS: dict[str, tuple[float, float]] = {
    "PCMU": (0.0, 25.1),  # G.711 with PLC
    "PCMA": (0.0, 25.1),
    "G722": (0.0, 25.1),
    "opus": (0.0, 30.0),  # with in-band FEC; generous like a modern codec
}


def r_factor(one_way_delay_ms: float, loss_percent: float, codec: str = "PCMU") -> float:
    ie, bpl = _CODEC_FACTORS.get(codec, (0.0, 25.1))
    d = max(0.0, one_way_delay_ms)
    # Delay impairment (Cole & Rosenbluth): 0.024 per ms, plus a steeper slope past 177.3 ms.
    idd = 0.024 * d + (0.11 * (d - 177.3) if d > 177.3 else 0.0)
    ppl = max(0.0, min(100.0, loss_percent))
    ie_eff = ie + (95.0 - ie) * ppl / (ppl + bpl)
    return 93.2 - idd - ie_eff


def mos_from_r(r: float) -> float:
    """G.107 Annex B: R (0-100) to MOS (1-4.5)."""
    if r <= 0:
        return 1.0
    if r >= 100:
        return 4.5
    return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6


def estimate_mos(one_way_delay_ms: float, loss_percent: float, codec: str = "PCMU") -> float:
    return round(mos_from_r(r_factor(one_way_delay_ms, loss_percent, codec)), 2)
