"""The quantization profile: per-tensor min, max and histogram, Glow-style.

Profile guided quantization runs the reference interpreter over a calibration
set and records, for every float tensor (named by its producer's output name),
the exact min and max and a histogram of the values seen.

Histogram bins (exactly mergeable). Glow keeps `nbins` bins spanning exactly
[min, max] and, when a batch widens the range, redistributes each old bin's
count over the new bins in proportion to their overlap, rounding
(`generateTensorHistogram`, `rescaleHistogram` in Glow's
`lib/Quantization/Base/Profile.cpp`). That rounding makes the result depend on
batch order and sharding. Here bins sit on a fixed grid instead: a bin has
width 2**e and covers [k * 2**e, (k+1) * 2**e) for an integer k, and e is the
smallest exponent for which the bins from min's to max's fit in `nbins`. When
the range grows, e only grows, and re-binning merges 2**d whole bins into one
(k -> k >> d) -- Glow's redistribution in the special case where no bin is
split, so counts stay exact integers. Since floor(v / 2**e) >> d ==
floor(v / 2**(e+d)), the histogram is a pure function of the multiset of values
seen: observing batches in any order, or merging the profiles of shards of a
calibration set, gives exactly the same profile as one run over everything.
The cost is resolution: the histogram uses between nbins/2 and nbins bins, not
always all of them. The grid (`bin_edges`) is a function of Min, Max and the
number of bins, so the file needs no more than those.

`DEFAULT_NUM_HISTOGRAM_BINS` is 2048. Glow's loader defaults
`-num-histogram-bins` to 10 (enough for min/max calibration) and warns that
histogram (KL-divergence) calibration needs more than 255 bins, "in the order
of 1000's"; TensorRT's entropy calibrator uses 2048. With at least nbins/2
bins used on this grid, 2048 keeps >= 1024 bins, four per int8 level.

Channel sums (`-quantization-bias-correction`). Bias correction needs the mean
of every input channel of a Conv or Gemm. A profile dumped with the flag records,
for every tensor of rank 2 or more, the exact sum of its values per index of
axis 1 (NCHW channels, a Gemm input's features). Each sum is a dyadic rational
`n * 2**e`, kept exactly (float32 and float64 values are integers times powers
of two), so it merges like the histogram: the same multiset of values gives the
same sums whatever the batch order or sharding. Such a profile is FormatVersion
2: its tensors with channel sums carry two more keys, `ChannelSums` (the
integers `n`, one per channel, separated by spaces) and `ChannelSumExponent`
(`e`, shared by the tensor's channels). A profile without them is version 1, so
that readers of version 1 keep reading it.

File format (YAML, written deterministically and atomically):

    FormatVersion: 1
    GraphHash: <hash of the model graph, from the caller>
    FP16NodeInstanceNamesHash: <aicc.base.node_precision.fp16_set_hash>
    KeepOriginalPrecisionForNodes: [...]   # informational, not enforced
    NumHistogramBins: 2048
    Tensors:
    - NodeOutputName: conv0
      Min: -1.5
      Max: 3.25
      Histogram: 12 0 0 7 ...

`Histogram` is one string of counts separated by spaces, not a YAML list:
PyYAML builds a node per list item, about 20-100 us each, so a 100-tensor
profile with 2048 bins would take seconds to read; one string per tensor is
read with numpy. Min and Max are written with `repr`, so they round-trip
exactly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import yaml

from aicc.base.errors import UserError, warn
from aicc.base.files import write_atomically
from aicc.base.yaml_file import STR_TAG, YamlFile, describe_node

FORMAT_VERSION = 1
CHANNEL_SUMS_FORMAT_VERSION = 2
"""The version of a profile with channel sums; one without them keeps `FORMAT_VERSION`."""
DEFAULT_NUM_HISTOGRAM_BINS = 2048
MIN_NUM_HISTOGRAM_BINS = 2
"""0 is an edge at every grid level, so a range across it needs two bins."""

_EXPONENT_FLOOR = -1074 - 52
"""Bin exponent of an all-zero tensor: finer than any nonzero value's grid."""
_F32_MIN_EXP, _F32_MAX_EXP = -126, 127
"""Exponents of float32's normal powers of two."""
_EXACT_IN_F32 = (np.dtype(np.float16), np.dtype(np.float32))

