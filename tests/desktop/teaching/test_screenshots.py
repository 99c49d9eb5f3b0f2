"""The screenshot script drives the real app offscreen and writes images that show something."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.support.components import require_executable

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "assets" / "make_screenshots.py"
EXPECTED = [
    "main-window",
    "inspector",
    "stored",
    "sequence",
    "sequence-browser",
    "theft",
    "timeline",
    "sign-in",
]
PAGES = {"sign-in-page-phone": 390, "sign-in-page-desktop": 1100}
SAMPLE_STEP = 7


def grey_levels(image: QImage) -> list[int]:
    """Grey values of a grid of pixels across the whole image."""
    return [
        image.pixelColor(x, y).lightness()
        for y in range(0, image.height(), SAMPLE_STEP)
        for x in range(0, image.width(), SAMPLE_STEP)
    ]


@pytest.mark.slow
def test_the_script_writes_every_screenshot_and_none_is_blank(qapp, tmp_path: Path) -> None:
    require_executable("chromium")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(path.stem for path in tmp_path.glob("*.png")) == sorted([*EXPECTED, *PAGES])
    for name, width in PAGES.items():
        page = QImage(str(tmp_path / f"{name}.png"))
        assert page.width() == width, name
        assert statistics.pstdev(grey_levels(page)) > 10, name
    for name in EXPECTED:
        image = QImage(str(tmp_path / f"{name}.png"))
        assert not image.isNull(), name
        assert image.width() >= 1000, name
        assert image.height() >= 800, name
        levels = grey_levels(image)
        assert statistics.pstdev(levels) > 15, name
        assert len(set(levels)) > 40, name
