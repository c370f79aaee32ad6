"""lang/gem: Trivy's gemspec fixtures, the gemspec shapes RubyGems writes, layers, damage, and a real Ruby.

Expected values are EXPECTED.md's "Ruby, PHP, .NET, Conda" section (from Trivy's gemspec parse_test.go and
gemspec_test.go). One deliberate difference: ``normal01.gemspec`` assigns ``spec.licenses = "MIT"`` (a string,
commented "# invalid"); Trivy reports no licence, RubyGems reads ``["MIT"]`` (``Gem::Specification.load``, checked
in :func:`test_fixtures_agree_with_ruby`), and so does hullscan.

The real-install test scans the gemspecs of this machine's Ruby (Debian's ``ruby`` and ``ruby-rack``, which puts
rack's gemspec under ``/usr/share/rubygems-integration``) and compares with ``gem list --local`` and with the
licences Ruby itself loads.
"""

from __future__ import annotations

import doctest
import json
import random
import re
import shutil
import subprocess
import time
from pathlib import Path

import msgspec
import pytest

from hullscan.extract import gem
from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.gem import NAME, GemSpec, GemspecExtractor, parse_gemspec
from hullscan.extract.lockfile import license_names
from hullscan.extract.packages import PackageAssembler
from hullscan.image.facts import encode_payload
from hullscan.model import FileEntry, FileKind, Package, PackageType
from support.lang_locks import LangLayer, locks_dir_entries, locks_scan_image, locks_walk

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
RUBY = FIXTURES / "lang" / "ruby"
SPECS = "usr/local/bundle/specifications"


def fixture(name: str) -> bytes:
    return (RUBY / name).read_bytes()


def packages_of(*layers: LangLayer) -> list[Package]:
    view, _ = locks_walk([GemspecExtractor()], *layers)
    return GemspecExtractor().packages(view, None)


def spec(body: str, var: str = "s") -> bytes:
    return f"# -*- encoding: utf-8 -*-\nGem::Specification.new do |{var}|\n{body}\nend\n".encode()


# ---------------------------------------------------------------------------------------------- protocol


def test_protocols() -> None:
    ext: Extractor[GemSpec] = GemspecExtractor()
    assert (ext.name, ext.version, ext.payload_type) == ("lang/gem", 1, GemSpec)
    assert isinstance(GemspecExtractor(), PackageAssembler)


@pytest.mark.parametrize(
    ("path", "kind", "wanted"),
    [
        ("usr/local/bundle/specifications/rake-13.0.3.gemspec", FileKind.FILE, True),
        ("usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec", FileKind.FILE, True),
        ("usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec", FileKind.FILE, True),
        ("specifications/x-1.gemspec", FileKind.FILE, True),
        ("usr/local/bundle/specifications/rake-13.0.3.gemspec", FileKind.HARDLINK, True),
        ("usr/local/bundle/specifications/rake-13.0.3.gemspec", FileKind.SYMLINK, False),
        ("usr/local/bundle/gems/rake-13.0.3/rake.gemspec", FileKind.FILE, False),
        ("app/myapp.gemspec", FileKind.FILE, False),
        ("usr/local/bundle/specifications/rake-13.0.3.gemspec.bak", FileKind.FILE, False),
        ("usr/local/bundle/specifications/default/x/y.gemspec", FileKind.FILE, False),
        ("usr/local/bundle/my-specifications/x.gemspec", FileKind.FILE, False),
    ],
    ids=["gem-home", "default-gem", "debian", "at-root", "hardlink", "symlink", "gem-source", "app-source",
         "backup", "too-deep", "lookalike-dir"],
)
def test_wants(path: str, kind: FileKind, wanted: bool) -> None:
    assert GemspecExtractor().wants(path, FileEntry(path, kind, 0o644, 10)) is wanted


def test_extract_ignores_other_paths() -> None:
    assert GemspecExtractor().extract("app/myapp.gemspec", fixture("normal00.gemspec")) is None