_HEADER_KEYS = (
    "FormatVersion",
    "GraphHash",
    "FP16NodeInstanceNamesHash",
    "KeepOriginalPrecisionForNodes",
    "NumHistogramBins",
    "Tensors",
)
_TENSOR_KEYS = ("NodeOutputName", "Min", "Max", "Histogram")
_SUM_KEYS = ("ChannelSums", "ChannelSumExponent")
_COUNTS = re.compile(r"[0-9]{1,18}(?: [0-9]{1,18})*")
_SUMS = re.compile(r"-?[0-9]{1,400}(?: -?[0-9]{1,400})*")
"""A float64 sum spans at most about 2100 bits, some 640 digits below 2**2200; a sum
of float32 activations needs a few dozen."""
_MANTISSA_BITS = 53
_HALF_BITS = 26
"""Each 53-bit mantissa is summed as two halves below 2**27 in magnitude: float64
sums of up to 2**25 such halves (`_MAX_EXACT_COLUMNS`) are exact."""
_MAX_EXACT_COLUMNS = 1 << 25
"""Counts below 10**18, so int64 sums of many profiles do not overflow."""
T = TypeVar("T")


def bin_grid(lo: float, hi: float, bins: int) -> tuple[int, int]:
    """(e, k0): bins k0 .. k0+bins-1 of width 2**e cover [lo, hi]; e is the smallest such.

    `bins` is at least `MIN_NUM_HISTOGRAM_BINS`.
    """
    e = _finest_exponent(lo, hi)
    half_range = hi / 2 - lo / 2  # halves first: hi - lo may overflow
    if half_range > 0:
        # Fitting needs 2**e > (hi - lo) / bins > 2**(p - b), p = half_range's binary
        # exponent, b = bins' bit length; one lower for half_range's rounding.
        e = max(e, math.frexp(half_range)[1] - bins.bit_length() - 1)
    while _floor_scaled(hi, e) - _floor_scaled(lo, e) >= bins:
        e += 1
    return e, _floor_scaled(lo, e)


def _floor_scaled(value: float, e: int) -> int:
    """`grid_index` of one value: numpy's per-call overhead would dominate `bin_grid`."""
    scaled = math.ldexp(value, -e)  # cannot overflow: |value| / 2**e <= 2**53 on any grid
    return math.floor(scaled) - (scaled == 0 and value < 0)


def grid_index(values: np.ndarray, e: int) -> np.ndarray:
    """floor(values / 2**e), exactly, as int64."""
    if values.dtype == np.float32 and _F32_MIN_EXP <= -e <= _F32_MAX_EXP:
        # float32 times a normal float32 power of two is exact unless it underflows
        # (handled below), and so is a float32's floor: no float64 copy needed.
        scaled = values * np.float32(2.0**-e)
    else:
        scaled = np.ldexp(values.astype(np.float64, copy=False), -e)
    np.floor(scaled, out=scaled)
    index = scaled.astype(np.int64)
    if e > 0:
        # A negative value too small to scale underflows to -0.0, whose floor is 0, not -1;
        # scaling by 2**-e >= 1 cannot underflow.
        index -= (scaled == 0) & (values < 0)
    return index


def _finest_exponent(lo: float, hi: float) -> int:
    # Bins finer than 2**-52 of the largest magnitude would put grid indices past
    # 2**53, where float64 floors stop being exact; it also bounds e when lo == hi.
    largest = max(abs(lo), abs(hi))
    if largest == 0:
        return _EXPONENT_FLOOR
    return math.frexp(largest)[1] - 52


