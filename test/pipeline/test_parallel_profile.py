"""`-dump-profile` over shards: the same bytes in process, in worker processes and on Ray."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
import pytest
import ray

from aicc.api import CompileConfig, QuantizationConfig, dump_profile
from aicc.base.errors import UserError
from aicc.base.parallel import parse_parallel
from aicc.frontend.models import tiny_cnn

INPUTS = 20


@pytest.fixture(scope="module")
def calibration(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """tiny_cnn, an input list of INPUTS seeded inputs, and an FP16 node set."""
    directory = tmp_path_factory.mktemp("calibration")
    model = directory / "tiny_cnn.onnx"
    onnx.save(tiny_cnn(), model)
    rng = np.random.default_rng(5)
    names = []
    for index in range(INPUTS):
        path = directory / f"x{index}.npy"
        np.save(path, rng.standard_normal((1, 3, 32, 32)).astype(np.float32))
        names.append(path.name)
    listing = directory / "calib.txt"
    listing.write_text("\n".join(names) + "\n")
    info = directory / "fp16.yaml"
    info.write_text("FP16NodeInstanceNames: [conv1, relu1]\n")
    return model, listing, info


def profile_bytes(calibration: tuple[Path, Path, Path], parallel: str | None, out: Path) -> bytes:
    model, listing, info = calibration
    config = CompileConfig(
        model,
        QuantizationConfig(node_precision_info=info),
        input_list=listing,
        parallel=None if parallel is None else parse_parallel(parallel),
    )
    dump_profile(config, out)
    return out.read_bytes()


def test_processes_write_the_in_process_bytes(
    calibration: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(calibration[1].parent)  # the list names its files relative to here
    alone = profile_bytes(calibration, None, tmp_path / "alone.yaml")
    sharded = profile_bytes(calibration, "processes:2", tmp_path / "sharded.yaml")
    assert b"FP16NodeInstanceNamesHash" in alone
    assert sharded == alone


def broken_list(listing: Path, directory: Path) -> Path:
    """The list with absolute paths and line 14's input missing: shard 5 of 7 (lines 13-15)."""
    lines = [str(listing.parent / line) for line in listing.read_text().splitlines()]
    lines[13] = str(directory / "missing.npy")
    broken = directory / "broken.txt"
    broken.write_text("\n".join(lines) + "\n")
    return broken


@pytest.mark.parametrize("parallel", ["processes:2", "ray"])
def test_an_unreadable_input_names_its_shard_and_leaves_no_profile(
    calibration: tuple[Path, Path, Path],
    tmp_path: Path,
    parallel: str,
    request: pytest.FixtureRequest,
) -> None:
    if parallel == "ray":
        request.getfixturevalue("local_ray")
    listing = broken_list(calibration[1], tmp_path)
    output = tmp_path / "pgq.yaml"
    config = CompileConfig(calibration[0], input_list=listing, parallel=parse_parallel(parallel))
    with pytest.raises(UserError) as caught:
        dump_profile(config, output)
    assert str(caught.value) == (
        f"shard 5 of 7 ({listing}:13-15): {listing}:14: "
        f"{tmp_path / 'missing.npy'}: cannot read: No such file or directory"
    )
    assert not output.exists()


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    try:
        yield
    finally:
        ray.shutdown()


def test_ray_writes_the_in_process_bytes(
    local_ray: None,
    calibration: tuple[Path, Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(calibration[1].parent)
    alone = profile_bytes(calibration, None, tmp_path / "alone.yaml")
    assert profile_bytes(calibration, "ray", tmp_path / "ray.yaml") == alone
