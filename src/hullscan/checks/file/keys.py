"""``file/ssh-host-key``, ``file/authorized-keys`` and ``file/private-key-file``: key material by name.

This module looks at file names and metadata only. Whether a ``.pem`` really holds a private key, or a private
key hides under an innocent name, is the secret scanner's job: it reads content, this scanner never does, so it
stays cheap enough to run on every image.

* SSH host keys (``ssh_host_*_key``, Dropbear's ``dropbear_*_host_key``) baked into an image are the same in
  every container started from it: one leaked image lets anyone impersonate all of them (HIGH).
* Private key files by name: OpenSSH identities (``id_rsa``, ``id_ed25519``... HIGH) and key containers
  (``*.key``, ``*.pem``, ``*.p12``, ``*.pfx``, ``*.ppk``, ``*.jks``, ``*.keystore``, ``*.p8``; MEDIUM).
  The system certificate stores, ``.key`` files that say public, and other containers whose name or directory
  says certificate, CA root or public key (``cacert.pem``, ``roots.pem``, ``GlobalSignRootCA.pem``,
  ``chain.pem``, ``*.pub.pem``, ``ssl_certs/x.pem``) are skipped. A key file an OS package installed, or one
  under a test-fixture directory (``tests/``, ``testdata/``...), is LOW: libraries ship well-known test keys,
  which are no secret.
* Both kinds are looked for in every layer, not only in the squashed view: a key a later layer deletes is
  still in the tar of the layer that wrote it, and anyone who pulls the image can read it there.
* ``authorized_keys`` (MEDIUM): every container from the image accepts logins with those keys, and they cannot
  be revoked without a rebuild. Only the squashed view counts (a deleted one grants nothing); empty ones are
  skipped (they grant nothing either).
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterator

from hullscan.checks.file.common import REGULAR, ImageIndex, Owners, describe_layer, layer_number, mode_string
from hullscan.model import FileEntry, FileKind, Finding, Severity

SSH_HOST_KEY = "file/ssh-host-key"
AUTHORIZED_KEYS = "file/authorized-keys"
PRIVATE_KEY_FILE = "file/private-key-file"

_HOST_KEY = re.compile(r"ssh_host_(?:\w+_)?key|dropbear_\w+_host_key")
_SSH_IDENTITIES = frozenset({"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk"})
_AUTHORIZED_KEYS = ("authorized_keys", "authorized_keys2")
_NAME_PREFIXES = ("ssh_host_", "dropbear_", "id_", "identity")
_KEY_SUFFIXES = (".key", ".pem", ".p12", ".pfx", ".ppk", ".jks", ".keystore", ".p8")
# A name with one of these says certificate, bundle or public key, not a private key.
_NOT_PRIVATE = re.compile(r"cert|bundle|chain|trust|public|roots?(?:ca)?[._-]|(?:^|[._-])pub(?:[._-]|$)|ca\.pem$")
_PUBLIC = re.compile(r"public|(?:^|[._-])pub(?:[._-]|$)")
"""A ``.key`` is private unless it says public: ``ssl-cert-snakeoil.key`` is the snakeoil *private* key."""
_CERT_STORES = (
    "etc/ssl/certs/", "usr/share/ca-certificates/", "usr/local/share/ca-certificates/", "etc/ca-certificates/",
    "etc/pki/ca-trust/", "etc/pki/tls/certs/", "usr/share/pki/", "etc/pki/java/",
)
_PRIVATE_DIRS = ("etc/ssl/private/", "etc/pki/tls/private/")
_TEST_DIRS = frozenset({
    "test", "tests", "testdata", "test_data", "testing", "fixtures", "__tests__", "spec", "specs", "example",
    "examples", "demo",
})

_KEY_REMEDIATION = (
    "Remove the key from the image, not only from the last layer: use it at build time through "
    "`RUN --mount=type=secret` or `--mount=type=ssh` (BuildKit), or provide it at run time as a mounted secret. "
    "Rotate it: anyone who can pull the image has a copy. A later `RUN rm` leaves it in the layer that added it."
)
_HOST_KEY_REMEDIATION = (
    "Do not bake host keys into the image: delete them in the same RUN that installs the SSH server "
    "(`rm -f /etc/ssh/ssh_host_*`) and generate them when the container starts (`ssh-keygen -A` in the "
    "entrypoint), or mount them as secrets. Deleting them in a later layer is not enough: the layer that wrote "
    "them still carries them."
)


def _host_key(name: str) -> bool:
    return _HOST_KEY.fullmatch(name) is not None


def _key_kind(path: str, name: str) -> str | None:
    """``ssh-identity``, ``key-file`` or ``None`` for a path that is not a private key by name."""
    if name in _SSH_IDENTITIES or (name == "identity" and path.endswith(".ssh/identity")):
        return "ssh-identity"
    lower = name.lower()
    if not lower.endswith(_KEY_SUFFIXES) or path.startswith(_CERT_STORES):
        return None
    if path.startswith(_PRIVATE_DIRS):
        return "key-file"
    if lower.endswith(".key"):
        return None if _PUBLIC.search(lower) else "key-file"
    # A .pem or keystore in a directory named for certificates (certs/, ssl_certs/) holds certificates.
    if _NOT_PRIVATE.search(lower) or "cert" in path.rpartition("/")[0].lower():
        return None
    return "key-file"


def _candidate(entry: FileEntry) -> bool:
    # Hard links carry no size of their own; an empty regular file holds no key.
    return entry.kind in REGULAR and (entry.kind is FileKind.HARDLINK or entry.size > 0)


def _shipped(index: ImageIndex) -> Iterator[tuple[str, str, list[tuple[int, FileEntry]]]]:
    """(check, path, [(layer position, entry)...]) for every host key and key file in any layer."""
    found: defaultdict[tuple[str, str], list[tuple[int, FileEntry]]] = defaultdict(list)
    for pos, facts in enumerate(index.facts):
        for entry in facts.files:
            path = entry.path
            name = path[path.rfind("/") + 1:]
            # C-level tests first: nearly every path fails both, and only the rest pays for the rules below.
            if not name.startswith(_NAME_PREFIXES) and not name[-9:].lower().endswith(_KEY_SUFFIXES):
                continue
            if _host_key(name):
                check = SSH_HOST_KEY
            elif _key_kind(entry.path, name) is not None:
                check = PRIVATE_KEY_FILE
            else:
                continue
            if _candidate(entry):
                found[(check, entry.path)].append((pos, entry))
    for (check, path), copies in found.items():
        yield check, path, copies


def _key_finding(index: ImageIndex, owners: Owners, check: str, path: str,
                 copies: list[tuple[int, FileEntry]]) -> Finding:
    visible = index.visible.get(path)
    pos, entry = copies[-1]
    shown = visible is not None and any(p == visible[1] for p, _ in copies)
    if shown and visible is not None:
        entry, pos = visible
    ref = index.layers[pos]
    details: list[tuple[str, str]] = [("written by", describe_layer(ref))]
    if not shown:
        removed = index.remover(path, pos)
        if removed is not None:
            label = "replaced in" if removed[1] else "deleted in"
            details.append((label, describe_layer(index.layers[removed[0]])))
        digest = ref.digest or ref.diff_id
        details.append(("still shipped", f"in the tar of layer {layer_number(ref)} (digest {digest})"))
    earlier = [index.layers[p] for p, _ in copies if p != pos]
    if earlier:
        details.append(("other copies in", ", ".join(describe_layer(r) for r in earlier)))
    where = "" if shown else " (deleted later, still in the image's layers)"
    name = posixpath.basename(path)
    if check == SSH_HOST_KEY:
        return Finding(
            check=check, id=check, severity=Severity.HIGH,
            title=f"SSH host private key in the image{where}: /{path}",
            description=(
                f"/{path} is an SSH server host key. Every container started from this image presents the same "
                "key, so anyone with the image can impersonate any of them to clients, or decrypt traffic "
                "recorded from older key exchanges with non-forward-secret ciphers."
            ),
            remediation=_HOST_KEY_REMEDIATION, target="/" + path, layer=ref, path=path,
            evidence=mode_string(entry), details=tuple(details), category="ssh-host-key",
        )
    kind = _key_kind(path, name) or "key-file"
    package = owners.owner(path) if shown else None
    test_fixture = any(part in _TEST_DIRS for part in path.split("/")[:-1])
    if package is not None:
        severity, category = Severity.LOW, "packaged"
        details.append(("owner package", f"{package.name} {package.version} ({package.type.value})"))
    elif test_fixture:
        severity, category = Severity.LOW, "test-fixture"
    else:
        severity, category = (Severity.HIGH if kind == "ssh-identity" else Severity.MEDIUM), kind
    what = "SSH private key" if kind == "ssh-identity" else "Private key file (by name)"
    return Finding(
        check=check, id=check, severity=severity,
        title=f"{what} in the image{where}: /{path}",
        description=(
            f"/{path} is named like {'an OpenSSH identity' if kind == 'ssh-identity' else 'a key or keystore file'}. "
            "Anyone who can pull the image can copy it. Its content is not read here; the secret scanner "
            "confirms whether it holds a private key."
            + (" It lies in a test-fixture directory, where libraries keep well-known test keys." if test_fixture
               else "")
        ),
        remediation=_KEY_REMEDIATION, target="/" + path, layer=ref, path=path,
        evidence=mode_string(entry), details=tuple(details), category=category,
    )


def _authorized_keys(index: ImageIndex) -> Iterator[Finding]:
    for path, (entry, pos) in index.visible.items():
        if not path.endswith(_AUTHORIZED_KEYS) or not _candidate(entry):
            continue
        if posixpath.basename(path) not in _AUTHORIZED_KEYS:
            continue
        ref = index.layers[pos]
        account = posixpath.dirname(posixpath.dirname(entry.path)) or "/"
        yield Finding(
            check=AUTHORIZED_KEYS, id=AUTHORIZED_KEYS, severity=Severity.MEDIUM,
            title=f"SSH authorized_keys baked into the image: /{entry.path}",
            description=(
                f"Every container started from this image accepts SSH logins with the keys in /{entry.path}, "
                "and they cannot be revoked without rebuilding and redeploying the image."
            ),
            remediation=(
                "Provide login keys at run time (a mounted secret or volume, or your platform's access mechanism "
                "such as `docker exec`/`kubectl exec`) instead of building them into the image."
            ),
            target="/" + entry.path, layer=ref, path=entry.path, evidence=mode_string(entry),
            details=(("home", "/" + account if account != "/" else "/"), ("bytes", str(entry.size)),
                     ("written by", describe_layer(ref))),
            category="ssh",
        )


def check(index: ImageIndex, owners: Owners) -> Iterator[Finding]:
    """Host keys and private key files in any layer, then authorized_keys files in the squashed view."""
    for check_id, path, copies in _shipped(index):
        yield _key_finding(index, owners, check_id, path, copies)
    yield from _authorized_keys(index)
