"""The scanner over layered views: secrets deleted or overwritten in a later layer are still reported with both
layers named, repeated sightings are one finding, and the image config (Env, Labels, history) is scanned."""

from __future__ import annotations

from datetime import date

from checks.secret.samples import SAMPLES
from hullscan.checks.base import CheckContext, ScannerConfig
from hullscan.checks.secret import SecretScanner
from hullscan.image.squash import SquashedView
from hullscan.model import ContainerConfig, Finding, HistoryEntry, ImageConfig, ImageInfo, Inventory, Layer, Severity
from support.views import Dir, Whiteout, view_of

SCANNER = SecretScanner(ScannerConfig())
_, KEY_HEAD, KEY_BODY, KEY_TAIL = SAMPLES["private-key"]
KEY = (KEY_HEAD + KEY_BODY + KEY_TAIL).encode()
_, _, TOKEN, _ = SAMPLES["github-pat"]
_, _, STRIPE, _ = SAMPLES["stripe-secret-key"]


def image(view: SquashedView, *, env: tuple[str, ...] = (), labels: tuple[tuple[str, str], ...] = (),
          history: tuple[HistoryEntry, ...] = ()) -> ImageInfo:
    layers = tuple(Layer(r.index, r.digest, r.diff_id, "", 0, r.created_by) for r in view.layers)
    config = ImageConfig("sha256:" + "c" * 64, "linux", "amd64", "", "", tuple(r.diff_id for r in view.layers),
                         history, ContainerConfig(env=env, labels=labels))
    return ImageInfo("test", "oci", "", config, layers)


def check(view: SquashedView, **kw: object) -> list[Finding]:
    info = image(view, **kw)  # type: ignore[arg-type]
    ctx = CheckContext(info, view, Inventory(None), (), ScannerConfig(), date(2025, 1, 1))
    return list(SCANNER.check(ctx))


def details(f: Finding) -> dict[str, str]:
    return dict(f.details)


def test_visible_secret() -> None:
    view = view_of([SCANNER.extractor], {"root/.ssh/id_ed25519": KEY})
    (f,) = check(view)
    assert (f.check, f.id, f.severity, f.category) == ("secret/private-key", "private-key", Severity.HIGH,
                                                        "AsymmetricPrivateKey")
    assert (f.path, f.line, f.target) == ("root/.ssh/id_ed25519", 1, "/root/.ssh/id_ed25519")
    assert f.layer is not None and f.layer.index == 0
    assert details(f)["in the final filesystem"] == "yes"
    assert f.evidence == KEY_BODY[:4] + "*" * 32 + KEY_BODY[-4:]
    assert "rotate" in f.remediation and "later layer" in f.remediation


def test_added_in_one_layer_deleted_in_the_next_is_reported_with_both_layers() -> None:
    view = view_of([SCANNER.extractor], {"root/.ssh/id_ed25519": KEY, "app/run.sh": b"echo hi\n"},
                   {"root/.ssh/id_ed25519": Whiteout()})
    (f,) = check(view)
    assert f.layer is not None and f.layer.index == 0
    d = details(f)
    assert d["added in"].startswith("layer 1 (sha256:0000") and d["added in"].endswith(": step 0")
    assert d["deleted in"].startswith("layer 2 (") and d["deleted in"].endswith(": step 1")
    assert d["in the final filesystem"].startswith("no")
    assert "added in layer 1 and deleted in layer 2" in f.description


def test_deleted_with_its_directory_or_hidden_by_an_opaque_directory() -> None:
    by_dir = view_of([SCANNER.extractor], {"root/.ssh/id_ed25519": KEY}, {"app/x": b"x"}, {"root/.ssh": Whiteout()})
    (f,) = check(by_dir)
    assert details(f)["deleted in"].startswith("layer 3 (")
    # An opaque marker, as the walker records it (support.views has no opaque entries of its own).
    from dataclasses import replace

    base = view_of([SCANNER.extractor], {"root/.ssh/id_ed25519": KEY}, {"root/.ssh": Dir()})
    layers = list(base.layer_facts())
    ref1, facts1 = layers[1]
    opaque = SquashedView([layers[0], (ref1, replace(facts1, opaque_dirs=("root/.ssh",)))])
    (g,) = check(opaque)
    assert details(g)["deleted in"].startswith("layer 2 (")


