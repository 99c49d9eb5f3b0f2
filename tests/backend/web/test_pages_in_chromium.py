"""The sign-in pages in a real browser: headless Chromium driven by Selenium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.api import PASSWORD, Api, unique_name
from tests.support.oauth_flow import Authorization, LoopbackReceiver


@pytest.fixture
def browser(chromium: webdriver.Chrome) -> webdriver.Chrome:
    """The session's Chromium with no cookies left from another test."""
    chromium.delete_all_cookies()
    chromium.get("about:blank")
    return chromium


@pytest.fixture
def receiver() -> Iterator[LoopbackReceiver]:
    received = LoopbackReceiver()
    yield received
    received.close()


def fill(browser: webdriver.Chrome, username: str, password: str) -> None:
    name = browser.find_element(By.ID, "username")
    name.clear()
    name.send_keys(username)
    browser.find_element(By.ID, "password").send_keys(password)


def press(browser: webdriver.Chrome, label: str) -> None:
    """Click a form's button and wait until the browser shows the next page: the mark put on
    this page is gone. (Chromium may say an element of a page it left is not in the
    document rather than stale, so waiting for staleness breaks on some versions.)"""
    browser.execute_script("document.documentElement.dataset.pressed = 'yes'")
    browser.find_element(By.XPATH, f"//button[normalize-space()='{label}']").click()
    WebDriverWait(browser, 20, ignored_exceptions=(WebDriverException,)).until(
        lambda driver: (
            driver.execute_script("return document.documentElement.dataset.pressed") is None
        )
    )


def wait_for_text(browser: webdriver.Chrome, text: str) -> None:
    WebDriverWait(browser, 20).until(
        lambda driver: text in driver.find_element(By.TAG_NAME, "body").text
    )


def redeemed(api: Api, authorization: Authorization, query: dict[str, str]) -> str:
    """The username of the session the code in `query` starts."""
    assert query["state"] == authorization.state
    assert query["iss"] == api.base_url
    response = api.form("/oauth/token", authorization.token_fields(query["code"]))
    assert response.status_code == 200, response.text
    username: str = api.get("/account", response.json()["access_token"]).json()["username"]
    return username


def test_signing_in_lands_on_the_app_with_a_code(
    browser: webdriver.Chrome, api: Api, receiver: LoopbackReceiver
) -> None:
    username = api.sign_up()
    authorization = Authorization(receiver.redirect_uri)
    browser.get(authorization.url(api.base_url))
    assert browser.title == "Sign in · jwt-refresh-demo"
    assert "jwt-refresh-demo desktop app" in browser.page_source
    assert browser.switch_to.active_element.get_attribute("id") == "username"
    fill(browser, username, PASSWORD)
    press(browser, "Sign in")
    query = receiver.wait()
    wait_for_text(browser, "Signed in.")
    assert redeemed(api, authorization, query) == username


def test_sign_up_from_the_link_comes_back_to_the_same_sign_in(
    browser: webdriver.Chrome, api: Api, receiver: LoopbackReceiver
) -> None:
    authorization = Authorization(receiver.redirect_uri)
    browser.get(authorization.url(api.base_url))
    browser.find_element(By.LINK_TEXT, "Create an account").click()
    wait_for_text(browser, "Create an account")
    username = unique_name("page")
    fill(browser, username, "password")
    press(browser, "Create account")
    wait_for_text(browser, "too weak")
    fill(browser, username, PASSWORD)
    press(browser, "Create account")
    wait_for_text(browser, "is ready")
    assert browser.find_element(By.ID, "username").get_attribute("value") == username
    assert browser.switch_to.active_element.get_attribute("id") == "password"
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    press(browser, "Sign in")
    assert redeemed(api, authorization, receiver.wait()) == username


