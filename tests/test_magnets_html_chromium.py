"""The two magnet pages in a real headless browser (Debian's chromium).

The DOM Chromium builds must show every share as the JSON has it (exact value in data-share,
the text rounded to the rules' decimals), carry no element or attribute that a maker's text
could have injected, and the QR code in the screenshot must decode to the record's payload.
"""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from footprint.magnets.declare import declare_product
from footprint.magnets.render import percent

from ._magnet_helpers import WIND, variant
from .test_declaration_html_chromium import CHROMIUM, chromium

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")

HOSTILE = '<script>document.title="pwned"</script><img src=x onerror="alert(1)">'


class Dom(HTMLParser):
    """Tags, attributes and text of the rendered DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.shares: list[dict] = []
        self.text: list[str] = []
        self._share: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "data" and "data-share" in attrs:
            self._share = {**attrs, "text": ""}

    def handle_data(self, data):
        self.text.append(data)
        if self._share is not None:
            self._share["text"] += data

    def handle_endtag(self, tag):
        if tag == "data" and self._share is not None:
            self.shares.append(self._share)
            self._share = None


def dom_of(page: Path, profile: Path) -> Dom:
    dom = chromium(page, profile, "--dump-dom").stdout
    assert "</html>" in dom
    parser = Dom()
    parser.feed(dom)
    return parser


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("magnet-pages")

    def hostile(raw):
        raw["product"]["name"] = f"Generator {HOSTILE}"
        raw["responsible_person"]["name"] = 'Nordvind "><svg onload=alert(2)>'
        raw["magnets"][0]["location"] = f"rotor rim </td></tr></table>{HOSTILE}"
        raw["removal"][0]["action"] = f"Stop the turbine {HOSTILE}"
    product = variant(tmp, WIND, hostile)
    declare_product(product, tmp / "out", issue_date=dt.date(2026, 11, 30))
    return tmp / "out", tmp


def test_declaration_page_shows_each_share_as_the_json_has_it(pages):
    out, tmp = pages
    data = json.loads((out / "recycled-content.json").read_text())
    dom = dom_of(out / "recycled-content.html", tmp / "profile-declaration")
    shown = {s["data-element"]: s for s in dom.shares}
    assert list(shown) == [s["element"] for s in data["shares"]] == ["Nd", "Dy", "Pr", "Tb", "B", "Sm", "Ni", "Co"]
    for share in data["shares"]:
        figure = shown[share["element"]]
        if share["share"] is None:
            assert figure["data-share"] == "" and figure["text"] == "not present"
        else:
            assert float(figure["data-share"]) == share["share"]
            assert figure["text"] == percent(share["share"], data["rules"]["reported_decimals"])
    assert shown["Nd"]["text"] == "10.0 %" and shown["Dy"]["text"] == "5.0 %"
    assert any("Draft rules." in t for t in dom.text)


@pytest.mark.parametrize("name", ["recycled-content.html", "data-record.html"])
def test_pages_escape_the_makers_text(pages, name):
    out, tmp = pages
    dom = dom_of(out / name, tmp / f"profile-escape-{name}")
    tags = [tag for tag, _ in dom.elements]
    assert "script" not in tags and "img" not in tags
    assert not any(key.startswith("on") for _, attrs in dom.elements for key in attrs)
    assert not any(tag == "svg" and attrs.get("onload") for tag, attrs in dom.elements)
    text = "".join(dom.text)
    assert HOSTILE in text and '"><svg onload=alert(2)>' in text


def test_data_record_page_qr_code_decodes_to_the_payload(pages):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    out, tmp = pages
    record = json.loads((out / "data-record.json").read_text())
    shot = tmp / "record.png"
    chromium(out / "data-record.html", tmp / "profile-qr", f"--screenshot={shot}", "--window-size=1000,900")
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(shot))]
    assert decoded == [record["data_carrier"]["payload"]]
    dom = dom_of(out / "data-record.html", tmp / "profile-record")
    links = [attrs["href"] for tag, attrs in dom.elements if tag == "a" and attrs.get("data-role") == "payload"]
    assert links == [record["data_carrier"]["payload"]]
    wt = [float(attrs["data-wt"]) for tag, attrs in dom.elements if "data-wt" in attrs]
    assert wt == [c["wt_percent"] for c in record["magnets"][0]["composition"]]