def test_doctests() -> None:
    result = doctest.testmod(gem, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------- Trivy's fixtures


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("normal00.gemspec", ("rake", "13.0.3", ("MIT",))),
        ("normal01.gemspec", ("async", "1.25.0", ("MIT",))),  # Trivy: no licence; RubyGems: MIT (module doc)
        ("license.gemspec", ("async", "1.25.0", ("MIT",))),
        ("multiple_licenses.gemspec", ("test-unit", "3.3.7", ("Ruby", "BSDL", "PSFL"))),
    ],
    ids=["normal00", "normal01", "license", "multiple-licenses"],
)
def test_fixture(name: str, want: tuple[str, str, tuple[str, ...]]) -> None:
    got = parse_gemspec(fixture(name), name)
    assert got is not None
    assert (got.name, got.version, got.licenses) == want
    (p,) = packages_of({f"{SPECS}/{name}": fixture(name)})
    assert (p.type, p.name, p.version, p.licenses) == (PackageType.GEM, *want)
    assert p.purl == f"pkg:gem/{want[0]}@{want[1]}"
    assert (p.found_in, p.extractor, p.arch, p.namespace) == (f"{SPECS}/{name}", NAME, "", "")
    assert not p.declared and not p.main_module
    assert p.layer is not None and p.layer.index == 0


def test_empty_name_is_no_package() -> None:
    assert parse_gemspec(fixture("analyzer-empty_name.gemspec")) is None
    view, warnings = locks_walk([GemspecExtractor()], {f"{SPECS}/x.gemspec": fixture("analyzer-empty_name.gemspec")})
    assert GemspecExtractor().packages(view, None) == []
    assert warnings == []


@pytest.mark.parametrize("name", ["malformed00.gemspec", "malformed01.gemspec"])
def test_malformed_fixture(name: str) -> None:
    with pytest.raises(ExtractError, match="failed to parse gemspec"):
        parse_gemspec(fixture(name), name)
    # In an image: one warning naming the file, the other gems still found.
    view, warnings = locks_walk(
        [GemspecExtractor()], {f"{SPECS}/{name}": fixture(name), f"{SPECS}/rake.gemspec": fixture("normal00.gemspec")}
    )
    assert [p.name for p in GemspecExtractor().packages(view, None)] == ["rake"]
    assert [(w.path, w.extractor) for w in warnings] == [(f"{SPECS}/{name}", NAME)]
    assert "failed to parse gemspec" in warnings[0].message


def test_every_fixture_in_one_image(tmp_path: Path) -> None:
    entries = locks_dir_entries((f, f"{SPECS}/{f.name}") for f in sorted(RUBY.glob("*.gemspec")))
    result = locks_scan_image(tmp_path / "oci", [GemspecExtractor()], [entries])
    got = sorted((p.name, p.version, p.licenses) for p in result.inventory.packages)
    assert got == [
        ("async", "1.25.0", ("MIT",)),
        ("async", "1.25.0", ("MIT",)),
        ("rake", "13.0.3", ("MIT",)),
        ("test-unit", "3.3.7", ("Ruby", "BSDL", "PSFL")),
    ]
    assert sorted(w.path.rpartition("/")[2] for w in result.inventory.warnings) == [
        "malformed00.gemspec",
        "malformed01.gemspec",
    ]
    for p in result.inventory.packages:
        assert p.layer is not None and p.layer.created_by == "hullscan-test layer 0"
        assert p.layer.diff_id == result.image.layers[0].diff_id


@pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is not installed (Debian package 'ruby')")
def test_fixtures_agree_with_ruby() -> None:
    """RubyGems' own ``Gem::Specification.load`` on every fixture: same name, version and licences, or an error
    (or an empty version) where hullscan raises."""
    script = (
        "require 'json'; out = {}; ARGV.each { |f| s = (Gem::Specification.load(f) rescue nil); "
        "out[File.basename(f)] = s && [s.name, s.version.to_s, s.licenses] }; puts JSON.generate(out)"
    )
    files = sorted(str(f) for f in RUBY.glob("*.gemspec"))
    run = subprocess.run(["ruby", "-e", script, *files], capture_output=True, text=True, check=True, timeout=60)
    ruby: dict[str, list[object] | None] = json.loads(run.stdout)
    for name, loaded in ruby.items():
        try:
            ours = parse_gemspec(fixture(name), name)
        except ExtractError:
            assert loaded is None or loaded[1] == "", name  # Ruby fails, or loads a gem without a version
            continue
        if ours is None:
            assert loaded is not None and loaded[0] == "", name
            continue
        assert loaded == [ours.name, ours.version, list(ours.licenses)], name


# ---------------------------------------------------------------------------------------------- gemspec shapes


@pytest.mark.parametrize(
    ("body", "want"),
    [
        ('  s.name = "rack".freeze\n  s.version = "2.2.22"', ("rack", "2.2.22", ())),
        ("  s.name = 'rack'\n  s.version = '2.2.22'", ("rack", "2.2.22", ())),
        ("  s.name = %q{rack}\n  s.version = Gem::Version.new(\"1.0.0.pre\")", ("rack", "1.0.0.pre", ())),
        ('  s.name = "x"\n  s.version = Gem::Version.new( "2.0" ).freeze', ("x", "2.0", ())),
        ('  s.name = "x"\n  s.version = "1"\n  s.license = "MIT".freeze', ("x", "1", ("MIT",))),
        ('  s.name = "x"\n  s.version = "1"\n  s.licenses = %w(MIT Ruby)', ("x", "1", ("MIT", "Ruby"))),
        ('  s.name = "x"\n  s.version = "1"\n  s.licenses = ["MIT".freeze,"Apache-2.0".freeze]',
         ("x", "1", ("MIT", "Apache-2.0"))),
        ('  s.name = "x"\n  s.version = "1"\n  s.licenses = [\n    "MIT",\n    "Ruby"\n  ]',
         ("x", "1", ("MIT", "Ruby"))),
        ('  s.name = "x"\n  s.version = "1"\n  s.licenses = []', ("x", "1", ())),
        ('  s.name = "x" # the name\n  s.version = "1" # and version', ("x", "1", ())),
        ('  # s.name = "commented"\n  s.name = "x"\n  s.version = "1"', ("x", "1", ())),
        ('  s.name = "old"\n  s.version = "1"\n  s.name = "new"', ("new", "1", ())),
        ('  s.name = "x"\n  s.version = "1"\n  if s.version == "1"\n  end', ("x", "1", ())),
        ('  s.name = "Andr\\u00E9"\n  s.version = "1"', ("André", "1", ())),
        ('  s.name = "x"\n  s.version = "1"\n  s.add_dependency(%q<name>.freeze, [">= 0"])', ("x", "1", ())),
    ],
    ids=["freeze", "single-quotes", "percent-q-and-version-new", "version-new-freeze", "license-string",
         "percent-w", "array-no-space", "array-multiline", "empty-array", "trailing-comments", "commented-line",
         "last-wins", "comparison-not-assignment", "unicode-escape", "dependency-lines"],
)
def test_gemspec_shapes(body: str, want: tuple[str, str, tuple[str, ...]]) -> None:
    got = parse_gemspec(spec(body))
    assert got is not None
    assert (got.name, got.version, got.licenses) == want


def test_block_variable_is_honoured() -> None:
    got = parse_gemspec(spec('  spec.name = "x"\n  spec.version = "1"', var="spec"))
    assert got is not None and got.name == "x"
    with pytest.raises(ExtractError, match=r"no spec\.name assignment"):
        parse_gemspec(spec('  s.name = "x"\n  s.version = "1"', var="spec"))


def test_brace_block() -> None:
    got = parse_gemspec(b'Gem::Specification.new { |g|\n  g.name = "x"\n  g.version = "3"\n}\n')
    assert got is not None and (got.name, got.version) == ("x", "3")