def test_overwritten_with_other_content() -> None:
    view = view_of([SCANNER.extractor], {"app/.env": f"STRIPE={STRIPE}\n".encode()}, {"app/.env": b"STRIPE=\n"})
    (f,) = check(view)
    assert f.id == "stripe-secret-key"
    assert details(f)["overwritten in"].startswith("layer 2 (")


def test_same_secret_in_several_layers_is_one_finding_from_the_first() -> None:
    content = f"TOKEN={TOKEN}\n".encode()
    view = view_of([SCANNER.extractor], {"app/.env": content}, {"app/.env": b"# moved\n" + content})
    (f,) = check(view)
    assert f.layer is not None and f.layer.index == 0
    assert f.line == 1  # the first sighting's line
    d = details(f)
    assert d["in the final filesystem"] == "yes" and d["also written in"].startswith("layer 2 (")


def test_different_secrets_at_one_path_are_separate_findings() -> None:
    other = "ghp_" + TOKEN[4:][::-1]
    view = view_of([SCANNER.extractor], {"app/.env": f"T={TOKEN}\n".encode()}, {"app/.env": f"T={other}\n".encode()})
    found = sorted((f.layer.index if f.layer else -1, details(f)["in the final filesystem"][:2]) for f in check(view))
    assert found == [(0, "no"), (1, "ye")]


def test_env_labels_and_history() -> None:
    view = view_of([SCANNER.extractor], {"app/x": b"x"}, {"app/y": b"y"})
    env = ("PATH=/usr/bin", f"GITHUB_TOKEN={TOKEN}")
    history = (
        HistoryEntry(created_by="/bin/sh -c #(nop) ADD file:abc in / "),
        HistoryEntry(created_by=f"/bin/sh -c #(nop)  ENV GITHUB_TOKEN={TOKEN}", empty_layer=True),
        HistoryEntry(created_by=f"|1 STRIPE_KEY={STRIPE} /bin/sh -c ./configure --key $STRIPE_KEY"),
    )
    findings = check(view, env=env, labels=(("maintainer", "x"), ("deploy.key", STRIPE)), history=history)
    by_path = {f.path: f for f in findings}
    assert set(by_path) == {"config:Env", "config:Labels", "history[2]"}
    e = by_path["config:Env"]
    assert (e.id, e.line, e.layer) == ("github-pat", 2, None)
    assert details(e)["also in"] == "history[1]"  # the ENV step: one finding, not two
    lab = by_path["config:Labels"]
    assert (lab.id, lab.line) == ("stripe-secret-key", 2)
    h = by_path["history[2]"]
    assert h.id == "stripe-secret-key" and h.layer is not None and h.layer.index == 1  # the RUN made layer 2
    for f in findings:
        for clear in (TOKEN, STRIPE):
            assert clear not in repr(f), f"clear secret in {f.path}"


def test_layer_descriptions_are_masked_when_history_holds_a_secret() -> None:
    view = view_of([SCANNER.extractor], {"app/.env": f"T={TOKEN}\n".encode()})
    # The layer's created_by carries a build argument in clear; every finding naming the layer masks it.
    leaky = view.layers[0].__class__(0, view.layers[0].digest, view.layers[0].diff_id, f"|1 T={TOKEN} /bin/sh -c x")
    facts = [f for _, f in view.layer_facts()]
    view = SquashedView([(leaky, facts[0])])
    findings = check(view, history=(HistoryEntry(created_by=leaky.created_by),))
    assert len(findings) == 2
    for f in findings:
        assert TOKEN not in repr(f)
        assert f.layer is not None and "ghp_****" in f.layer.created_by


def test_no_config_no_payloads_no_findings() -> None:
    view = view_of([SCANNER.extractor], {"app/readme.txt": b"hello\n"})
    assert check(view) == []
