"""openapi.yaml is a valid OpenAPI 3.1 document, and the one the service serves."""
import requests
import yaml
from openapi_spec_validator import validate

from blackbox_support import ROOT


def test_openapi_yaml_is_valid_openapi_3_1():
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_the_service_serves_the_repository_file(service):
    response = requests.get(service.url + "/openapi.yaml", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/yaml")
    assert response.text == (ROOT / "openapi.yaml").read_text()
