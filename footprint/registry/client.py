"""The registry's HTTP client (httpx), used by `footprint registry ...` and `classes calibrate --registry`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from footprint.errors import FootprintError, FootprintInputError, from_validation_error
from footprint.files import decode_text, read_bytes_bounded, write_atomically
from footprint.signing import SIGNATURE_FILE, Signature, read_signed_json, signature_path

TIMEOUT_S = 60.0


class RegistryRefused(FootprintInputError):
    """The registry answered with a 4xx: it names the reason (and the field)."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        self.status = status
        super().__init__(f"the registry refused ({status}): {message}", field=field)


class RegistryClient:
    def __init__(self, url: str, token: str | None = None, *, timeout: float = TIMEOUT_S) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FootprintInputError(f"{url!r} is not a registry address (http://host:port)", field="--url")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx

        headers = {"accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        try:
            response = httpx.request(method, self.url + path, headers=headers, timeout=self.timeout, **kwargs)
        except httpx.HTTPError as exc:
            raise FootprintError(f"cannot reach the registry at {self.url}: {exc}") from None
        if 400 <= response.status_code < 500:
            try:
                problem = response.json()
                raise RegistryRefused(response.status_code, str(problem.get("error")), problem.get("field"))
            except ValueError:
                raise RegistryRefused(response.status_code, response.text[:300]) from None
        if response.status_code >= 300:
            raise FootprintError(f"the registry at {self.url} answered {response.status_code}: {response.text[:300]}")
        return response

    def publish(self, folder: Path | str, quantity_t: float, supersedes: str | None = None, pact: dict[str, Any] | None = None) -> dict[str, Any]:
        """Upload declaration.json, declaration.sig and study.html from a `footprint declare` folder,
        with its PACT footprints (`pact`: {"pact_v2": ..., "pact_v3": ...}) when given."""
        folder = Path(folder)
        declaration = read_signed_json(folder / "declaration.json", what="declaration")
        signature = _signature(folder / SIGNATURE_FILE) if (folder / SIGNATURE_FILE).is_file() else None
        study_path = folder / "study.html"
        study = decode_text(read_bytes_bounded(study_path, what="public study"), path=study_path, what="public study")
        body = {"declaration": declaration, "signature": signature, "study_html": study, "quantity_t": quantity_t, "supersedes": supersedes, **(pact or {})}
        return self._request("POST", "/api/v1/declarations", json=body).json()

    def publish_magnets(self, folder: Path | str) -> dict[str, Any]:
        """Upload data-record.json and, where written, recycled-content.json (with their .sig files when
        signed) from a `footprint magnets declare` folder."""
        folder = Path(folder)
        body: dict[str, Any] = {}
        for name, key in (("data-record.json", "data_record"), ("recycled-content.json", "recycled_content")):
            path = folder / name
            if not path.is_file():
                if key == "data_record":
                    raise FootprintInputError("no data-record.json here: give the folder `footprint magnets declare` wrote", file=folder)
                continue
            body[key] = read_signed_json(path, what=name)
            if signature_path(path).is_file():
                body[f"{key}_signature"] = _signature(signature_path(path))
        return self._request("POST", "/api/v1/magnets", json=body).json()

    def attest(self, statement_path: Path | str) -> dict[str, Any]:
        document = read_signed_json(statement_path, what="verification statement")
        if not isinstance(document, dict) or not isinstance(document.get("statement"), dict):
            raise FootprintInputError("not a signed verification statement (footprint verify --sign writes one)", file=statement_path)
        declaration_id = str(document["statement"].get("declaration_id", ""))
        return self._request("POST", f"/api/v1/declarations/{declaration_id}/attestations", json=document).json()

    def withdraw(self, declaration_id: str, reason: str) -> dict[str, Any]:
        return self._request("POST", f"/api/v1/declarations/{declaration_id}/withdraw", json={"reason": reason}).json()

    def market_csv(self, material: str | None = None) -> str:
        params = {"material": material} if material else {}
        return self._request("GET", "/api/v1/market.csv", params=params).text


def _signature(path: Path) -> dict[str, Any]:
    """A detached signature file, checked against its model before it is sent."""
    from pydantic import ValidationError

    try:
        return Signature.model_validate(read_signed_json(path, what="signature")).model_dump(mode="json")
    except ValidationError as exc:
        raise from_validation_error(exc, file=path) from None


def fetch_market_csv(url: str, token: str | None, material: str, folder: Path | str) -> Path:
    """Save the registry's market data for `material` as a CSV in `folder` (for classes calibrate)."""
    if not token:
        raise FootprintInputError("the market data is for regulators: give the regulator's --token", field="--token")
    text = RegistryClient(url, token).market_csv(material)
    host = urlsplit(url).netloc.replace(":", "-")
    target = Path(folder) / f"registry-{host}-{material}-{dt.date.today().isoformat()}.csv"
    write_atomically(target, text)
    return target