def test_a_wrong_password_is_said_in_words_and_the_page_stays(
    browser: webdriver.Chrome, api: Api, receiver: LoopbackReceiver
) -> None:
    username = api.sign_up()
    authorization = Authorization(receiver.redirect_uri)
    browser.get(authorization.url(api.base_url))
    fill(browser, username, "not the password at all")
    press(browser, "Sign in")
    wait_for_text(browser, "The username or password is wrong.")
    assert "not the password at all" not in browser.page_source
    assert browser.find_element(By.ID, "password").get_attribute("value") == ""
    assert browser.find_element(By.ID, "username").get_attribute("value") == username
    fill(browser, username, PASSWORD)
    press(browser, "Sign in")
    assert redeemed(api, authorization, receiver.wait()) == username


def test_repeated_failures_are_held_back_on_the_page(
    browser: webdriver.Chrome, api: Api, receiver: LoopbackReceiver
) -> None:
    """Five failures are free; after them each wait doubles from 1 s, so a slow machine's
    next attempt may still come after the wait: the page holds back within a few more."""
    username = api.sign_up()
    browser.get(Authorization(receiver.redirect_uri).url(api.base_url))
    for attempt in range(5):
        fill(browser, username, f"wrong guess {attempt}")
        press(browser, "Sign in")
        wait_for_text(browser, "The username or password is wrong.")
    for attempt in range(5, 10):
        fill(browser, username, f"wrong guess {attempt}")
        press(browser, "Sign in")
        WebDriverWait(browser, 20).until(
            lambda driver: "wrong" in body_text(driver) or held(driver)
        )
        if held(browser):
            break
    assert held(browser)
    assert not receiver.arrived.is_set()


def body_text(browser: webdriver.Chrome) -> str:
    return str(browser.find_element(By.TAG_NAME, "body").text)


def held(browser: webdriver.Chrome) -> bool:
    return "Too many failed sign-ins" in body_text(browser)


def test_cancel_goes_back_to_the_app_saying_so(
    browser: webdriver.Chrome, api: Api, receiver: LoopbackReceiver
) -> None:
    authorization = Authorization(receiver.redirect_uri)
    browser.get(authorization.url(api.base_url))
    press(browser, "Cancel")
    query = receiver.wait()
    assert query["error"] == "access_denied"
    assert query["state"] == authorization.state


def test_a_form_without_its_anti_forgery_field_is_refused(
    browser: webdriver.Chrome, api: Api, receiver: LoopbackReceiver
) -> None:
    username = api.sign_up()
    browser.get(Authorization(receiver.redirect_uri).url(api.base_url))
    browser.execute_script("document.querySelector('input[name=form_token]').remove()")
    fill(browser, username, PASSWORD)
    press(browser, "Sign in")
    wait_for_text(browser, "anti-forgery field")
    assert browser.title == "Cannot sign in · jwt-refresh-demo"
    assert not receiver.arrived.is_set()


def framing_site(framed: str, control: str) -> LoopbackReceiver:
    """Another origin (its own port) whose page frames the sign-in page and, as a control,
    a page of the server that may be framed."""
    page = (
        f'<!doctype html><iframe id="framed" src="{framed}"></iframe>'
        f'<iframe id="control" src="{control}"></iframe>'
    )
    return LoopbackReceiver("/", page.encode())


def test_a_page_framed_by_another_origin_is_refused(
    browser: webdriver.Chrome, api: Api, receiver: LoopbackReceiver
) -> None:
    site = framing_site(
        Authorization(receiver.redirect_uri).url(api.base_url),
        f"{api.base_url}/.well-known/jwks.json",
    )
    try:
        browser.get(site.redirect_uri)
        browser.switch_to.frame("control")
        WebDriverWait(browser, 20).until(lambda driver: '"keys"' in driver.page_source)
        browser.switch_to.default_content()
        browser.switch_to.frame("framed")
        assert browser.find_elements(By.ID, "password") == []
        assert "Sign in" not in browser.page_source
    finally:
        browser.switch_to.default_content()
        site.close()