@dataclass(frozen=True)
class ChannelSums:
    """Exact sums `numerators[c] * 2**exponent`, one per channel; canonical (the
    numerators are not all even unless all are zero, then the exponent is 0)."""

    exponent: int
    numerators: tuple[int, ...]

    @staticmethod
    def make(exponent: int, numerators: Sequence[int]) -> ChannelSums:
        shift = min(((n & -n).bit_length() - 1 for n in numerators if n), default=None)
        if shift is None:
            return ChannelSums(0, tuple(0 for _ in numerators))
        return ChannelSums(exponent + shift, tuple(n >> shift for n in numerators))

    @staticmethod
    def of(values: np.ndarray) -> ChannelSums:
        """The sums over every axis but 1 of finite float `values` (rank >= 2)."""
        channels = values.shape[1]
        x = np.moveaxis(np.asarray(values, dtype=np.float64), 1, 0).reshape(channels, -1)
        total = ChannelSums._of_columns(x[:, :_MAX_EXACT_COLUMNS])
        for start in range(_MAX_EXACT_COLUMNS, x.shape[1], _MAX_EXACT_COLUMNS):
            total += ChannelSums._of_columns(x[:, start : start + _MAX_EXACT_COLUMNS])
        return total

    @staticmethod
    def _of_columns(x: np.ndarray) -> ChannelSums:
        mantissa, exponent = np.frexp(x)
        m = np.ldexp(mantissa, _MANTISSA_BITS).astype(np.int64)
        nonzero = m != 0
        if not nonzero.any():
            return ChannelSums(0, tuple(0 for _ in range(x.shape[0])))
        e = exponent.astype(np.int64) - _MANTISSA_BITS
        low = int(e[nonzero].min())
        shift = np.where(nonzero, e - low, 0)
        span = int(shift.max()) + 1
        index = (np.arange(x.shape[0])[:, None] * span + shift).ravel()
        size = x.shape[0] * span
        # m = high * 2**26 + low_half exactly (>> floors, so low_half is in [0, 2**26)).
        halves = (m >> _HALF_BITS, m & ((1 << _HALF_BITS) - 1))
        high, low_half = (np.bincount(index, h.ravel().astype(np.float64), size) for h in halves)
        sums = []
        for channel in range(x.shape[0]):
            row = slice(channel * span, (channel + 1) * span)
            total = 0
            for k in np.flatnonzero(high[row]):
                total += int(high[row][k]) << (int(k) + _HALF_BITS)
            for k in np.flatnonzero(low_half[row]):
                total += int(low_half[row][k]) << int(k)
            sums.append(total)
        return ChannelSums.make(low, sums)

    def __add__(self, other: ChannelSums) -> ChannelSums:
        low = min(self.exponent, other.exponent)
        return ChannelSums.make(
            low,
            [
                (a << (self.exponent - low)) + (b << (other.exponent - low))
                for a, b in zip(self.numerators, other.numerators, strict=True)
            ],
        )

    def means(self, count: int) -> np.ndarray:
        """Each sum over `count` values, correctly rounded to float64."""
        return np.array(
            [_ldexp_ratio(n, count, self.exponent) for n in self.numerators], dtype=np.float64
        )


def _ldexp_ratio(numerator: int, count: int, exponent: int) -> float:
    """numerator / count * 2**exponent as a float, without overflow in between."""
    if numerator == 0 or count == 0:
        return 0.0
    bits = numerator.bit_length() - count.bit_length()
    # Scale the ratio near 1 first: int / int is correctly rounded, ldexp then exact.
    ratio = numerator / (count << bits) if bits > 0 else (numerator << -bits) / count
    return math.ldexp(ratio, exponent + bits)


