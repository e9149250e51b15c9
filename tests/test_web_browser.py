"""The playground page in real headless Chromium (Debian's chromium + chromium-driver, driven by selenium)."""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import require_browser
from werkzeug.serving import make_server

from normalizer.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(autouse=True, scope="module")
def browser_installed() -> None:
    require_browser([CHROMIUM, CHROMEDRIVER])


webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.actions import interaction  # noqa: E402
from selenium.webdriver.common.actions.action_builder import ActionBuilder  # noqa: E402
from selenium.webdriver.common.actions.pointer_input import PointerInput  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1100")


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture(scope="module")
def base_url(app) -> Iterator[str]:
    """The app on a free loopback port, in a thread, for as long as the module runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(str(CHROMEDRIVER)))
        driver.set_page_load_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


def _run(browser, base_url: str, text: str, profile: str = "default") -> None:
    """Open the page, paste ``text``, pick ``profile``, press the button and wait for the answer."""
    browser.get(base_url + "/")
    wait = WebDriverWait(browser, 20)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#profile option[value='{profile}']"))
    browser.execute_script("document.getElementById('profile').value = arguments[0];"
                           "document.getElementById('source').value = arguments[1];", profile, text)
    browser.find_element(By.ID, "normalize").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text in ("done",) or "error" in
               d.find_element(By.ID, "status").get_attribute("class"))
    assert browser.find_element(By.ID, "status").text == "done"


def _marks(browser) -> list[dict]:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('#output mark.edit'), m => ({text: m.textContent, "
        "original: m.dataset.original, rule: m.dataset.rule, category: m.dataset.category}));")


def _open_tip(browser) -> str:
    """The text of the tooltip, once it is open (an empty string if it never opens)."""
    WebDriverWait(browser, 5).until(lambda d: d.execute_script("return !document.getElementById('tip').hidden;"))
    return browser.find_element(By.ID, "tip").get_property("textContent")


def _tip_is_open(browser) -> bool:
    return browser.execute_script("return !document.getElementById('tip').hidden;")


def _output_text(browser) -> str:
    return browser.find_element(By.ID, "output").get_property("textContent")


def test_the_seed_article_shows_every_change_highlighted(browser, base_url, app, corpus):
    article = (corpus / "seed-article.txt").read_text(encoding="utf-8")
    expected = app.test_client().post("/v1/normalize", json={"text": article}).json
    _run(browser, base_url, article)

    marks = _marks(browser)
    changes = {(m["original"], m["text"]) for m in marks}
    assert ("CTAK", "KCNA") in changes
    assert ("Central Telegraph Agency of Korea", "Korean Central News Agency") in changes
    assert ("КНДР", "DPRK") in changes
    assert ("Kim Jong-un", "Kim Jong Un") in changes
    assert ("LNR", "LPR") in changes
    assert len(marks) == len(expected["edits"])
    assert [(m["rule"], m["category"]) for m in marks] == [(e["rule"], e["category"]) for e in expected["edits"]]
    assert _output_text(browser) == expected["text"]
    warnings = browser.find_elements(By.CSS_SELECTOR, "#warnings li code:first-child")
    assert [w.text for w in warnings] == [w["code"] for w in expected["warnings"]]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#changes li")) == len(expected["edits"])

    kcna = next(m for m in browser.find_elements(By.CSS_SELECTOR, "#output mark.edit") if m.text == "KCNA")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", kcna)
    ActionChains(browser).move_to_element(kcna).perform()
    tip = _open_tip(browser)
    assert "CTAK" in tip and "gazetteer." in tip and "translation" in tip

    ARTIFACTS.mkdir(exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0);")
    ActionChains(browser).move_to_element(kcna).perform()
    assert browser.save_screenshot(str(ARTIFACTS / "playground-seed-article.png"))
    _save_full_page(browser, ARTIFACTS / "playground-seed-article-full.png")


def _save_full_page(browser, path: Path) -> None:
    """A screenshot of the whole page (the window grown to the page's height, then put back)."""
    size = browser.get_window_size()
    height = browser.execute_script("return document.documentElement.scrollHeight;")
    browser.set_window_size(size["width"], min(height + 120, 8000))
    try:
        assert browser.save_screenshot(str(path))
    finally:
        browser.set_window_size(size["width"], size["height"])


@pytest.mark.parametrize(("text", "before", "mark", "original"), [
    ("😀🇰🇵 from КНДР.", "😀🇰🇵 from ", "DPRK", "КНДР"),
    ("𝐀 sappers from КНДР", "𝐀 sappers from ", "DPRK", "КНДР"),
])
def test_highlights_land_on_code_points_after_astral_characters(browser, base_url, text, before, mark, original):
    _run(browser, base_url, text)
    first = browser.execute_script(
        "const m = document.querySelector('#output mark.edit');"
        "return [m.previousSibling ? m.previousSibling.textContent : '', m.textContent, m.dataset.original];")
    assert first == [before, mark, original]


def test_the_profile_picker_changes_the_output(browser, base_url):
    _run(browser, base_url, "the «victory» in Kiev", profile="ascii")
    assert _output_text(browser) == 'the "victory" in Kyiv'
    assert {m["category"] for m in _marks(browser)} >= {"translation", "punctuation"}


def test_an_api_error_is_shown_not_swallowed(browser, base_url):
    browser.get(base_url + "/")
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#profile option"))
    browser.execute_script("const s = document.getElementById('profile');"
                           "s.append(new Option('nonexistent', 'nonexistent')); s.value = 'nonexistent';")
    browser.find_element(By.ID, "normalize").click()
    WebDriverWait(browser, 20).until(lambda d: "error" in d.find_element(By.ID, "status").get_attribute("class"))
    assert "unknown-profile" in browser.find_element(By.ID, "status").text


def test_the_page_loads_nothing_from_outside(browser, base_url):
    browser.get(base_url + "/")
    WebDriverWait(browser, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#profile option"))
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name);")
    assert urls and all(u.startswith(base_url) for u in urls), json.dumps(urls)


def test_the_change_list_shows_the_whole_rule_chain_and_the_original_characters(browser, base_url):
    _run(browser, base_url, "«It is a safe one», — stated the leader in Кiev")  # a Cyrillic К inside Kiev
    items = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#changes li")]
    kyiv = next(i for i in items if "Kyiv" in i)
    assert "script.homoglyph.to-latin → gazetteer.place.kyiv" in kyiv
    assert "Кiev" in kyiv and "К U+041A" in kyiv
    assert any("punct.attribution" in i for i in items), items


def _hover_last_mark_at_the_right_edge(browser):
    browser.execute_script("document.getElementById('output').style.textAlign = 'right';")
    mark = browser.find_elements(By.CSS_SELECTOR, "#output mark.edit")[-1]
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", mark)
    ActionChains(browser).move_to_element(mark).perform()
    return mark


def test_a_tooltip_near_the_right_edge_stays_on_screen_with_no_horizontal_scrollbar(browser, base_url):
    _run(browser, base_url, "The Central Telegraph Agency of Korea (CTAK) said so in Кiev")
    _hover_last_mark_at_the_right_edge(browser)
    assert "gazetteer.place.kyiv" in _open_tip(browser)
    right, width, scroll = browser.execute_script(
        "return [document.getElementById('tip').getBoundingClientRect().right,"
        " document.documentElement.clientWidth, document.documentElement.scrollWidth];")
    assert right <= width and scroll <= width


def test_a_tooltip_opens_on_keyboard_focus_and_closes_on_escape(browser, base_url):
    _run(browser, base_url, "sappers from КНДР")
    ActionChains(browser).send_keys(Keys.TAB).perform()  # from the button to the first change
    focused = browser.execute_script("return document.activeElement.matches('#output mark.edit');")
    assert focused
    assert "КНДР" in _open_tip(browser)
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    assert not _tip_is_open(browser)


def test_a_tooltip_opens_on_a_tap_and_closes_on_another(browser, base_url):
    _run(browser, base_url, "sappers from КНДР")
    mark = browser.find_element(By.CSS_SELECTOR, "#output mark.edit")
    tap = ActionBuilder(browser, mouse=PointerInput(interaction.POINTER_TOUCH, "finger"))
    tap.pointer_action.move_to(mark).click()
    tap.perform()
    assert "gazetteer.acronym" in _open_tip(browser)
    tap.perform()
    WebDriverWait(browser, 5).until(lambda d: not _tip_is_open(d))


def test_punctuation_marks_are_wide_enough_to_hit(browser, base_url):
    _run(browser, base_url, "ＤＰＲＫ，２０２４ and a\u00a0b")  # a fullwidth comma and a no-break space
    widths = browser.execute_script(
        "const size = parseFloat(getComputedStyle(document.getElementById('output')).fontSize);"
        "return Array.from(document.querySelectorAll('#output mark.edit.short'),"
        " m => m.getBoundingClientRect().width / size);")
    assert len(widths) >= 2 and min(widths) >= 1.0, widths


def test_the_page_has_a_favicon_that_loads(browser, base_url):
    browser.get(base_url + "/")
    href = browser.find_element(By.CSS_SELECTOR, "link[rel='icon']").get_property("href")
    status = browser.execute_async_script(
        "fetch(arguments[0]).then(r => arguments[1](r.status), e => arguments[1](String(e)));", href)
    assert status == 200
