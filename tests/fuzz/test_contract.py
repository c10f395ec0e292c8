"""Contract fuzzing: schemathesis generates requests from openapi.yaml, valid and invalid, and checks every
answer against it: no 5xx, documented status codes, content types and schemas, invalid data rejected,
authentication not ignored, deleted resources gone. Zero failures allowed."""
import subprocess
import sys
from pathlib import Path

import yaml
from openapi_spec_validator import validate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import ROOT, Stack  # noqa: E402

CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
    "negative_data_rejection", "ignored_auth", "use_after_free",
])


def test_openapi_yaml_is_a_valid_openapi_3_1_document():
    validate(yaml.safe_load((ROOT / "openapi.yaml").read_text()))


def test_schemathesis_finds_nothing(tmp_path):
    with Stack(tmp_path) as stack:
        access_token = stack.login()["access_token"]
        result = subprocess.run([
            "st", "run", str(ROOT / "openapi.yaml"), "--url", stack.url, "--checks", CHECKS,
            "--header", f"Authorization: Bearer {access_token}",
            "--max-examples", "40", "--seed", "8", "--workers", "2", "--request-timeout", "10",
            "--report", "junit", "--report-dir", str(ROOT / "artifacts" / "schemathesis"),
        ], capture_output=True, text=True, timeout=900)
        print(result.stdout[-20000:])
        assert result.returncode == 0, "schemathesis found failures (see the output above)"
        service_log = (tmp_path / "service.log").read_text()
        assert access_token not in service_log