@dataclass(frozen=True, eq=False)
class TensorProfile:
    """Min, max and grid histogram (int64 counts, see the module doc) of one tensor."""

    name: str
    min: float
    max: float
    histogram: np.ndarray
    channel_sums: ChannelSums | None = None
    """Exact per-channel sums (axis 1), when the profile records them."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TensorProfile):
            return NotImplemented
        return (
            (self.name, self.min, self.max) == (other.name, other.min, other.max)
            and self.histogram.dtype == other.histogram.dtype
            and np.array_equal(self.histogram, other.histogram)
            and self.channel_sums == other.channel_sums
        )

    __hash__ = None  # type: ignore[assignment]

    def channel_means(self) -> np.ndarray | None:
        """The mean of each channel (float64), if the profile records channel sums."""
        if self.channel_sums is None:
            return None
        count = int(self.histogram.sum()) // len(self.channel_sums.numerators)
        return self.channel_sums.means(count)

    def bin_edges(self) -> np.ndarray:
        """The len(histogram)+1 bin edges; the first bin holds Min, the last used one Max."""
        bins = len(self.histogram)
        e, k0 = bin_grid(self.min, self.max, bins)
        return np.ldexp(np.arange(k0, k0 + bins + 1, dtype=np.float64), e)


def tensor_profile(name: str, values: np.ndarray, bins: int) -> TensorProfile:
    """The profile of one batch of finite values (at least one)."""
    flat = _flat(values)
    lo, hi = _bounds(flat)
    e, k0 = bin_grid(lo, hi, bins)
    return TensorProfile(name, lo, hi, _counts(flat, e, k0, bins))


def _flat(values: np.ndarray) -> np.ndarray:
    """`values` raveled, as float32 where that holds them exactly, else float64."""
    dtype = np.float32 if values.dtype in _EXACT_IN_F32 else np.float64
    return np.asarray(values, dtype=dtype).ravel()


def _bounds(flat: np.ndarray) -> tuple[float, float]:
    """Min and max; NaN or Inf among the values shows in them."""
    # `+ 0.0` turns -0.0 into 0.0, so the min of {0.0, -0.0} does not depend on order.
    return float(flat.min()) + 0.0, float(flat.max()) + 0.0


def _counts(flat: np.ndarray, e: int, k0: int, bins: int) -> np.ndarray:
    """The histogram of `flat` on the grid (e, k0), which covers all of it."""
    index = grid_index(flat, e)
    index -= k0
    return np.bincount(index, minlength=bins).astype(np.int64, copy=False)


def merge_tensor_profiles(a: TensorProfile, b: TensorProfile) -> TensorProfile:
    """The profile of the values of `a` and `b` together (exactly, see the module doc)."""
    bins = len(a.histogram)
    lo, hi = min(a.min, b.min), max(a.max, b.max)
    e, k0 = bin_grid(lo, hi, bins)
    sums = _sum_or_none(a.channel_sums, b.channel_sums)
    return TensorProfile(a.name, lo, hi, _rebinned(a, e, k0) + _rebinned(b, e, k0), sums)


def _sum_or_none(a: ChannelSums | None, b: ChannelSums | None) -> ChannelSums | None:
    return None if a is None or b is None else a + b


def _rebinned(t: TensorProfile, e: int, k0: int) -> np.ndarray:
    """`t`'s counts on the coarser-or-equal grid (e, k0): whole bins merge, none split.

    `t.histogram` itself if the grid is `t`'s own: callers must not modify the result.
    """
    bins = len(t.histogram)
    old_e, old_k0 = bin_grid(t.min, t.max, bins)
    if (old_e, old_k0) == (e, k0):
        return t.histogram
    used = np.flatnonzero(t.histogram)
    # Indices stay below 2**53 in magnitude, so a shift of 63 acts as any larger one.
    shift = min(e - old_e, 63)
    out = np.zeros(bins, dtype=np.int64)
    np.add.at(out, ((used + old_k0) >> shift) - k0, t.histogram[used])
    return out


@dataclass(frozen=True)
class Profile:
    """A quantization profile: header and one `TensorProfile` per tensor, first seen first."""

    graph_hash: str
    fp16_hash: str
    keep_original_precision_for_nodes: tuple[str, ...]
    num_histogram_bins: int
    tensors: dict[str, TensorProfile]
    source: str = field(default="<profile>", compare=False)
    """Where the profile came from, for messages."""

    @property
    def has_channel_sums(self) -> bool:
        return any(t.channel_sums is not None for t in self.tensors.values())


class Profiler:
    """Builds a `Profile`; `observe` is the reference interpreter's `observer` callback."""

    def __init__(
        self,
        graph_hash: str,
        fp16_hash: str,
        keep_original_precision_for_nodes: Sequence[str] = (),
        num_histogram_bins: int = DEFAULT_NUM_HISTOGRAM_BINS,
        channel_sums: bool = False,
    ) -> None:
        if num_histogram_bins < MIN_NUM_HISTOGRAM_BINS:
            raise UserError(
                f"-num-histogram-bins must be at least {MIN_NUM_HISTOGRAM_BINS}, "
                f"not {num_histogram_bins}"
            )
        self.graph_hash = graph_hash
        self.fp16_hash = fp16_hash
        self.keep_original_precision_for_nodes = tuple(keep_original_precision_for_nodes)
        self.num_histogram_bins = num_histogram_bins
        self.channel_sums = channel_sums
        """Whether to record `ChannelSums` (of tensors of rank 2 or more)."""
        self._tensors: dict[str, TensorProfile] = {}

    def observe(self, name: str, array: np.ndarray) -> None:
        """Add one tensor's values; integer and boolean tensors are not quantized, so skipped."""
        if array.dtype.kind != "f" or array.size == 0:
            return
        flat = _flat(array)
        lo, hi = _bounds(flat)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise UserError(f"tensor '{name}' has NaN or Inf values; a profile needs finite values")
        bins = self.num_histogram_bins
        seen = self._tensors.get(name)
        if seen is not None:
            lo, hi = min(seen.min, lo), max(seen.max, hi)
        e, k0 = bin_grid(lo, hi, bins)
        # The batch's counts on the merged grid equal its own profile's, rebinned
        # (the merged grid is coarser or equal), so no second pass over the values.
        counts = _counts(flat, e, k0, bins)
        sums = None
        if self.channel_sums and array.ndim >= 2:
            sums = ChannelSums.of(array)
            if seen is not None:
                sums = _sum_or_none(seen.channel_sums, sums)
        if seen is not None:
            counts += _rebinned(seen, e, k0)
        self._tensors[name] = TensorProfile(name, lo, hi, counts, sums)

    def profile(self) -> Profile:
        return Profile(
            self.graph_hash,
            self.fp16_hash,
            self.keep_original_precision_for_nodes,
            self.num_histogram_bins,
            dict(self._tensors),
        )


