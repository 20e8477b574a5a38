"""Art. 31(10) in a real browser: Debian's headless Chromium, driven by Selenium and Debian's chromedriver.

A reader goes home -> search -> declaration -> public study -> verification statement, with
JavaScript switched off (the pages need none; their Content-Security-Policy forbids it), and
every figure on the way is checked against the registry's JSON. Screenshots of each step are
kept for people to look at. Without /usr/bin/chromium or /usr/bin/chromedriver the test
skips (CI installs both: apt-get install -y chromium chromium-driver).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import httpx
import pytest

from footprint.declaration import format_value

from ._registry_helpers import VERIFIER, corpus, live_server, make_accounts, variant_quantity  # noqa: F401

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Debian's chromium and chromium-driver are not installed: apt-get install -y chromium chromium-driver",
)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1200,1600",
]
SHOT_DIR = Path(os.environ.get("FOOTPRINT_SCREENSHOT_DIR", Path(os.environ["FOOTPRINT_DATA_DIR"]) / "screenshots"))


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={tempfile.mkdtemp(prefix='footprint-chromium-')}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def arrive(driver, test) -> None:
    """Wait until the browser is on the page `test` accepts (a click starts a navigation; it may not have ended)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 60, poll_frequency=0.1).until(lambda d: test(d.current_url) and d.find_elements("tag name", "footer"))


def shot(driver, name: str) -> None:
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(SHOT_DIR / f"registry-{name}.png"))


