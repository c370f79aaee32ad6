"""file/ssh-host-key, file/authorized-keys, file/private-key-file: by name, in every layer."""

from __future__ import annotations

import pytest

from checks.file.helpers import L, by_check, deb, detail, f, hard, link, scan
from hullscan.model import Severity


def test_ssh_host_keys_private_halves_only() -> None:
    found = scan(L([
        f("etc/ssh/ssh_host_ed25519_key", mode=0o600),
        f("etc/ssh/ssh_host_ed25519_key.pub"),
        f("etc/ssh/ssh_host_rsa_key", mode=0o600),
        f("etc/dropbear/dropbear_ecdsa_host_key", mode=0o600),
        f("etc/ssh/sshd_config"),
    ], created_by="RUN apt-get install -y openssh-server"))
    keys = by_check(found, "file/ssh-host-key")
    assert {x.path for x in keys} == {"etc/ssh/ssh_host_ed25519_key", "etc/ssh/ssh_host_rsa_key",
                                      "etc/dropbear/dropbear_ecdsa_host_key"}
    assert all(x.severity is Severity.HIGH and x.category == "ssh-host-key" for x in keys)
    assert keys[0].evidence == "-rw------- root:root"
    assert len(found) == 3


def test_host_key_deleted_later_is_still_shipped() -> None:
    found = scan(L([f("etc/ssh/ssh_host_ecdsa_key", mode=0o600)], created_by="RUN apt-get install openssh-server"),
                 L(whiteouts=("etc/ssh/ssh_host_ecdsa_key",), created_by="RUN rm /etc/ssh/ssh_host_*"),
                 threshold=1 << 40)
    [key] = by_check(found, "file/ssh-host-key")
    assert key.layer is not None and key.layer.index == 0
    assert "deleted later" in key.title
    assert detail(key, "deleted in") == "layer 2 (RUN rm /etc/ssh/ssh_host_*)"
    assert "layer 1" in detail(key, "still shipped")


def test_host_keys_deleted_with_their_directory() -> None:
    found = scan(L([f("etc/ssh/ssh_host_rsa_key", mode=0o600)]), L(whiteouts=("etc/ssh",)), threshold=1 << 40)
    [key] = by_check(found, "file/ssh-host-key")
    assert detail(key, "deleted in").startswith("layer 2")


def test_key_in_two_layers_is_one_finding_on_the_visible_copy() -> None:
    found = scan(L([f("root/.ssh/id_ed25519", mode=0o600)]), L([f("root/.ssh/id_ed25519", mode=0o400)]))
    [key] = by_check(found, "file/private-key-file")
    assert key.layer is not None and key.layer.index == 1
    assert key.evidence == "-r-------- root:root"
    assert detail(key, "other copies in") == "layer 1 (RUN step 1)"
    assert "deleted later" not in key.title


@pytest.mark.parametrize(("path", "severity", "category"), [
    ("root/.ssh/id_rsa", Severity.HIGH, "ssh-identity"),
    ("home/app/.ssh/id_ed25519_sk", Severity.HIGH, "ssh-identity"),
    ("home/app/.ssh/identity", Severity.HIGH, "ssh-identity"),
    ("app/config/server.key", Severity.MEDIUM, "key-file"),
    ("etc/ssl/private/ssl-cert-snakeoil.key", Severity.MEDIUM, "key-file"),
    ("etc/ssl/private/site.pem", Severity.MEDIUM, "key-file"),
    ("app/deploy.PEM", Severity.MEDIUM, "key-file"),
    ("app/keystore.p12", Severity.MEDIUM, "key-file"),
    ("home/app/putty.ppk", Severity.MEDIUM, "key-file"),
    ("opt/dummyserver/certs/server.key", Severity.MEDIUM, "key-file"),
    ("opt/ca/cacert.key", Severity.MEDIUM, "key-file"),
    ("usr/lib/python3/dist-packages/tornado/test/test.key", Severity.LOW, "test-fixture"),
    ("srv/node_modules/x/testdata/ecdsa.pem", Severity.LOW, "test-fixture"),
])
def test_private_key_names(path: str, severity: Severity, category: str) -> None:
    [key] = scan(L([f(path, mode=0o600)]))
    assert key.check == "file/private-key-file"
    assert (key.path, key.severity, key.category) == (path, severity, category)
    assert "secret scanner" in key.description


@pytest.mark.parametrize("path", [
    "usr/lib/python3/dist-packages/certifi/cacert.pem",
    "etc/ssl/certs/ca-certificates.pem",
    "usr/share/ca-certificates/mozilla/x.pem",
    "app/fullchain.pem",
    "opt/grpc/_credentials/roots.pem",
    "usr/lib/ruby/vendor_ruby/rubygems/ssl_certs/rubygems.org/GlobalSignRootCA_R3.pem",
    "usr/share/gnupg/sks-keyservers.netCA.pem",
    "opt/app/certs/server.pem",
    "app/signing.pub.pem",
    "app/public.key",
    "app/release_pub.key",
    "usr/lib/jvm/lib/security/truststore.jks",
    "root/.ssh/id_rsa.pub",
    "app/identity",
])
def test_not_private_key_names(path: str) -> None:
    assert scan(L([f(path)])) == []


def test_empty_files_symlinks_and_packaged_keys() -> None:
    found = scan(L([
        f("root/.ssh/id_rsa", size=0),
        link("app/tls.key", "/run/secrets/tls.key"),
        f("usr/share/doc/libfoo/sample.key"),
        hard("app/copy.key", "usr/share/doc/libfoo/sample.key"),
    ]), packages=[deb("libfoo", "/usr/share/doc/libfoo/sample.key")])
    keys = by_check(found, "file/private-key-file")
    assert {(x.path, x.severity, x.category) for x in keys} == {
        ("usr/share/doc/libfoo/sample.key", Severity.LOW, "packaged"),
        ("app/copy.key", Severity.MEDIUM, "key-file"),  # a hard link is the same bytes under a new name
    }
    packaged = next(x for x in keys if x.category == "packaged")
    assert detail(packaged, "owner package") == "libfoo 1.0-1 (deb)"


def test_authorized_keys() -> None:
    found = scan(L([
        f("root/.ssh/authorized_keys", size=90, mode=0o600),
        f("home/dev/.ssh/authorized_keys2", size=90),
        f("home/empty/.ssh/authorized_keys", size=0),
        f("home/gone/.ssh/authorized_keys", size=90),
    ], created_by="COPY keys /root/.ssh/authorized_keys"), L(whiteouts=("home/gone",)))
    ak = by_check(found, "file/authorized-keys")
    assert {x.path for x in ak} == {"root/.ssh/authorized_keys", "home/dev/.ssh/authorized_keys2"}
    root = next(x for x in ak if x.path.startswith("root"))
    assert root.severity is Severity.MEDIUM
    assert detail(root, "home") == "/root"
    assert detail(root, "written by") == "layer 1 (COPY keys /root/.ssh/authorized_keys)"