def merge_profiles(profiles: Sequence[Profile]) -> Profile:
    """One profile of all the calibration shards `profiles` were made from."""
    if not profiles:
        raise ValueError("merge_profiles needs at least one profile")
    first = profiles[0]
    tensors = dict(first.tensors)
    for other in profiles[1:]:
        _check_mergeable(first, other)
        for name, t in other.tensors.items():
            seen = tensors.get(name)
            tensors[name] = t if seen is None else merge_tensor_profiles(seen, t)
    return Profile(
        first.graph_hash,
        first.fp16_hash,
        first.keep_original_precision_for_nodes,
        first.num_histogram_bins,
        tensors,
    )


def _check_mergeable(a: Profile, b: Profile) -> None:
    differs = (
        ("GraphHash", a.graph_hash, b.graph_hash, "profiles of different models"),
        (
            "FP16NodeInstanceNamesHash",
            a.fp16_hash,
            b.fp16_hash,
            "profiles made with different -node-precision-info sets",
        ),
        ("NumHistogramBins", a.num_histogram_bins, b.num_histogram_bins, "different bin counts"),
    )
    for key, x, y, why in differs:
        if x != y:
            raise UserError(
                f"cannot merge {a.source} and {b.source}: {key} differs ({x} vs {y}): {why}"
            )
    if a.has_channel_sums != b.has_channel_sums:
        raise UserError(
            f"cannot merge {a.source} and {b.source}: only one records ChannelSums; dump both "
            "with or both without -quantization-bias-correction"
        )
    if a.keep_original_precision_for_nodes != b.keep_original_precision_for_nodes:
        warn(
            f"{b.source}: KeepOriginalPrecisionForNodes differs from {a.source}; "
            f"the merged profile records {a.source}'s"
        )