def test_platform_gem() -> None:
    data = spec('  s.name = "nokogiri".freeze\n  s.version = "1.13.10"\n  s.platform = "x86_64-linux".freeze\n'
                '  s.licenses = ["MIT".freeze]')
    (p,) = packages_of({f"{SPECS}/nokogiri-1.13.10-x86_64-linux.gemspec": data})
    assert (p.name, p.version, p.arch) == ("nokogiri", "1.13.10", "x86_64-linux")
    assert p.purl == "pkg:gem/nokogiri@1.13.10?platform=x86_64-linux"
    ruby = parse_gemspec(spec('  s.name = "x"\n  s.version = "1"\n  s.platform = "ruby"'))
    assert ruby is not None and ruby.platform == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'spec.name = "x"\nspec.version = "1"\n', "no Gem::Specification.new block"),
        (spec('  s.version = "1"'), "no s.name assignment"),
        (spec('  s.name = "x"'), "no version for gem 'x'"),
        (spec('  s.name = "x"\n  s.version = VERSION'), "no version for gem 'x'"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), "no Gem::Specification.new block"),
        (random.Random(3).randbytes(2048).replace(b"\x00", b""), "no Gem::Specification.new block"),
        (b"", "no Gem::Specification.new block"),
    ],
    ids=["no-block", "no-name", "no-version", "version-constant", "elf", "random", "empty"],
)
def test_broken_gemspec(data: bytes, message: str) -> None:
    with pytest.raises(ExtractError, match=re.escape(message)):
        parse_gemspec(data, f"{SPECS}/x.gemspec")
    view, warnings = locks_walk([GemspecExtractor()], {f"{SPECS}/x.gemspec": data})
    assert GemspecExtractor().packages(view, None) == []
    assert len(warnings) == 1 and warnings[0].extractor == NAME


def test_unterminated_string_is_skipped() -> None:
    with pytest.raises(ExtractError, match="no version"):
        parse_gemspec(spec('  s.name = "x"\n  s.version = "1'))


def test_nul_separated_stub_line() -> None:
    """RubyGems writes a default gem's extensions NUL-separated in a stub comment (Ruby 3.1's digest gemspec)."""
    data = b"# stub: digest 3.1.0 ruby lib\n# stub: ext/a/extconf.rb\x00ext/b/extconf.rb\n" + spec(
        '  s.name = "digest".freeze\n  s.version = "3.1.0"'
    )
    got = parse_gemspec(data)
    assert got is not None and (got.name, got.version) == ("digest", "3.1.0")


def test_surrogate_escape() -> None:
    """``"\\uD800"`` is a valid Ruby escape but no UTF-8: replaced, so the payload can be cached."""
    (p,) = packages_of({f"{SPECS}/x.gemspec": spec('  s.name = "x\\uD800"\n  s.version = "1"')})
    assert p.name == "x\ufffd"


def test_invalid_utf8() -> None:
    got = parse_gemspec(spec('  s.name = "x"\n  s.version = "1"\n  s.summary = "\xff"').replace(b"\xc3\xbf", b"\xff"))
    assert got is not None and got.name == "x"


def test_payload_survives_the_cache_encoding() -> None:
    got = parse_gemspec(fixture("multiple_licenses.gemspec"))
    assert msgspec.json.decode(encode_payload(got), type=GemSpec) == got


# ---------------------------------------------------------------------------------------------- layers


def test_gem_installed_in_a_later_layer_and_removed_again() -> None:
    base = {f"{SPECS}/rake-13.0.3.gemspec": fixture("normal00.gemspec")}
    added = {f"{SPECS}/test-unit-3.3.7.gemspec": fixture("multiple_licenses.gemspec")}
    got = {p.name: p for p in packages_of(base, added)}
    assert {n: p.layer.index for n, p in got.items() if p.layer} == {"rake": 0, "test-unit": 1}
    assert got["test-unit"].layer is not None and got["test-unit"].layer.created_by == "step 1"
    gone = packages_of(base, added, {f"{SPECS}/test-unit-3.3.7.gemspec": None})
    assert [p.name for p in gone] == ["rake"]


