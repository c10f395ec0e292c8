"""The demo in a real browser (headless Chromium): log in through the Kakao emulator, stay logged in across
a reload, refresh, log out, never let page JavaScript see a token, and end the session when Kakao signals a
password change."""
import os
import sys
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import ROOT, free_port, start  # noqa: E402

ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    port, emulator_port = free_port(), free_port()
    directory = tmp_path_factory.mktemp("demo")
    process = start(
        ["demo", "--port", str(port), "--emulator-port", str(emulator_port), "--database", str(directory / "demo.sqlite")],
        directory / "demo.log", health_url=f"http://127.0.0.1:{port}/healthz")
    yield {"url": f"http://localhost:{port}", "emulator": f"http://localhost:{emulator_port}"}
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,900", "--lang=ko-KR"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def all_cookies(browser):
    """Every cookie the browser holds for the demo, whatever its Path (WebDriver's own call shows only the
    cookies of the current page's path)."""
    return {cookie["name"]: cookie for cookie in browser.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]}


def wait_for(browser, element_id):
    return WebDriverWait(browser, 15).until(EC.visibility_of_element_located((By.ID, element_id)))


def log_in_through_the_emulator(browser, demo, nickname):
    wait_for(browser, "login").click()
    WebDriverWait(browser, 15).until(EC.url_contains(demo["emulator"] + "/oauth/authorize"))
    assert "카카오 로그인" in browser.page_source
    field = wait_for(browser, "nickname")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "emulator-consent.png"))
    field.clear()
    field.send_keys(nickname)
    browser.find_element(By.ID, "kakao_id").clear()
    browser.find_element(By.ID, "approve").click()
    wait_for(browser, "signed-in")


def test_login_reload_refresh_logout(demo, browser):
    browser.get(demo["url"] + "/")
    log_in_through_the_emulator(browser, demo, "브라우저 테스터")
    assert browser.current_url == demo["url"] + "/", "the code was removed from the address bar"
    assert browser.find_element(By.ID, "nickname").text == "브라우저 테스터"
    assert "registered" in browser.find_element(By.ID, "status").text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "demo-logged-in.png"))

    # The tokens live in HttpOnly cookies: the browser holds them, page JavaScript cannot read them.
    cookies = all_cookies(browser)
    assert cookies["access_token"]["httpOnly"] and cookies["refresh_token"]["httpOnly"]
    assert browser.execute_script("return document.cookie") == ""
    assert browser.find_element(By.ID, "document-cookie").text == '""'

    browser.refresh()
    wait_for(browser, "signed-in")
    assert browser.find_element(By.ID, "nickname").text == "브라우저 테스터"

    old_refresh = cookies["refresh_token"]["value"]
    browser.find_element(By.ID, "refresh").click()
    WebDriverWait(browser, 15).until(EC.text_to_be_present_in_element((By.ID, "status"), "rotated"))
    assert all_cookies(browser)["refresh_token"]["value"] != old_refresh
    assert browser.execute_script("return document.cookie") == ""

    browser.find_element(By.ID, "logout").click()
    wait_for(browser, "signed-out")
    assert set(all_cookies(browser)).isdisjoint({"access_token", "refresh_token"})
    browser.refresh()
    wait_for(browser, "signed-out")


def test_cancelled_consent_leaves_the_user_signed_out(demo, browser):
    browser.get(demo["url"] + "/")
    wait_for(browser, "login").click()
    WebDriverWait(browser, 15).until(EC.url_contains("/oauth/authorize"))
    wait_for(browser, "cancel").click()
    WebDriverWait(browser, 15).until(EC.text_to_be_present_in_element((By.ID, "status"), "access_denied"))
    assert browser.find_element(By.ID, "signed-out").is_displayed()


def test_server_side_flow_logs_in_and_returns(demo, browser):
    browser.get(demo["url"] + "/auth/kakao/login?return_to=/")
    WebDriverWait(browser, 15).until(EC.url_contains("/oauth/authorize"))
    wait_for(browser, "approve").click()
    wait_for(browser, "signed-in")
    assert browser.current_url == demo["url"] + "/"
    assert browser.find_element(By.ID, "nickname").text == "라이언"
    browser.find_element(By.ID, "logout-all").click()
    wait_for(browser, "signed-out")


def test_the_app_button_logs_in_with_an_id_token_and_a_nonce(demo, browser):
    browser.get(demo["url"] + "/")
    wait_for(browser, "sdk-login").click()
    wait_for(browser, "signed-in")
    assert browser.find_element(By.ID, "nickname").text == "앱 사용자"
    assert browser.find_element(By.ID, "kakao-id").text == "1000000001"
    assert "id_token" in browser.find_element(By.ID, "status").text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "demo-app-login.png"))
    # As after a code login: HttpOnly cookies the page cannot read, and a session that refreshes.
    assert all_cookies(browser)["refresh_token"]["httpOnly"]
    assert browser.execute_script("return document.cookie") == ""
    browser.find_element(By.ID, "refresh").click()
    WebDriverWait(browser, 15).until(EC.text_to_be_present_in_element((By.ID, "status"), "rotated"))
    browser.find_element(By.ID, "logout").click()
    wait_for(browser, "signed-out")


def test_the_kakao_password_button_plays_the_account_status_webhook_and_the_session_ends(demo, browser):
    browser.get(demo["url"] + "/")
    log_in_through_the_emulator(browser, demo, "비밀번호 변경")
    browser.find_element(By.ID, "password-changed").click()
    WebDriverWait(browser, 15).until(EC.text_to_be_present_in_element((By.ID, "status"), "this session ended"))
    assert browser.find_element(By.ID, "signed-out").is_displayed()
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "demo-kakao-password-changed.png"))
    # Not only the page: the session is gone, so a reload finds no one signed in.
    browser.refresh()
    wait_for(browser, "signed-out")