def profile_text(profile: Profile) -> str:
    """The profile file's text: same profile, same bytes."""
    version = CHANNEL_SUMS_FORMAT_VERSION if profile.has_channel_sums else FORMAT_VERSION
    document = {
        "FormatVersion": version,
        "GraphHash": profile.graph_hash,
        "FP16NodeInstanceNamesHash": profile.fp16_hash,
        "KeepOriginalPrecisionForNodes": list(profile.keep_original_precision_for_nodes),
        "NumHistogramBins": profile.num_histogram_bins,
        "Tensors": [_tensor_document(t) for t in profile.tensors.values()],
    }
    # PyYAML writes floats with repr (plus ".0" where YAML 1.1 needs it), which round-trips.
    # libyaml's emitter writes the same bytes as PyYAML's, about 40x faster.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(
        document,
        Dumper=dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1 << 30,
    )


def _tensor_document(t: TensorProfile) -> dict[str, object]:
    document: dict[str, object] = {
        "NodeOutputName": t.name,
        "Min": float(t.min),
        "Max": float(t.max),
        "Histogram": " ".join(map(str, t.histogram.tolist())),
    }
    if t.channel_sums is not None:
        document["ChannelSums"] = " ".join(map(str, t.channel_sums.numerators))
        document["ChannelSumExponent"] = t.channel_sums.exponent
    return document


def write_profile(profile: Profile, path: Path) -> None:
    write_atomically(path, profile_text(profile))


def read_profile(path: Path) -> Profile:
    """Read a profile file; every mistake is a one-line `UserError` naming the line."""
    doc = YamlFile(path)
    if doc.root is None:
        raise UserError(f"{path}: empty file; expected a quantization profile")
    header = doc.mapping(doc.root, "the profile")
    for key, (key_node, _) in header.items():
        if key not in _HEADER_KEYS:
            raise doc.error(key_node, f"unknown key '{key}' in the profile header")
    missing = [k for k in _HEADER_KEYS if k not in header]
    if missing:
        raise doc.error(doc.root, f"the profile header lacks {', '.join(missing)}")
    version = _scalar(doc, header["FormatVersion"][1], int, "FormatVersion")
    if version not in (FORMAT_VERSION, CHANNEL_SUMS_FORMAT_VERSION):
        raise doc.error(
            header["FormatVersion"][1],
            f"FormatVersion {version} is not supported (this aicc reads "
            f"{FORMAT_VERSION} and {CHANNEL_SUMS_FORMAT_VERSION})",
        )
    bins = _scalar(doc, header["NumHistogramBins"][1], int, "NumHistogramBins")
    if bins < MIN_NUM_HISTOGRAM_BINS:
        raise doc.error(
            header["NumHistogramBins"][1],
            f"NumHistogramBins must be at least {MIN_NUM_HISTOGRAM_BINS}",
        )
    tensors: dict[str, TensorProfile] = {}
    for node in _sequence(doc, header["Tensors"][1], "Tensors"):
        t = _tensor(doc, node, bins, version == CHANNEL_SUMS_FORMAT_VERSION)
        if t.name in tensors:
            raise doc.error(node, f"NodeOutputName '{t.name}' appears twice")
        tensors[t.name] = t
    keep = _sequence(
        doc, header["KeepOriginalPrecisionForNodes"][1], "KeepOriginalPrecisionForNodes"
    )
    return Profile(
        _scalar(doc, header["GraphHash"][1], str, "GraphHash"),
        _scalar(doc, header["FP16NodeInstanceNamesHash"][1], str, "FP16NodeInstanceNamesHash"),
        tuple(_scalar(doc, k, str, "KeepOriginalPrecisionForNodes item") for k in keep),
        bins,
        tensors,
        str(path),
    )


