"""Debian's Chromium, headless, driven by Selenium through chromedriver: one browser per use."""

from __future__ import annotations

import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.support.components import require_executable

# Without the background-networking flags Chromium keeps calling home, and a closed network
# refuses it; --no-sandbox because tests may run as root.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--password-store=basic",
)


def start_chromium(
    profile: Path | None = None, width: int = 1280, height: int = 900
) -> webdriver.Chrome:
    """A headless Chromium with a fresh profile, `width` by `height` CSS pixels."""
    chromium = require_executable("chromium")
    chromedriver = require_executable("chromedriver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    user_data = profile or Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    options.add_argument(f"--user-data-dir={user_data}")
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(30)
    return driver
