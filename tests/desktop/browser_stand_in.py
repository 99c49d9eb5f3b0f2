"""What `BROWSER` runs in the desktop tests: drive headless Chromium through the sign-in page.

Run by Python's `webbrowser` as `python browser_stand_in.py URL`. `STAND_IN_LOG` names a file
to which each URL opened is appended; with `STAND_IN_USERNAME` and `STAND_IN_PASSWORD` set,
it opens the URL in Chromium, signs in and waits for the app's "you can close this tab" page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.chromium import start_chromium


def sign_in(url: str, username: str, password: str) -> None:
    driver = start_chromium()
    try:
        driver.get(url)
        driver.find_element(By.ID, "username").send_keys(username)
        driver.find_element(By.ID, "password").send_keys(password)
        driver.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click()
        WebDriverWait(driver, 30).until(lambda page: "close this tab" in page.page_source)
    finally:
        driver.quit()


def main(url: str) -> int:
    log = os.environ.get("STAND_IN_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(url + "\n")
    username, password = os.environ.get("STAND_IN_USERNAME"), os.environ.get("STAND_IN_PASSWORD")
    if username and password:
        sign_in(url, username, password)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
