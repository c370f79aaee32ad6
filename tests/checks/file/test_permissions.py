"""file/setuid, file/setgid, file/world-writable over the squashed view."""

from __future__ import annotations

from checks.file.helpers import L, by_check, d, deb, detail, dev, f, hard, link, scan
from hullscan.model import Severity


def test_unowned_setuid_root_is_high_with_mode_evidence() -> None:
    found = scan(L([f("usr/local/bin/helper", mode=0o4755)], created_by="COPY helper /usr/local/bin/"))
    [finding] = by_check(found, "file/setuid")
    assert finding.severity is Severity.HIGH
    assert finding.category == "unowned"
    assert finding.evidence == "-rwsr-xr-x root:root"
    assert finding.path == "usr/local/bin/helper"
    assert finding.target == "/usr/local/bin/helper"
    assert finding.layer is not None and finding.layer.created_by == "COPY helper /usr/local/bin/"
    assert detail(finding, "owner package") == "none"
    assert detail(finding, "mode") == "4755"


def test_setuid_of_a_non_root_user_is_medium() -> None:
    [finding] = by_check(scan(L([f("opt/app/run", mode=0o4750, uid=1000, gid=1000)])), "file/setuid")
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence == "-rwsr-x--- 1000:1000"


def test_distro_setuid_owned_through_a_merged_usr_symlink_is_low() -> None:
    # dpkg lists /bin/su while the tar holds usr/bin/su and bin -> usr/bin (Debian's merged /usr).
    layer = L([link("bin", "usr/bin"), f("usr/bin/su", mode=0o4755), f("usr/bin/passwd", mode=0o4755)])
    packages = [deb("util-linux", "/bin/su"), deb("passwd", "/usr/bin/passwd")]
    found = by_check(scan(layer, packages=packages), "file/setuid")
    assert {(x.path, x.severity, x.category) for x in found} == {
        ("usr/bin/su", Severity.LOW, "distro"), ("usr/bin/passwd", Severity.LOW, "distro")}
    su = next(x for x in found if x.path == "usr/bin/su")
    assert detail(su, "owner package") == "util-linux 1.0-1 (deb)"
    assert su.package is None  # the owner is a detail, not the finding's (vulnerable) package


def test_setgid_and_both_bits() -> None:
    found = scan(L([f("usr/bin/wall", mode=0o2755, gid=5), f("usr/local/bin/both", mode=0o6755)]))
    setgid = by_check(found, "file/setgid")
    assert {x.path for x in setgid} == {"usr/bin/wall", "usr/local/bin/both"}
    wall = next(x for x in setgid if x.path == "usr/bin/wall")
    assert wall.evidence == "-rwxr-sr-x root:5"
    assert wall.severity is Severity.MEDIUM
    assert [x.path for x in by_check(found, "file/setuid")] == ["usr/local/bin/both"]


def test_inert_bits_and_setgid_directories_are_not_reported() -> None:
    found = scan(L([f("data/flag", mode=0o4644), d("var/mail", mode=0o2775), d("var/local", mode=0o2775)]))
    assert found == []


def test_a_later_chmod_removes_the_finding_and_attribution_follows_the_last_writer() -> None:
    found = scan(L([f("usr/local/bin/a", mode=0o4755), f("usr/local/bin/b", mode=0o755)]),
                 L([f("usr/local/bin/a", mode=0o755), f("usr/local/bin/b", mode=0o4755)],
                   created_by="RUN chmod u+s /usr/local/bin/b"))
    [finding] = by_check(found, "file/setuid")
    assert finding.path == "usr/local/bin/b"
    assert finding.layer is not None and finding.layer.index == 1


def test_hard_link_to_a_setuid_file() -> None:
    found = by_check(scan(L([f("usr/bin/mount", mode=0o4755), hard("usr/bin/mount.old", "usr/bin/mount", 0o4755)]),
                          packages=[deb("mount", "usr/bin/mount")]), "file/setuid")
    linked = next(x for x in found if x.path == "usr/bin/mount.old")
    assert detail(linked, "hard link to") == "/usr/bin/mount"
    assert linked.category == "distro"  # owned through the name it links to


def test_world_writable() -> None:
    found = scan(L([
        f("etc/app.conf", mode=0o666),
        d("srv/upload", mode=0o777),
        d("tmp", mode=0o1777),
        link("usr/bin/vi", "vim"),
        dev("dev/null"),
        f("etc/ok.conf", mode=0o644),
    ]))
    ww = by_check(found, "file/world-writable")
    assert {(x.path, x.category) for x in ww} == {("etc/app.conf", "file"), ("srv/upload", "directory")}
    upload = next(x for x in ww if x.path == "srv/upload")
    assert upload.evidence == "drwxrwxrwx root:root"
    assert upload.severity is Severity.MEDIUM
    assert "chmod 1777 /srv/upload" in upload.remediation
    assert len(found) == 2
