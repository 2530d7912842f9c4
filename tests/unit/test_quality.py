"""MOS estimate: the E-model's known points."""

from parley.media.quality import estimate_mos, mos_from_r, r_factor


def test_clean_lan_call_is_excellent() -> None:
    assert r_factor(20, 0.0) > 92
    assert estimate_mos(20, 0.0) >= 4.3


def test_loss_and_delay_lower_the_score_monotonically() -> None:
    assert estimate_mos(20, 0.0) > estimate_mos(20, 3.0) > estimate_mos(20, 10.0)
    assert estimate_mos(20, 1.0) > estimate_mos(200, 1.0) > estimate_mos(400, 1.0)


def test_mos_scale_bounds() -> None:
    assert mos_from_r(-5) == 1.0
    assert mos_from_r(120) == 4.5
    assert 1.0 <= estimate_mos(1000, 100.0) < 1.5
