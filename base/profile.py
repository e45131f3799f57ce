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
_COUNTS = re.compile(r"[0-9]{1,18}(?: [0-9]{1,18})*")
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


@dataclass(frozen=True, eq=False)
class TensorProfile:
    """Min, max and grid histogram (int64 counts, see the module doc) of one tensor."""

    name: str
    min: float
    max: float
    histogram: np.ndarray

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TensorProfile):
            return NotImplemented
        return (
            (self.name, self.min, self.max) == (other.name, other.min, other.max)
            and self.histogram.dtype == other.histogram.dtype
            and np.array_equal(self.histogram, other.histogram)
        )

    __hash__ = None  # type: ignore[assignment]

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
    return TensorProfile(a.name, lo, hi, _rebinned(a, e, k0) + _rebinned(b, e, k0))


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


class Profiler:
    """Builds a `Profile`; `observe` is the reference interpreter's `observer` callback."""

    def __init__(
        self,
        graph_hash: str,
        fp16_hash: str,
        keep_original_precision_for_nodes: Sequence[str] = (),
        num_histogram_bins: int = DEFAULT_NUM_HISTOGRAM_BINS,
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
        if seen is not None:
            counts += _rebinned(seen, e, k0)
        self._tensors[name] = TensorProfile(name, lo, hi, counts)

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
    if a.keep_original_precision_for_nodes != b.keep_original_precision_for_nodes:
        warn(
            f"{b.source}: KeepOriginalPrecisionForNodes differs from {a.source}; "
            f"the merged profile records {a.source}'s"
        )


def profile_text(profile: Profile) -> str:
    """The profile file's text: same profile, same bytes."""
    document = {
        "FormatVersion": FORMAT_VERSION,
        "GraphHash": profile.graph_hash,
        "FP16NodeInstanceNamesHash": profile.fp16_hash,
        "KeepOriginalPrecisionForNodes": list(profile.keep_original_precision_for_nodes),
        "NumHistogramBins": profile.num_histogram_bins,
        "Tensors": [
            {
                "NodeOutputName": t.name,
                "Min": float(t.min),
                "Max": float(t.max),
                "Histogram": " ".join(map(str, t.histogram.tolist())),
            }
            for t in profile.tensors.values()
        ],
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
    if version != FORMAT_VERSION:
        raise doc.error(
            header["FormatVersion"][1],
            f"FormatVersion {version} is not supported (this aicc reads {FORMAT_VERSION})",
        )
    bins = _scalar(doc, header["NumHistogramBins"][1], int, "NumHistogramBins")
    if bins < MIN_NUM_HISTOGRAM_BINS:
        raise doc.error(
            header["NumHistogramBins"][1],
            f"NumHistogramBins must be at least {MIN_NUM_HISTOGRAM_BINS}",
        )
    tensors: dict[str, TensorProfile] = {}
    for node in _sequence(doc, header["Tensors"][1], "Tensors"):
        t = _tensor(doc, node, bins)
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


def _tensor(doc: YamlFile, node: yaml.Node, bins: int) -> TensorProfile:
    entries = doc.mapping(node, "a Tensors entry")
    wrong = set(entries) ^ set(_TENSOR_KEYS)
    if wrong:
        raise doc.error(
            node,
            f"a Tensors entry needs exactly the keys {', '.join(_TENSOR_KEYS)}; "
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
    return TensorProfile(name, lo, hi, histogram)


def _bound(doc: YamlFile, node: yaml.Node, what: str) -> float:
    value = doc.value(node) if isinstance(node, yaml.ScalarNode) else None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise doc.error(node, f"{what} must be a finite number, not {describe_node(node)}")
    return float(value)
