"""The 64 inputs of ../shared/fixtures/secrets (Trivy's test data): what the built-in rules must find in each
file (rule, line, masked value), what they must not, and that no clear secret survives into a payload."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from hullscan.checks.secret.config import builtin_config, load_config
from hullscan.checks.secret.engine import SecretEngine
from hullscan.checks.secret.extractor import SecretExtractor, SecretFile, to_matches
from hullscan.image.facts import encode_payload
from hullscan.model import FileEntry, FileKind

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "secrets"
BUILTIN = builtin_config()
ENGINE = SecretEngine(BUILTIN.rules, BUILTIN.allow_rules)

EXPECTED: dict[str, list[tuple[str, int, str]]] = {
    # LTAI + 20 is found only where the id stands alone (not glued to letters on either side).
    "alibaba-access-key-id.txt": [("alibaba-access-key-id", 2, "LTAI****************G123")],
    # The block of lines 1-4 and the 32-character body of line 9; the empty block of line 6 is no key.
    "asymmetric-private-key.txt": [("private-key", 1, "MIIE********************************DYhR"),
                                   ("private-key", 9, "4c6f************************1f55")],
    "asymmetric-private-secret.json": [("private-key", 1, "7eUH********************************mzc=")],
    "asymmetric-private-secret.txt": [("private-key", 1, "YObV********************************mzc=")],
    # Line 4 is AWS's documented example key (allowed); line 5 is an ENV line copied from a history.
    "aws-secrets.txt": [("aws-secret-access-key", 1, "12AS********************************HCas"),
                        ("aws-access-key-id", 2, "AKIA************CDEF"), ("aws-account-id", 3, "**************"),
                        ("aws-secret-access-key", 5, "KEYK********************************KEYK")],
    "azure-ai-services-key.txt": [("azure-ai-services-key", 1, "ABCD********************************abcd")],
    "azure-app-config-connection-string.txt": [
        ("azure-app-config-connection-string", 1, "ABCD****************************ghij")],
    "azure-container-registry-credential.txt": [
        ("azure-container-registry-key", 1, "ABCD********************************abcd")],
    "azure-container-registry-password.txt": [
        ("azure-container-registry-password", 1, "A1bC************************0u/+")],
    "azure-devops-pat.txt": [("azure-devops-pat", 1, "abcd********************************qrst")],
    "azure-entra-client-secret.txt": [("azure-entra-client-secret", 1, "pFF8********************************pcB2")],
    "azure-sas-token.txt": [("azure-sas-token", 1, "ABCD********************************opQ=")],
    "azure-storage-account-key.txt": [("azure-storage-account-key", 1, "ABCD********************************UV==")],
    "builtin-rule-secret.txt": [("github-pat", 1, "ghp_********************************cdef"),
                                ("aws-access-key-id", 2, "AKIA************CDEF")],
    "crlf-line-endings.txt": [("aws-access-key-id", 2, "AKIA************CDEF"),
                              ("github-pat", 4, "ghp_********************************yz12")],
    "docker-secrets.txt": [("dockerconfig-secret", 2, "************"), ("dockerconfig-secret", 4, "************")],
    "example-secret.txt": [],  # an example file: the "examples" allow rule
    "github-app-token.txt": [("github-app-token", 1, "ghs_********************************al00")],
    "github-token.txt": [("github-fine-grained-pat", 1, "gith********************************LAyv")],
    "grafana-env.txt": [("grafana-api-key", 1, "eyJr********************************ZYbk"),
                        ("grafana-api-key", 2, "eyJr********************************ZYbk")],
    "hugging-face-secret.txt": [("huggingface-token", 1, "hf_T********************************6789")],
    "invalid-aws-secrets.txt": [],
    # Line 3's token is cut short by invalid UTF-8 bytes: 32 characters, not a token.
    "invalid-utf8.txt": [("github-pat", 1, "ghp_********************************abcd")],
    "jwt-secret.txt": [("jwt-token", 3, "eyJh********************************sw5c")],
    "long-line-secret.txt": [("github-pat", 1, "ghp_********************************cdef")],
    "multi-line.txt": [],
    "obfuscated.js": [],  # minified code full of token-like identifiers
    "openai-admin-api-key.txt": [("openai-api-key", 1, "sk-a********************************qrst")],
    "openai-invalid.txt": [],  # other vendors' sk- keys, too short, no T3BlbkFJ marker
    "openai-legacy-api-key.txt": [("openai-api-key", 1, "sk-a********************************qrst")],
    "openai-project-api-key.txt": [("openai-api-key", 1, "sk-p********************************qrst")],
    "openai-realtime-client-secret.txt": [("openai-realtime-client-secret", 1, "ek_0***************************cdef")],
    "openai-service-account-key.txt": [("openai-api-key", 1, "sk-s********************************qrst")],
    "openai-service-api-key.txt": [("openai-api-key", 1, "sk-s********************************qrst")],
    "private-packagist.txt": [("private-packagist-token", 1, "pack********************************ad74"),
                              ("private-packagist-token", 2, "pack********************************d5a4"),
                              ("private-packagist-token", 3, "pack********************************3421")],
    "secret.md": [],  # Markdown: the "markdown" allow rule
    "secret.txt": [],  # only custom rules find these (test_secret_config.py)
    "settings-encrypted.xml": [],  # {encrypted}, ${property} and empty values are not plain passwords
    "settings-security.xml": [("maven-master-password", 2, "***********")],
    "settings.xml": [("maven-settings-password", 2, "***********"), ("maven-settings-password", 3, "*************")],
    "symfony-secret.yaml": [("symfony-default-secret", 2, "This**********************geIt")],
    # Key names and long distinctive prefixes count inside a longer word ...
    "wrapped-secrets-sensitive.txt": [("aws-secret-access-key", 1, "12AS********************************HCas"),
                                      ("github-fine-grained-pat", 2, "gith********************************LAyv")],
    # ... short prefixes (gho_, ghu_, hf_, xoxb-, sk_live_, FLWSECK_TEST-) do not.
    "wrapped-secrets.txt": [],
}
CONFIGS = sorted(p.name for p in FIXTURES.glob("*.yaml") if p.name != "symfony-secret.yaml")


def test_fixture_set_is_complete() -> None:
    names = {p.name for p in FIXTURES.iterdir()}
    assert len(names) == 64
    assert names == set(EXPECTED) | set(CONFIGS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    raw = ENGINE.find(f"app/{name}", data)
    got = [(m.rule_id, m.line, m.masked) for m in to_matches(raw, data)]
    assert got == EXPECTED[name]
    # Identical to running re for every rule whose keywords occur.
    ref = ENGINE.find_reference(f"app/{name}", data)
    assert [(m.rule.id, m.start, m.secrets) for m in raw] == [(m.rule.id, m.start, m.secrets) for m in ref]


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e))
def test_no_clear_secret_in_the_stored_payload(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    raw = ENGINE.find(f"app/{name}", data)
    stored = bytes(encode_payload(SecretFile(to_matches(raw, data))))
    for m in raw:
        for value in m.values(data):
            assert value not in stored
            # ... nor any 8-character piece of it beyond the 4 shown at each end.
            inner = value[4:-4]
            assert all(inner[i:i + 8] not in stored for i in range(len(inner) - 7))


def test_snippets_mask_every_secret_of_the_line() -> None:
    data = b"export AWS_ACCESS_KEY_ID=AKIAZ7QWERTY12345678 GH=ghp_" + b"a1B2c3D4e5" * 3 + b"F6g7H8\n"
    matches = to_matches(ENGINE.find("app/env.sh", data), data)
    assert [m.rule_id for m in matches] == ["aws-access-key-id", "github-pat"]
    for m in matches:
        assert "AKIAZ7QWERTY12345678" not in m.snippet and "a1B2c3D4e5" not in m.snippet
    line = "export AWS_ACCESS_KEY_ID=AKIA************5678 GH=ghp_********************************g7H8"
    assert [m.snippet for m in matches] == [line, line]


def test_test_paths_are_allowed_and_the_allow_rule_can_be_disabled(tmp_path: Path) -> None:
    data = (FIXTURES / "builtin-rule-secret.txt").read_bytes()
    assert ENGINE.find("srv/app/tests/creds.txt", data) == []
    assert ENGINE.find("srv/app/config_test.go", data) == []
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("disable-allow-rules: [tests, examples]\n")
    loaded = load_config(cfg)
    engine = SecretEngine(loaded.rules, loaded.allow_rules)
    assert len(engine.find("srv/app/tests/creds.txt", data)) == 2
    # With "examples" off too, the example file and AWS's example key are reported.
    example = (FIXTURES / "example-secret.txt").read_bytes()
    assert [m.rule.id for m in engine.find("app/example-secret.txt", example)] == ["aws-secret-access-key"]
    aws = (FIXTURES / "aws-secrets.txt").read_bytes()
    assert len(engine.find("app/aws-secrets.txt", aws)) == len(EXPECTED["aws-secrets.txt"]) + 1


def _entry(path: str, size: int, kind: FileKind = FileKind.FILE) -> FileEntry:
    return FileEntry(path, kind, 0o644, size)


def test_extractor_wants_text_files_of_reasonable_size_outside_allowed_paths() -> None:
    ext = SecretExtractor(ENGINE, max_size=1 << 20)
    assert ext.name == "secret/scan"
    assert ext.wants("app/config.yaml", _entry("app/config.yaml", 100))
    assert ext.wants("root/.ssh/id_rsa", _entry("root/.ssh/id_rsa", 1700))
    assert not ext.wants("app/big.log", _entry("app/big.log", (1 << 20) + 1))
    assert not ext.wants("app/empty", _entry("app/empty", 0))
    assert not ext.wants("app/link", _entry("app/link", 10, FileKind.SYMLINK))
    for binary in ("usr/bin/app.so.1.2", "app/logo.PNG", "app/lib.jar", "app/x.pyc", "app/font.woff2"):
        assert not ext.wants(binary, _entry(binary, 100)), binary
    for allowed in ("usr/share/doc/x/README", "usr/lib/python3/x.py", "app/docs/setup.md", "app/vendor/x/y.go"):
        assert not ext.wants(allowed, _entry(allowed, 100)), allowed


def test_extractor_skips_binary_content_and_returns_masked_payloads() -> None:
    ext = SecretExtractor(ENGINE, max_size=1 << 20)
    data = (FIXTURES / "builtin-rule-secret.txt").read_bytes()
    assert ext.extract("app/x", b"\x7fELF\x00\x00" + data) is None
    payload = ext.extract("app/x", data)
    assert payload is not None
    assert [(m.rule_id, m.line) for m in payload.matches] == [("github-pat", 1), ("aws-access-key-id", 2)]
    assert msgspec.json.decode(encode_payload(payload), type=SecretFile) == payload
    assert ext.extract("app/clean.txt", b"nothing to see\n") is None
