"""Every rule on an image built in code with that one misconfiguration, and a clean image that passes all."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from checks.misconfig.helpers import GOOD, findings, ids, image
from hullscan.checks.misconfig.rules import RULES
from hullscan.model import ContainerConfig, Distro, Inventory, LayerRef, Package, PackageType, Severity

BASE = ["/bin/sh -c #(nop) ADD file:0c4555f363c2672e in / ", '/bin/sh -c #(nop)  CMD ["/bin/sh"]']
"""An alpine-like base image (its lines are not the author's)."""

CLEAN_STEPS = [
    *BASE,
    "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 "
    "&& rm -rf /var/lib/apt/lists/* # buildkit",
    "RUN /bin/sh -c apk add --no-cache tini # buildkit",
    "RUN /bin/sh -c pip install --no-cache-dir requests==2.31.0 # buildkit",
    "RUN /bin/sh -c yum install -y nginx && yum clean all # buildkit",
    "RUN /bin/sh -c set -o pipefail && curl -fsSL https://example.com/x.tgz | tar -xz -C /opt # buildkit",
    "RUN /bin/sh -c chmod 1777 /scratch && chmod 0755 /app # buildkit",
    "COPY app.tar.gz /app/ # buildkit",
    "ADD vendor.tar.xz /opt/vendor/ # buildkit",
    "ADD --checksum=sha256:0123 https://example.com/tool /usr/local/bin/tool # buildkit",
    "WORKDIR /app",
    "ENV APP_PASSWORD_FILE=/run/secrets/db GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D TOKEN_ENABLED=true",
    "ARG VERSION=1.2",
    "EXPOSE map[8080/tcp:{}]",
    "USER app",
    'HEALTHCHECK &{["CMD" "/app/healthy"] "0s" "0s" "0s" "0s" \'\\x00\'}',
    'CMD ["/app/run"]',
]
CLEAN_CONFIG = replace(
    GOOD,
    env=("APP_PASSWORD_FILE=/run/secrets/db", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
         "TOKEN_ENABLED=true"),
    exposed_ports=("8080/tcp",),
    working_dir="/app",
    labels=(("org.opencontainers.image.base.name", "docker.io/library/alpine:3.19"),),
)


def test_clean_image_passes_every_rule() -> None:
    assert ids(image(CLEAN_STEPS, CLEAN_CONFIG)) == []


def run(script: str) -> list[str]:
    return ids(image([*BASE, f"RUN /bin/sh -c {script} # buildkit"], GOOD))


@pytest.mark.parametrize(
    ("case", "script", "expected"),
    [
        ("sudo", "sudo apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*", ["HS006"]),
        ("apt-no-y", "apt-get install --no-install-recommends x && rm -rf /var/lib/apt/lists/*", ["HS007"]),
        ("apt-yes-bundled", "apt-get install -qy --no-install-recommends x && rm -rf /var/lib/apt/lists/*", []),
        ("apt-yes-piped", "yes | apt-get install --no-install-recommends x && rm -rf /var/lib/apt/lists/*", []),
        ("apt-recommends", "apt-get install -y x && rm -rf /var/lib/apt/lists/*", ["HS008"]),
        ("apt-recommends-option", "apt-get install -y -o APT::Install-Recommends=false x "
                                  "&& rm -rf /var/lib/apt/lists/*", []),
        ("apt-lists", "apt-get update && apt-get install -y --no-install-recommends x", ["HS009"]),
        ("apk-cache", "apk add curl", ["HS010"]),
        ("apk-cache-removed", "apk add curl && rm -rf /var/cache/apk/*", []),
        ("yum-clean", "yum install -y httpd", ["HS011"]),
        ("dnf-clean", "dnf install -y httpd && dnf clean all", []),
        ("zypper-clean", "zypper --non-interactive install vim", ["HS011"]),
        ("pip-cache", "python3 -m pip install flask", ["HS012"]),
        ("pip-cache-env", "PIP_NO_CACHE_DIR=1 pip3 install flask", []),
        ("update-alone", "apt-get update", ["HS009", "HS013"]),
        ("apk-update-alone", "apk update", ["HS013"]),
        ("update-then-install", "apk update && apk add --no-cache x", []),
        ("dist-upgrade", "apt-get update && apt-get dist-upgrade -y && rm -rf /var/lib/apt/lists/*", ["HS014"]),
        ("yum-update-all", "yum update -y && yum clean all", ["HS014"]),
        ("yum-update-one", "yum update -y openssl && yum clean all", []),
        ("curl-pipe-sh", "curl -fsSL https://get.example.com | sh", ["HS021", "HS030"]),
        ("wget-pipe-bash-pipefail", "set -eo pipefail; wget -qO- https://x/i.sh | sudo bash", ["HS006", "HS021"]),
        ("sh-c-substitution", 'sh -c "$(curl -fsSL https://x/install.sh)"', ["HS021"]),
        ("chmod-777", "chmod -R 777 /app", ["HS022"]),
        ("chmod-symbolic", "chmod o+w /data", ["HS022"]),
        ("cd", "cd /src && make", ["HS023"]),
        ("apt-unauthenticated", "apt-get install -y --no-install-recommends --allow-unauthenticated x "
                                "&& rm -rf /var/lib/apt/lists/*", ["HS027"]),
        ("curl-insecure", "curl -fsSLk -o /tmp/x https://x/y", ["HS027"]),
        ("wget-no-check", "wget --no-check-certificate https://x/y", ["HS027"]),
        ("apk-untrusted", "apk add --no-cache --allow-untrusted /tmp/x.apk", ["HS027"]),
        ("pip-trusted-host", "pip install --no-cache-dir --trusted-host pypi.internal x", ["HS027"]),
        ("trusted-yes-source", "echo 'deb [trusted=yes] http://repo/ ./' > /etc/apt/sources.list.d/x.list", ["HS027"]),
        ("url-credentials", "git clone https://deploy:ghp_0123456789abcdef@github.com/org/repo.git", ["HS028"]),
        ("url-credentials-from-var", "git clone https://deploy:${TOKEN}@github.com/org/repo.git", []),
        ("pipe-no-pipefail", "grep -v x /etc/a | sort > /etc/b", ["HS030"]),
        ("apt", "apt install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*", ["HS031"]),
    ],
)
def test_run_rules(case: str, script: str, expected: list[str]) -> None:
    assert run(script) == expected, case


def test_pipefail_from_shell_instruction() -> None:
    img = image([*BASE, "/bin/bash -o pipefail -c grep x /a | sort"], GOOD)
    assert ids(img) == []


def test_base_image_instructions_are_not_the_authors() -> None:
    base = ["/bin/sh -c #(nop) ADD file:abc in / ", "/bin/sh -c apt-get update", '/bin/sh -c #(nop)  CMD ["bash"]']
    assert ids(image([*base, "/bin/sh -c #(nop) COPY file:x in /app "], GOOD)) == []
    assert ids(image([*base[:2], "/bin/sh -c #(nop) COPY file:x in /app "], GOOD)) == ["HS009", "HS013"]


@pytest.mark.parametrize(
    ("case", "container", "expected"),
    [
        ("no-user", replace(GOOD, user=""), ["HS001"]),
        ("user-root", replace(GOOD, user="root"), ["HS001"]),
        ("user-uid-0", replace(GOOD, user="0:0"), ["HS001"]),
        ("user-uid", replace(GOOD, user="10001:10001"), []),
        ("no-healthcheck", replace(GOOD, healthcheck=None), ["HS002"]),
        ("healthcheck-none", replace(GOOD, healthcheck=("NONE",)), ["HS003"]),
        ("port-22", replace(GOOD, exposed_ports=("22/tcp", "80/tcp")), ["HS015"]),
        ("port-22-udp", replace(GOOD, exposed_ports=("22/udp",)), []),
        ("port-out-of-range", replace(GOOD, exposed_ports=("70000/tcp",)), ["HS016"]),
        ("env-secret", replace(GOOD, env=("DB_PASSWORD=s3cr3t-value",)), ["HS017"]),
        ("env-secret-empty", replace(GOOD, env=("DB_PASSWORD=",)), []),
        ("env-secret-reference", replace(GOOD, env=("API_KEY=${API_KEY}", "GITHUB_TOKEN_PATH=/run/t")), []),
        ("env-pwd", replace(GOOD, env=("PWD=/app",)), []),
        ("workdir-root", replace(GOOD, working_dir="/"), ["HS020"]),
        ("workdir-usr-bin", replace(GOOD, working_dir="/usr/bin/"), ["HS020"]),
        ("workdir-app", replace(GOOD, working_dir="/srv/app"), []),
        ("base-latest", replace(GOOD, labels=(("org.opencontainers.image.base.name", "debian:latest"),)), ["HS019"]),
        ("base-untagged", replace(GOOD, labels=(("org.opencontainers.image.base.name", "reg:5000/x/debian"),)),
         ["HS019"]),
        ("base-digest", replace(GOOD, labels=(("org.opencontainers.image.base.name", "debian@sha256:ab"),)), []),
        ("base-tag", replace(GOOD, labels=(("org.opencontainers.image.base.name", "reg:5000/debian:12"),)), []),
    ],
)
def test_config_rules(case: str, container: ContainerConfig, expected: list[str]) -> None:
    assert ids(image(BASE, container)) == expected, case


def test_workdir_under_proc_is_high() -> None:
    img = image([*BASE, "WORKDIR /proc/self", "WORKDIR /app"], replace(GOOD, working_dir="/app"))
    (finding,) = findings(img)
    assert (finding.id, finding.severity, finding.target) == ("HS020", Severity.HIGH, "WORKDIR /proc/self")


def test_instruction_rules() -> None:
    img = image(
        [*BASE, "MAINTAINER someone", "COPY a /a # buildkit", "ADD config.json /etc/app/ # buildkit",
         "ADD https://example.com/tool /usr/local/bin/ # buildkit", 'ENTRYPOINT ["a"]', 'ENTRYPOINT ["b"]',
         'CMD ["x"]', 'CMD ["y"]', 'HEALTHCHECK &{["CMD" "a"]}', 'HEALTHCHECK &{["CMD" "b"]}'],
        GOOD,
    )
    assert ids(img) == ["HS004", "HS005", "HS024", "HS025", "HS026", "HS029"]


def test_classic_add_of_hashed_file_is_flagged_with_a_note() -> None:
    (finding,) = findings(image([*BASE, "/bin/sh -c #(nop) ADD file:abc in /etc/app.conf "], GOOD))
    assert finding.id == "HS004"
    assert any(label == "note" and "content hash" in value for label, value in finding.details)


def test_secrets_in_build_args_once_per_name_and_masked() -> None:
    img = image(
        [*BASE, "ARG NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz012345",
         "RUN |1 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz012345 /bin/sh -c npm ci # buildkit",
         "RUN |1 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz012345 /bin/sh -c npm run build # buildkit"],
        GOOD,
    )
    (finding,) = findings(img)
    assert finding.id == "HS018" and finding.severity == Severity.HIGH
    assert "abcdefghijklmnop" not in finding.evidence and finding.evidence.startswith("NPM_TOKEN=npm_")
    assert ("history lines recording it", "3") in finding.details
    assert finding.layer is None  # the ARG made no layer...
    assert ("instruction", "ARG NPM_TOKEN=npm_********************************") in finding.details


def test_env_secret_names_its_instruction_and_masks() -> None:
    secret = "DB_PASSWORD=correct-horse-battery"
    img = image([*BASE, f"ENV {secret}"], replace(GOOD, env=(secret,)))
    (finding,) = findings(img)
    assert finding.check == "misconfig/HS017" and finding.severity == Severity.CRITICAL
    assert "horse" not in finding.evidence
    assert ("history index", "2") in finding.details and finding.target == "ENV DB_PASSWORD"


def test_finding_fields_for_a_layer_instruction() -> None:
    img = image([*BASE, "RUN /bin/sh -c apk add curl # buildkit"], GOOD)
    (finding,) = findings(img)
    rule = RULES["HS010"]
    assert finding.check == "misconfig/HS010" and finding.id == "HS010"
    assert (finding.title, finding.severity, finding.description, finding.remediation) == (
        rule.title, rule.severity, rule.description, rule.remediation)
    assert finding.target == "RUN apk add curl"
    assert finding.layer is not None and finding.layer.index == 1
    assert finding.layer.diff_id == img.layers[1].diff_id
    assert ("trivy", "DS025") in finding.details and ("hadolint", "DL3019") in finding.details
    assert ("history index", "2") in finding.details


def test_root_user_names_the_user_instruction() -> None:
    img = image([*BASE, "USER app", "USER root"], replace(GOOD, user="root"))
    (finding,) = findings(img)
    assert finding.id == "HS001" and ("instruction", "USER root") in finding.details
    assert ("layer", "none (the instruction made no layer)") in finding.details


def test_ssh_server_package() -> None:
    ref = LayerRef(0, "sha256:a", "sha256:a")
    pkg = Package(PackageType.DEB, "openssh-server", "1:9.2p1-2", layer=ref)
    inventory = Inventory(Distro("debian", "12"), packages=(pkg,))
    from hullscan.checks.misconfig.scanner import scan

    (finding,) = scan(image(BASE, GOOD), None, inventory)
    assert (finding.id, finding.package, finding.layer) == ("HS032", pkg, ref)


def test_every_rule_is_complete_and_reachable_from_a_test() -> None:
    for rule in RULES.values():
        assert rule.title and rule.description and rule.remediation and rule.category, rule.id
    source = Path(__file__).read_text()
    missing = [rule_id for rule_id in RULES if f'"{rule_id}"' not in source]
    assert missing == []


def test_rootfs_has_no_config_and_no_findings() -> None:
    img = replace(image(BASE), config=None)
    assert findings(img) == []


def test_a_secret_on_a_line_does_not_leak_through_other_findings() -> None:
    img = image([*BASE, "RUN |1 API_TOKEN=tok_0123456789abcdef /bin/sh -c cd /src && "
                        "git clone https://bot:hunter2hunter2@git.example.com/x.git # buildkit"], GOOD)
    found = findings(img)
    assert sorted(f.id for f in found) == ["HS018", "HS023", "HS028"]
    for f in found:
        shown = " ".join([f.target, f.evidence, *(v for _, v in f.details),
                          f.layer.created_by if f.layer else ""])
        assert "hunter2hunter2" not in shown and "0123456789abcdef" not in shown, f.id


def test_env_secret_cleared_later_is_still_in_the_history() -> None:
    img = image([*BASE, "ENV DB_PASSWORD=first-value-123 MODE=x", "ENV DB_PASSWORD="],
                replace(GOOD, env=("DB_PASSWORD=", "MODE=x")))
    (finding,) = findings(img)
    assert (finding.id, finding.severity, finding.target) == ("HS017", Severity.HIGH, "ENV DB_PASSWORD")
    assert ("history index", "2") in finding.details and "first-value" not in finding.evidence


def test_legacy_env_form() -> None:
    img = image([*BASE, "/bin/sh -c #(nop)  ENV API_TOKEN abc def ghi"], GOOD)
    assert ids(img) == ["HS017"]
