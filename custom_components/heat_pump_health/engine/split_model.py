"""How this unit's supply-return split follows its power, in one outdoor band.

The split grows with the load, but how fast depends on the unit: an air
handler that slows its fan with the compressor keeps the split fairly
steady, a water circuit with a fixed pump sees it grow almost in proportion.
So the relation is learned as a straight line between log(split) and
log(power), from time-weighted exponential moments: cheap, incremental, and
unbiased by whether the unit spent the last hours at high or low speed.
"""

from __future__ import annotations

from collections.abc import Callable
import math
from typing import Any

from .stats import as_float, blend

# Exponent of split versus power when the power has not varied enough to
# learn it: between an air handler (~0.3) and a fixed-flow water loop (~1).
_DEFAULT_EXPONENT = 0.5
_MIN_LOG_VARIANCE = 0.01  # power varied by at least ~10 %
# The line is not trusted far outside the powers it was learned from.
_MAX_SCALE = 1.5
_MIN_SCALE = 0.5
# Powers within 25 % of the band's mean count as covered, however narrow it is.
_COVERED_LOG = math.log(1.25)
# Powers within this many standard deviations (of log power) of the band's
# mean are covered: about the range the line was learned over.
_COVERED_SPREADS = 2.0
# Below the powers learned, a shortfall is judged down to this share of the
# lowest of them (see least_expected).
_LEAST_BELOW_SHARE = 0.5
# The edge of the powers covered is taken this far inside the clamp.
_EDGE_INSIDE = 0.99


