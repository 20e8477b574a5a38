"""Art. 31(7) declarations on a label or delivery note: the QR code on declaration.html encodes
the declaration's public address (<registry>/declarations/<id>), which declaration.json
carries too. Decoded with zxing-cpp from segno's image and from Chromium's screenshot."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.errors import FootprintInputError
from footprint.links import base_of, public_address, registry_base

from ._declaration_helpers import declare, reseal
from .conftest import EXAMPLES, TINY_STUDY, edit_study

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REGISTRY = "https://registry.example.org/crma/"
STUDY = EXAMPLES / "lithium-carbonate-brine-cl.toml"


def decode_png(png: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png))) if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.fixture(scope="module")
def with_address(tmp_path_factory):
    out = tmp_path_factory.mktemp("carrier")
    from footprint.assessment import assess
    from footprint.declaration import write_declaration_outputs
    from footprint.files import write_json
    from footprint.study import load_study

    loaded = load_study(STUDY)
    results = assess(loaded)
    write_json(out / "results.json", results)
    write_declaration_outputs(results, loaded, out, registry_url=REGISTRY)
    return out


def test_the_address_is_the_registry_path_of_the_declaration(with_address):
    data = json.loads((with_address / "declaration.json").read_text())
    assert data["public_address"] == f"https://registry.example.org/crma/declarations/{data['declaration_id']}"
    assert base_of(data["public_address"], data["declaration_id"]) == "https://registry.example.org/crma"


def test_segno_qr_decodes_to_the_address(with_address):
    import segno

    address = json.loads((with_address / "declaration.json").read_text())["public_address"]
    buffer = io.BytesIO()
    segno.make(address, error="m", micro=False).save(buffer, kind="png", scale=6, border=4)
    assert decode_png(buffer.getvalue()) == [address]


def test_page_says_what_the_qr_encodes(with_address):
    html = (with_address / "declaration.html").read_text()
    address = json.loads((with_address / "declaration.json").read_text())["public_address"]
    assert 'data-role="qr"' in html and f'data-address="{address}"' in html
    assert "The QR code encodes the declaration's public address" in html and address in html


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")
def test_qr_on_the_rendered_page_decodes_to_the_address(with_address, tmp_path):
    """A phone camera's view: Chromium renders declaration.html, zxing-cpp reads the screenshot."""
    shot = tmp_path / "page.png"
    subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,4000",
         (with_address / "declaration.html").resolve().as_uri()],
        capture_output=True, text=True, timeout=180, check=True,
    )
    address = json.loads((with_address / "declaration.json").read_text())["public_address"]
    assert decode_png(shot.read_bytes()) == [address]
    shutil.copy(shot, Path(__import__("os").environ["FOOTPRINT_DATA_DIR"]) / "declaration-qr.png")


def test_without_a_registry_no_address_and_no_qr(tmp_path):
    """No base URL: the page says so and draws no code that would resolve nowhere."""
    _, _, paths = declare(TINY_STUDY, tmp_path)
    data = json.loads((tmp_path / "declaration.json").read_text())
    html = (tmp_path / "declaration.html").read_text()
    assert data["public_address"] is None
    assert 'data-role="no-public-address"' in html and "<svg" not in html.split('data-role="data-carrier"')[1].split("</section>")[0]


def test_verify_reproduces_a_declaration_with_an_address_and_catches_a_changed_one(with_address, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", str(with_address), "--study", str(STUDY), "--no-progress"])
    assert ok.exit_code == 0, ok.output
    moved = reseal(with_address / "declaration.json", tmp_path / "moved" / "declaration.json",
                   lambda d: d.update(public_address="https://elsewhere.example.com/x"))
    bad = runner.invoke(app, ["verify", str(moved), "--study", str(STUDY), "--no-progress"])
    assert bad.exit_code == 1 and "public_address" in bad.output


def test_study_registry_url_gives_the_same_address(tmp_path):
    study = edit_study(tmp_path, TINY_STUDY, [("\nreporting_period", '\nregistry_url = "https://registry.example.org/"\nreporting_period')])
    _, _, _ = declare(study, tmp_path / "out")
    data = json.loads((tmp_path / "out" / "declaration.json").read_text())
    assert data["public_address"] == public_address("https://registry.example.org", data["declaration_id"])


@pytest.mark.parametrize("url", ["ftp://registry.example.org", "registry.example.org", "https://r.example.org/?q=1",
                                 'https://r.example.org/"><script>', "https://r.example.org/a b"])
def test_bad_registry_urls_are_refused(url, tmp_path):
    with pytest.raises(FootprintInputError):
        registry_base(url)
    result = CliRunner().invoke(app, ["declare", str(TINY_STUDY), "--out", str(tmp_path / "o"), "--registry-url", url])
    assert result.exit_code == 2 and "registry URL" in result.output
    assert not (tmp_path / "o").exists()