def test_gem_upgraded_in_a_later_layer() -> None:
    old = spec('  s.name = "rack"\n  s.version = "2.2.3"')
    new = spec('  s.name = "rack"\n  s.version = "2.2.22"')
    got = packages_of(
        {f"{SPECS}/rack-2.2.3.gemspec": old},
        {f"{SPECS}/rack-2.2.3.gemspec": None, f"{SPECS}/rack-2.2.22.gemspec": new},
    )
    assert [(p.version, p.layer.index if p.layer else None) for p in got] == [("2.2.22", 1)]


# ---------------------------------------------------------------------------------------------- speed


def test_speed_of_a_large_gemspec() -> None:
    """bundler's gemspec has a 10 kB ``s.files`` line; 2,000 such files parse well under a second."""
    body = '  s.name = "big".freeze\n  s.version = "1.0"\n  s.files = [' + ", ".join(
        f'"lib/big/file{i}.rb".freeze' for i in range(400)
    ) + ']\n  s.licenses = ["MIT".freeze]'
    data = spec(body)
    started = time.perf_counter()
    for _ in range(2000):
        parse_gemspec(data)
    assert time.perf_counter() - started < 2.0


# ---------------------------------------------------------------------------------------------- a real Ruby


def _ruby_gem_dirs() -> list[Path]:
    out = subprocess.run(["gem", "env", "paths"], capture_output=True, text=True, check=True, timeout=60).stdout
    return [Path(p) for p in out.strip().split(":") if p]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("gem") is None, reason="ruby is not installed (Debian packages 'ruby ruby-rack')")
def test_real_ruby_install(tmp_path: Path) -> None:
    """This machine's installed gems, layered into an image at their real paths, against ``gem list --local``."""
    specs: list[Path] = []
    for gem_dir in _ruby_gem_dirs():
        specs += sorted((gem_dir / "specifications").glob("*.gemspec"))
        specs += sorted((gem_dir / "specifications" / "default").glob("*.gemspec"))
    if not any(s.name.startswith("rack-") for s in specs):
        pytest.skip("ruby-rack is not installed (Debian package 'ruby-rack')")
    entries = locks_dir_entries((s, str(s)) for s in specs)
    result = locks_scan_image(tmp_path / "oci", [GemspecExtractor()], [entries])
    assert result.inventory.warnings == ()
    ours: dict[str, set[str]] = {}
    for p in result.inventory.packages:
        ours.setdefault(p.name, set()).add(p.version)

    # `gem list --local`: "name (1.2.3, default: 1.0.0)" per gem.
    listing = subprocess.run(["gem", "list", "--local"], capture_output=True, text=True, check=True, timeout=120)
    theirs: dict[str, set[str]] = {}
    for line in listing.stdout.splitlines():
        m = re.fullmatch(r"(\S+) \((.*)\)", line.strip())
        if m:
            theirs[m.group(1)] = {v.removeprefix("default: ").strip() for v in m.group(2).split(",")}
    assert ours == theirs
    assert "rack" in ours and len(ours) > 50

    # Licences as RubyGems loads them, normalised the same way.
    script = ("require 'json'; puts JSON.generate(Gem::Specification.map { |s| "
              "[s.loaded_from, s.name, s.version.to_s, s.licenses] })")
    loaded = json.loads(subprocess.run(["ruby", "-e", script], capture_output=True, text=True, check=True,
                                       timeout=120).stdout)
    by_file = {p.found_in: p for p in result.inventory.packages}
    for loaded_from, name, version, licenses in loaded:
        p = by_file[str(loaded_from).lstrip("/")]
        assert (p.name, p.version, p.licenses) == (name, version, license_names(licenses)), loaded_from
    rack = by_file[next(k for k in by_file if "/rubygems-integration/all/specifications/rack-" in k)]
    assert rack.licenses == ("MIT",)
    assert rack.purl == f"pkg:gem/rack@{rack.version}"