class SplitBand:
    """Learned split-versus-power line for one outdoor-temperature band."""

    __slots__ = ("readings_spread", "seconds", "spread_seconds", "x", "xx", "xy", "y", "yy")

    def __init__(self) -> None:
        # Time-weighted means of x = log(power), y = log(split), x², x·y.
        self.x = 0.0
        self.y = 0.0
        self.xx = 0.0
        self.xy = 0.0
        self.seconds = 0.0
        # Time-weighted mean of y², and how long it has been learned: the
        # split's own spread, for judging it where the power cannot say the
        # load (bands saved before it was learned start it afresh).
        self.yy = 0.0
        self.spread_seconds = 0.0
        # Time-weighted mean of how far the supply and return readings spread
        # (K) while it learned: learned from readings that stood still, the
        # line may be up to a step off itself (rounding.py).  Bands saved
        # before it was kept count as learned still.
        self.readings_spread = 0.0

    def add(
        self,
        split: float,
        power: float | None,
        dt: float,
        tau: float,
        *,
        readings_spread: float = 0.0,
    ) -> None:
        """Fold in a healthy steady split (K) at a power (W, None if unknown).

        ``readings_spread``: how far the recent supply and return readings
        spread, K (rounding.py).  The coil's gap leaves it at 0: it has no
        rounding credit.
        """
        if dt <= 0.0 or split <= 0.0:
            return
        y = math.log(split)
        # Without power the line degenerates to a mean split; that is fine.
        x = math.log(power) if power is not None and power > 0.0 else self.x
        if self.spread_seconds <= 0.0:
            self.yy = y * y
        else:
            self.yy += _weight(dt, tau, self.spread_seconds) * (y * y - self.yy)
        self.spread_seconds += dt
        if self.seconds <= 0.0:
            self.x, self.y, self.xx, self.xy = x, y, x * x, x * y
            self.readings_spread = readings_spread
        else:
            weight = _weight(dt, tau, self.seconds)
            self.x += weight * (x - self.x)
            self.y += weight * (y - self.y)
            self.xx += weight * (x * x - self.xx)
            self.xy += weight * (x * y - self.xy)
            self.readings_spread += weight * (readings_spread - self.readings_spread)
        self.seconds += dt

    def copy(self) -> SplitBand:
        """An independent copy (what the band was at some moment)."""
        band = SplitBand()
        band.x, band.y, band.xx, band.xy, band.seconds = (
            self.x,
            self.y,
            self.xx,
            self.xy,
            self.seconds,
        )
        band.yy, band.spread_seconds = self.yy, self.spread_seconds
        band.readings_spread = self.readings_spread
        return band

    def exponent(self) -> float:
        """Learned exponent of split versus power, within physical bounds."""
        variance = self.xx - self.x * self.x
        if variance < _MIN_LOG_VARIANCE:
            return _DEFAULT_EXPONENT
        slope = (self.xy - self.x * self.y) / variance
        return min(max(slope, 0.0), 1.0)

    def expected(self, power: float | None) -> float:
        """Split this unit normally shows at this power, K."""
        base = math.exp(self.y)
        if power is None or power <= 0.0:
            return base
        scale = math.exp(self.exponent() * (math.log(power) - self.x))
        return base * min(max(scale, _MIN_SCALE), _MAX_SCALE)

    def covers(self, power: float | None) -> bool:
        """Whether ``power`` lies within the powers this band was learned from.

        Outside them the line is an extrapolation, good enough for a sudden
        collapse but not for judging a shortfall of a few tens of percent.
        """
        if power is None or power <= 0.0:
            return True
        offset = math.log(power) - self.x
        scale = math.exp(self.exponent() * offset)
        return abs(offset) <= self._reach() and _MIN_SCALE < scale < _MAX_SCALE

    def _reach(self) -> float:
        """How far (log power) either side of the band's mean power counts as learned."""
        spread = math.sqrt(max(self.xx - self.x * self.x, 0.0))
        return max(_COVERED_SPREADS * spread, _COVERED_LOG)

    def below(self, power: float | None) -> bool:
        """Whether ``power`` lies below the powers this band was learned from.

        There the line's clamp expects more split than it knows of; above
        them it can only expect less.
        """
        return (
            power is not None
            and power > 0.0
            and not self.covers(power)
            and math.log(power) <= self.x
        )

    def least_expected(self, power: float | None) -> float | None:
        """The least split a healthy unit shows at ``power``; None where that is not known.

        Within the powers learned, the line.  Below them, what it gave at the
        bottom of them, scaled down with the power: a compressor turned down
        is at least as efficient, and no pump or fan moves more for less
        heat (a fixed one moves the same, one that slows or holds the
        supply-return difference less), so the split falls no faster than
        the power.  Further below than half of the bottom, the unit's own
        fixed draw (pump, fans, controls) weighs too much for that.  Above
        them, nothing is known: a fan or pump that speeds up with the
        compressor can move more air or water than the heat grows.
        """
        if power is None or power <= 0.0 or self.covers(power):
            return self.expected(power)
        if not self.below(power):
            return None
        bottom = self._bottom()
        if power < _LEAST_BELOW_SHARE * bottom:
            return None
        return self.expected(bottom) * power / bottom

    def most_expected(self, power: float | None) -> float:
        """The widest split a healthy unit shows at ``power``, as far as the line says, K.

        Within the powers learned and below them, the line.  Above them, the
        line at the top of them, scaled up with the power where that gives
        more: the heat grows no faster than the draw (the efficiency falls as
        a compressor speeds up), and the split no faster than the heat (a
        fixed pump or fan moves the same, one that speeds up moves more).  A
        line learned over a narrow range of powers, its slope blurred by the
        readings' rounding, would otherwise put a fixed-flow water loop
        running flat out through a morning far above its own healthy split.
        """
        expected = self.expected(power)
        if power is None or power <= 0.0 or self.covers(power) or self.below(power):
            return expected
        top = self._edge(_MAX_SCALE)
        return max(expected, self.expected(top) * power / top)

    def _bottom(self) -> float:
        """The lowest power the line covers, W."""
        return self._edge(_MIN_SCALE)

    def _edge(self, scale: float) -> float:
        """The power at which the line covers no further towards this clamp of its scale, W.

        ``scale``: _MIN_SCALE for the lowest power, _MAX_SCALE for the
        highest.  Both the spread of the powers learned and that clamp bound
        it, so that the line is taken there as it was learned.
        """
        reach = self._reach()
        exponent = self.exponent()
        if exponent > 0.0:
            reach = min(reach, _EDGE_INSIDE * abs(math.log(scale)) / exponent)
        return math.exp(self.x + math.copysign(reach, math.log(scale)))

    def spread(self) -> float:
        """Standard deviation of log(split) over everything learned (0 until learned)."""
        return math.sqrt(max(self.yy - self.y * self.y, 0.0))

    @property
    def typical_split(self) -> float:
        """The (geometric) mean split learned, K."""
        return math.exp(self.y)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable form (with readable typical values)."""
        return {
            "x": round(self.x, 6),
            "y": round(self.y, 6),
            "xx": round(self.xx, 6),
            "xy": round(self.xy, 6),
            "seconds": round(self.seconds, 1),
            "yy": round(self.yy, 6),
            "spread_seconds": round(self.spread_seconds, 1),
            "readings_spread_k": round(self.readings_spread, 4),
            "split_k": round(self.typical_split, 2),
            "power_w": round(math.exp(self.x), 1),
            "exponent": round(self.exponent(), 3),
        }

    @classmethod
    def from_dict(cls, data: object) -> SplitBand | None:
        """Rebuild from to_dict output; None when unusable."""
        if not isinstance(data, dict):
            return None
        values = [as_float(data.get(name)) for name in ("x", "y", "xx", "xy", "seconds")]
        x, y, xx, xy, seconds = values
        if x is None or y is None or xx is None or xy is None or seconds is None:
            return None
        # Logs of watts and kelvins: anything outside these is not ours.
        if not (-5.0 < y < 5.0 and -5.0 < x < 12.0 and seconds > 0.0):
            return None
        band = cls()
        band.x, band.y, band.xx, band.xy, band.seconds = x, y, xx, xy, seconds
        yy = as_float(data.get("yy"))
        spread_seconds = as_float(data.get("spread_seconds"))
        if yy is not None and spread_seconds is not None and 0.0 < spread_seconds <= seconds:
            band.yy, band.spread_seconds = yy, spread_seconds
        # Temperatures that spread by more than 100 K are not ours.
        spread = as_float(data.get("readings_spread_k"))
        if spread is not None and 0.0 <= spread < 100.0:
            band.readings_spread = spread
        return band


def _weight(dt: float, tau: float, seconds: float) -> float:
    """How much ``dt`` more weighs against ``seconds`` already learned.

    A plain running mean until tau of data is held, so that the first
    minutes do not weigh like days; exponential after.
    """
    return max(blend(dt, tau), dt / (seconds + dt))


def save_bands(bands: dict[int, SplitBand]) -> dict[str, Any]:
    """Bands in their saved form, by index (load_bands reads it back)."""
    return {str(key): band.to_dict() for key, band in sorted(bands.items())}


def load_bands(data: object, known: Callable[[int], bool]) -> dict[int, SplitBand]:
    """Bands from their saved form by index; unknown indices and garbage left out."""
    bands: dict[int, SplitBand] = {}
    if not isinstance(data, dict):
        return bands
    for key, value in data.items():
        try:
            index = int(key)
        except TypeError, ValueError:
            continue
        band = SplitBand.from_dict(value) if known(index) else None
        if band is not None:
            bands[index] = band
    return bands