def _sequence(doc: YamlFile, node: yaml.Node, what: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise doc.error(node, f"{what} must be a list, not {describe_node(node)}")
    return node.value


def _scalar(doc: YamlFile, node: yaml.Node, kind: type[T], what: str) -> T:
    value = doc.value(node) if isinstance(node, yaml.ScalarNode) else None
    # A str must be written as one: `GraphHash: 0123` is YAML's integer 83, not the hash.
    if (
        (kind is str and node.tag != STR_TAG)
        or not isinstance(value, kind)
        or isinstance(value, bool)
    ):
        raise doc.error(node, f"{what} must be a {kind.__name__}, not {describe_node(node)}")
    return value


def _tensor(doc: YamlFile, node: yaml.Node, bins: int, sums_allowed: bool) -> TensorProfile:
    entries = doc.mapping(node, "a Tensors entry")
    with_sums = sums_allowed and any(key in entries for key in _SUM_KEYS)
    keys = _TENSOR_KEYS + _SUM_KEYS if with_sums else _TENSOR_KEYS
    wrong = set(entries) ^ set(keys)
    if wrong:
        raise doc.error(
            node,
            f"a Tensors entry needs exactly the keys {', '.join(keys)}; "
            f"check {', '.join(sorted(wrong))}",
        )
    name = _scalar(doc, entries["NodeOutputName"][1], str, "NodeOutputName")
    lo = _bound(doc, entries["Min"][1], "Min")
    hi = _bound(doc, entries["Max"][1], "Max")
    if not lo <= hi:
        raise doc.error(node, f"'{name}': Min {lo!r} is above Max {hi!r}")
    counts_node = entries["Histogram"][1]
    text = _scalar(doc, counts_node, str, "Histogram")
    if not _COUNTS.fullmatch(text):
        raise doc.error(
            counts_node, f"'{name}': Histogram must be counts separated by single spaces"
        )
    histogram = np.array(text.split(" "), dtype=np.int64)
    if len(histogram) != bins:
        raise doc.error(
            counts_node,
            f"'{name}': Histogram has {len(histogram)} counts, NumHistogramBins is {bins}",
        )
    # Min and Max were seen, so their bins hold counts and no bin lies past Max's.
    e, k0 = bin_grid(lo, hi, bins)
    last = int(grid_index(np.array([hi]), e)[0]) - k0
    if histogram[0] == 0 or histogram[last] == 0 or histogram[last + 1 :].any():
        raise doc.error(counts_node, f"'{name}': Histogram does not match Min and Max")
    sums = _channel_sums(doc, entries, name, int(histogram.sum())) if with_sums else None
    return TensorProfile(name, lo, hi, histogram, sums)


def _channel_sums(
    doc: YamlFile, entries: dict[str, tuple[yaml.Node, yaml.Node]], name: str, count: int
) -> ChannelSums:
    sums_node = entries["ChannelSums"][1]
    text = _scalar(doc, sums_node, str, "ChannelSums")
    if not _SUMS.fullmatch(text):
        raise doc.error(
            sums_node, f"'{name}': ChannelSums must be integers separated by single spaces"
        )
    numerators = [int(n) for n in text.split(" ")]
    if count % len(numerators):
        raise doc.error(
            sums_node,
            f"'{name}': ChannelSums has {len(numerators)} channels, which do not divide "
            f"the {count} values of its Histogram",
        )
    exponent = _scalar(doc, entries["ChannelSumExponent"][1], int, "ChannelSumExponent")
    sums = ChannelSums.make(exponent, numerators)
    if sums != ChannelSums(exponent, tuple(numerators)):
        raise doc.error(sums_node, f"'{name}': ChannelSums is not in lowest terms")
    return sums


def _bound(doc: YamlFile, node: yaml.Node, what: str) -> float:
    value = doc.value(node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise doc.error(node, f"{what} must be a finite number, not {describe_node(node)}")
    return float(value)