def test_home_search_declaration_study_statement(browser, corpus, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from footprint.registry.client import RegistryClient
    from footprint.registry.db import make_engine, migrate

    db = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    engine = make_engine(db)
    migrate(engine)
    tokens = make_accounts(engine, corpus)
    engine.dispose()
    lithium = corpus.examples["lithium-carbonate-brine-cl"]
    with live_server(db, workers=2) as server:
        for signed in corpus.examples.values():
            RegistryClient(server.url, tokens[signed.operator]).publish(signed.folder, 2500.0)
        for k, signed in enumerate(corpus.variants[:8]):
            RegistryClient(server.url, tokens[signed.operator]).publish(signed.folder, variant_quantity(k))
        RegistryClient(server.url, tokens[VERIFIER]).attest(corpus.statement)
        record = httpx.get(f"{server.url}/api/v1/declarations/{lithium.declaration_id}").json()
        raw = record["declaration"]

        # Home: the search form works without JavaScript (a GET form).
        browser.get(server.url + "/")
        assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Environmental footprint declarations")
        shot(browser, "1-home")
        Select(browser.find_element(By.ID, "f-material")).select_by_value("lithium-carbonate")
        Select(browser.find_element(By.ID, "f-country")).select_by_value("CL")
        browser.find_element(By.CSS_SELECTOR, "form.search button[type=submit]").click()

        # Search results: the example and the eight test producers' declarations, figures as in the JSON.
        arrive(browser, lambda url: "/declarations?" in url)
        assert "material=lithium-carbonate" in browser.current_url
        shot(browser, "2-search")
        rows = browser.find_elements(By.CSS_SELECTOR, "table[data-role=results] tbody tr[data-declaration-id]")
        assert len(rows) == 9
        search = httpx.get(f"{server.url}/api/v1/declarations", params={"material": "lithium-carbonate", "country": "CL"}).json()
        shown = {row.get_attribute("data-declaration-id"): row for row in rows}
        assert set(shown) == {r["declaration_id"] for r in search["results"]}
        for result in search["results"]:
            figure = shown[result["declaration_id"]].find_element(By.CSS_SELECTOR, "data[data-value]")
            assert float(figure.get_attribute("data-value")) == result["headline_value"]
            assert figure.text == format_value(result["headline_value"])
        shown[lithium.declaration_id].find_element(By.CSS_SELECTOR, "a[data-role=declaration-link]").click()

        # The declaration's permanent page.
        arrive(browser, lambda url: url == f"{server.url}/declarations/{lithium.declaration_id}")
        shot(browser, "3-declaration")
        assert browser.find_element(By.CSS_SELECTOR, "[data-role=declaration-id]").text == raw["declaration_id"]
        assert browser.find_element(By.CSS_SELECTOR, "[data-role=status]").get_attribute("data-status") == "current"
        headline = browser.find_element(By.CSS_SELECTOR, "data[data-role=headline]")
        assert float(headline.get_attribute("data-value")) == raw["footprint"]["categories"][0]["value"]
        assert headline.text == format_value(raw["footprint"]["categories"][0]["value"])
        for category in raw["footprint"]["categories"]:
            cell = browser.find_element(By.CSS_SELECTOR, f'td.num data[data-category="{category["category"]}"]')
            assert float(cell.get_attribute("data-value")) == category["value"]
            assert cell.text == format_value(category["value"])
        for origin in raw["origin"]:
            row = browser.find_element(By.CSS_SELECTOR, f'tr[data-origin-stage="{origin["stage"]}"]')
            assert origin["country_name"] in row.text and origin["region"] in row.text
        assert browser.find_element(By.CSS_SELECTOR, "[data-role=verdict]").text == "reproduced"
        browser.find_element(By.CSS_SELECTOR, "a[data-role=public-study]").click()

        # The public study, as published with the declaration (sandboxed).
        arrive(browser, lambda url: url == f"{server.url}/declarations/{lithium.declaration_id}/study.html")
        shot(browser, "4-public-study")
        assert browser.find_element(By.CSS_SELECTOR, "[data-role=declaration-id]").text == raw["declaration_id"]
        for category in raw["footprint"]["categories"]:
            cell = browser.find_element(By.CSS_SELECTOR, f'td[data-category="{category["category"]}"][data-value]')
            assert float(cell.get_attribute("data-value")) == category["value"]
        browser.back()
        arrive(browser, lambda url: url == f"{server.url}/declarations/{lithium.declaration_id}")

        # The verification statement.
        browser.find_element(By.CSS_SELECTOR, "a[data-role=statement-link]").click()
        arrive(browser, lambda url: url == f"{server.url}{record['attestations'][0]['statement_url']}")
        shot(browser, "5-statement")
        statement = httpx.get(server.url + record["attestations"][0]["statement_json_url"]).json()["statement"]
        assert browser.find_element(By.CSS_SELECTOR, "[data-role=verdict]").get_attribute("data-verdict") == statement["verdict"] == "reproduced"
        assert browser.find_element(By.CSS_SELECTOR, "[data-role=verifier]").text == statement["verifier"]["name"]
        assert browser.find_element(By.CSS_SELECTOR, "[data-role=content-sha256]").text == raw["content_sha256"]
        assert browser.find_element(By.CSS_SELECTOR, "[data-role=checked-categories]").text == ", ".join(statement["checked_categories"])
        outcomes = [cell.get_attribute("data-passed") for cell in browser.find_elements(By.CSS_SELECTOR, "table[data-role=checks] td[data-passed]")]
        assert outcomes == ["true" if check["passed"] else "false" for check in statement["checks"]]
        browser.find_element(By.CSS_SELECTOR, "a[data-role=declaration-link]").click()
        arrive(browser, lambda url: url == f"{server.url}/declarations/{lithium.declaration_id}")

        # A product's magnet records (Art. 28, 29): the list, the data record's page, the recycled-content page.
        from footprint.registry.accounts import add_account
        from footprint.registry.db import write_session
        from footprint.signing import generate_keys

        from ._magnet_helpers import WIND

        _, public, _ = generate_keys(tmp_path / "magnet-keys")
        engine = make_engine(db)
        with write_session(engine) as session:
            maker = add_account(session, role="producer", operator="Nordvind Generators A/S (fictitious)", public_key=public.read_text())[1]
        engine.dispose()
        from typer.testing import CliRunner

        from footprint.cli import app

        assert CliRunner().invoke(app, ["magnets", "declare", str(WIND), "--out", str(tmp_path / "wind")]).exit_code == 0
        published = RegistryClient(server.url, maker).publish_magnets(tmp_path / "wind")
        browser.find_element(By.CSS_SELECTOR, "nav.registry a[href='/magnets']").click()
        arrive(browser, lambda url: url == f"{server.url}/magnets")
        browser.find_element(By.CSS_SELECTOR, "a[data-role=magnet-record-link]").click()
        arrive(browser, lambda url: url == f"{server.url}{published['url']}")
        shot(browser, "6-magnet-record")
        record = published["data_record"]
        masses = [float(e.get_attribute("data-kg")) for e in browser.find_elements(By.CSS_SELECTOR, "[data-kg]")]
        assert masses == [m["mass_kg_total"] for m in record["magnets"]]
        assert browser.find_element(By.CSS_SELECTOR, "[data-role=signature]").get_attribute("data-signed") == "false"
        browser.find_element(By.CSS_SELECTOR, "a[data-role=recycled-content]").click()
        arrive(browser, lambda url: url == f"{server.url}{published['declaration_url']}")
        shot(browser, "7-recycled-content")
        shares = {e.get_attribute("data-element"): e.get_attribute("data-share") for e in browser.find_elements(By.CSS_SELECTOR, "data[data-share]")}
        for share in published["recycled_content"]["shares"]:
            assert shares[share["element"]] == ("" if share["share"] is None else repr(float(share["share"])))

        # Nothing on the way broke the Content-Security-Policy or failed to load.
        problems = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
        assert problems == []
