"""The command line: arguments -> options -> scan -> writer -> exit code. No logic of its own."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hullscan import __version__
from hullscan.errors import HullscanError, UsageError

if TYPE_CHECKING:
    from hullscan.checks.base import Scanner
    from hullscan.filters import FilterOptions
    from hullscan.scan import ScanResult

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

EPILOG = """\
references (REF):
  docker-archive:PATH[:TAG]        a 'docker save' archive (gzip/zstd compressed or not)
  oci:DIR[:TAG|@DIGEST]            an OCI image layout directory
  oci-archive:PATH[:TAG|@DIGEST]   an OCI image layout in a tar
  registry:NAME, NAME[:TAG|@DIGEST]  an image in a registry (HTTPS; --insecure for plain HTTP)
  PATH                             an existing archive or layout, recognised by its content

exit codes:
  0  no finding at or above --fail-on (or neither --fail-on nor --exit-code given)
  1  findings at or above --fail-on (or the value of --exit-code)
  2  usage error, or an image, registry or cache that could not be read
"""

SEVERITIES = ("UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL")


def _size(text: str) -> int:
    """``512M``, ``2G``, ``100000`` -> bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    try:
        if t and t[-1] in units:
            return int(float(t[:-1]) * units[t[-1]])
        return int(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid size {text!r} (e.g. 512M, 2G)") from None


SCAN_FORMATS = ("table", "json", "sarif", "gitlab", "html", "cyclonedx", "spdx-json")
SBOM_FORMATS = ("cyclonedx", "spdx-json", "json")


def _vuln_options(p: argparse.ArgumentParser) -> None:
    scan = p.add_argument_group("scanners")
    scan.add_argument("--mode", choices=("quick", "full"), default="quick",
                      help="quick (default): vulnerabilities and image-config checks, no file contents read "
                           "beyond package databases; full: every scanner over every file")
    scan.add_argument("--scanners", metavar="LIST",
                      help="comma-separated, instead of --mode's set: vuln, misconfig, secret, file, malware, "
                           "license, or none (inventory and OS checks only)")
    scan.add_argument("--compliance", choices=("cis-docker",),
                      help="report per control of a benchmark instead of per finding: cis-docker (CIS Docker "
                           "Benchmark section 4); runs the scanners it needs unless --scanners is given; "
                           "formats table and json")
    scan.add_argument("--secret-config", metavar="FILE",
                      help="YAML: custom secret rules, allow rules, disabled rule ids")
    scan.add_argument("--malware-rules", metavar="PATH", action="append", default=[],
                      help="a YARA rule file or a directory of them, used with the built-in rules (repeatable)")
    scan.add_argument("--malware-hashes", metavar="FILE", action="append", default=[],
                      help="SHA-256 deny list, one digest per line (repeatable)")
    scan.add_argument("--clamd", metavar="ADDRESS",
                      help="scan files with a running clamd: unix:/run/clamav/clamd.ctl or tcp:HOST:PORT")
    scan.add_argument("--license-policy", metavar="FILE",
                      help="YAML allow/deny lists of licenses; violations become findings")
    vuln = p.add_argument_group("vulnerabilities")
    vuln.add_argument("--db", metavar="PATH", help="advisory database (default: $HULLSCAN_DB or "
                      "<cache dir>/db/advisories.db; fill it with 'hullscan db update')")
    vuln.add_argument("--severity", metavar="LIST", help="report only these severities, e.g. HIGH,CRITICAL")
    vuln.add_argument("--ignore-unfixed", action="store_true", help="leave out vulnerabilities with no fix yet")
    vuln.add_argument("--ignorefile", metavar="FILE", action="append",
                      help="ids to ignore, optionally until exp:YYYY-MM-DD; plain or YAML, Trivy's forms too "
                           "(repeatable; default: ./.hullscanignore when it exists)")
    vuln.add_argument("--ignore-status", metavar="LIST",
                      help="leave out vulnerabilities with these statuses: fixed, affected, will_not_fix, end_of_life")
    vuln.add_argument("--vex", metavar="FILE", action="append", default=[],
                      help="OpenVEX or CycloneDX VEX statements; not_affected/fixed suppress findings (repeatable)")
    vuln.add_argument("--sort", choices=("risk", "severity", "package"), default="risk",
                      help="order of the findings (default risk: EPSS, KEV and CVSS combined)")
    vuln.add_argument("--exit-code", type=int, metavar="N",
                      help="exit with N when findings remain (at or above --fail-on when given; default 1)")
    vuln.add_argument("--max-db-age", type=float, default=7.0, metavar="DAYS",
                      help="warn when the advisory data is older than this (default 7)")


def _common(p: argparse.ArgumentParser, formats: Sequence[str] = SCAN_FORMATS, default: str = "table") -> None:
    out = p.add_argument_group("output")
    out.add_argument("--format", "-f", choices=formats, default=default, help=f"report format (default {default})")
    out.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("--quiet", "-q", action="store_true", help="no progress bars or notices on stderr")
    out.add_argument("--list-packages", action="store_true", help="list every package in the table output")
    out.add_argument(
        "--fail-on", metavar="SEVERITY", type=str.upper, choices=SEVERITIES,
        help="exit 1 when a finding at or above SEVERITY remains",
    )
    _vuln_options(p)
    cache = p.add_argument_group("cache and limits")
    cache.add_argument("--cache-dir", metavar="DIR", help="layer cache (default: $HULLSCAN_CACHE_DIR or "
                       "the user cache directory)")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the layer cache")
    cache.add_argument("--max-file-size", type=_size, default="512M", metavar="SIZE",
                       help="largest file handed to a parser (default 512M)")
    cache.add_argument("--max-layer-size", type=_size, default="32G", metavar="SIZE",
                       help="largest uncompressed layer (default 32G)")


def _registry(p: argparse.ArgumentParser) -> None:
    reg = p.add_argument_group("image source")
    reg.add_argument("--platform", metavar="OS/ARCH[/VARIANT]",
                     help="image to pick from a multi-platform index (default: this machine's)")
    reg.add_argument("--insecure", action="store_true", help="plain HTTP / unverified TLS to the registry")
    reg.add_argument("--username", metavar="USER", help="registry user (or HULLSCAN_USERNAME)")
    reg.add_argument("--password", metavar="PASSWORD", help="registry password (or HULLSCAN_PASSWORD)")
    reg.add_argument("--password-stdin", action="store_true", help="read the registry password from stdin")
    reg.add_argument("--docker-config", metavar="FILE", help="Docker config.json with credentials "
                     "(default ~/.docker/config.json)")
    reg.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="registry timeout")
    reg.add_argument("--retries", type=int, default=4, metavar="N",
                     help="retries of a registry request after 429, 5xx or a connection error (default 4)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hullscan",
        description="Scan container images and root filesystems for what they really contain.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hullscan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    image = sub.add_parser("image", help="scan a container image", epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    image.add_argument("ref", metavar="REF", help="the image (see 'references' below)")
    _registry(image)
    _common(image)

    rootfs = sub.add_parser("rootfs", help="scan a root filesystem directory (e.g. /)")
    rootfs.add_argument("path", metavar="PATH")
    _skip_dirs(rootfs)
    _common(rootfs)

    sbom = sub.add_parser("sbom", help="write the inventory of an image or directory as an SBOM",
                          epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sbom.add_argument("ref", metavar="REF|DIR", help="an image (see 'references' below) or a root filesystem")
    _skip_dirs(sbom)
    _registry(sbom)
    _common(sbom, SBOM_FORMATS, "cyclonedx")

    sbom_scan = sub.add_parser("sbom-scan", help="read a CycloneDX or SPDX SBOM (ours or another tool's)")
    sbom_scan.add_argument("file", metavar="FILE", help="CycloneDX (JSON, XML) or SPDX (JSON, tag-value)")
    out = sbom_scan.add_argument_group("output")
    out.add_argument("--format", "-f", choices=SCAN_FORMATS, default="table", help="report format")
    out.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("--quiet", "-q", action="store_true", help="no notices on stderr")
    out.add_argument("--list-packages", action="store_true", help="list every package in the table output")
    out.add_argument("--fail-on", metavar="SEVERITY", type=str.upper, choices=SEVERITIES,
                     help="exit 1 when a finding at or above SEVERITY remains")
    _vuln_options(sbom_scan)

    db = sub.add_parser("db", help="manage the advisory database")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_sub.required = True
    update = db_sub.add_parser("update", help="fetch the advisory feeds (or import a mirror) into the database")
    update.add_argument("--from", dest="source", metavar="DIR|URL",
                        help="import a local mirror laid out like shared/vulndata, or fetch from a mirror URL")
    update.add_argument("--config", metavar="FILE", help="TOML file overriding feed URLs per source")
    update.add_argument("--db", metavar="PATH", help="database to write (default as for scans)")
    update.add_argument("--quiet", "-q", action="store_true")
    status = db_sub.add_parser("status", help="each source: records, newest record, age")
    status.add_argument("--db", metavar="PATH")

    cache = sub.add_parser("cache", help="manage the layer cache")
    cache_sub = cache.add_subparsers(dest="cache_command", metavar="ACTION")
    cache_sub.required = True
    clean = cache_sub.add_parser("clean", help="remove every cached layer")
    clean.add_argument("--cache-dir", metavar="DIR")
    return parser


def _skip_dirs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--skip-dirs", metavar="DIR", action="append", default=[],
                   help="with a root filesystem: directory to leave out, relative to it (repeatable)")


def _cache(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from hullscan.cache.directory import DirectoryCache

    root = _cache_root(args)
    return DirectoryCache(root) if root is not None else None


def _db_path(args: argparse.Namespace) -> Path:
    if getattr(args, "db", None):
        return Path(args.db)
    env = os.environ.get("HULLSCAN_DB")
    if env:
        return Path(env)
    from hullscan.vulndb.store import default_db_path

    return default_db_path()


def _scanner_names(args: argparse.Namespace) -> tuple[str, ...]:
    """``--scanners`` as given; else ``--mode``'s set, plus what ``--compliance`` needs and every scanner whose
    input the user named (``--malware-rules``, ``--license-policy``...), in the registry's order."""
    from hullscan.checks.registry import ALL, resolve_names

    names = set(resolve_names(getattr(args, "mode", "quick"), getattr(args, "scanners", None)))
    if getattr(args, "scanners", None) is None:
        if getattr(args, "compliance", None):
            from hullscan.checks.compliance import SCANNERS

            names.update(SCANNERS)
        named = {"secret": args.secret_config, "malware": args.malware_rules or args.malware_hashes or args.clamd,
                 "license": args.license_policy}
        names.update(n for n, given in named.items() if given)
    return tuple(n for n in ALL if n in names)


def _scanner_config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from hullscan.checks.base import ScannerConfig

    def path(value: str | None) -> Path | None:
        return Path(value) if value else None

    return ScannerConfig(
        mode=getattr(args, "mode", "quick"),
        secret_config=path(getattr(args, "secret_config", None)),
        malware_rules=tuple(Path(p) for p in getattr(args, "malware_rules", ())),
        malware_hashes=tuple(Path(p) for p in getattr(args, "malware_hashes", ())),
        clamd=getattr(args, "clamd", None) or "",
        license_policy=path(getattr(args, "license_policy", None)),
        cache_dir=_cache_root(args),
    )


def _cache_root(args: argparse.Namespace) -> Path | None:
    """The cache directory the user chose (or the default), ``None`` with ``--no-cache``."""
    if getattr(args, "no_cache", False) or not hasattr(args, "cache_dir"):
        return None
    from hullscan.cache.directory import default_cache_dir

    return Path(args.cache_dir) if args.cache_dir else default_cache_dir()


def _open_store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The advisory store for a vulnerability scan, with a warning on stderr when its data is old."""
    if "vuln" not in _scanner_names(args):
        return None
    from hullscan.vulndb.store import Store

    store = Store(_db_path(args))
    if not args.quiet:
        ages = [s.age_days for s in store.sources() if s.age_days is not None]
        if ages and max(ages) > args.max_db_age:
            print(f"hullscan: warning: the advisory data is {max(ages):.0f} days old (over --max-db-age "
                  f"{args.max_db_age:g}): run 'hullscan db update'", file=sys.stderr)
    return store


def _filter_options(args: argparse.Namespace) -> FilterOptions:
    """Every filter and gating flag, with the ignore files and VEX documents read now: a malformed one fails
    before the scan starts."""
    from hullscan.filters import FilterOptions

    return FilterOptions.from_cli(
        severity=getattr(args, "severity", None),
        ignore_unfixed=getattr(args, "ignore_unfixed", False),
        ignore_status=getattr(args, "ignore_status", None),
        ignorefile=getattr(args, "ignorefile", None),
        vex=getattr(args, "vex", None) or (),
        sort=getattr(args, "sort", "risk"),
        fail_on=getattr(args, "fail_on", None),
        exit_code=getattr(args, "exit_code", None),
    ).load()


def _filter(result: ScanResult, options: FilterOptions, args: argparse.Namespace) -> ScanResult:
    """The findings every filter lets through; what was taken out is said on stderr and kept for the report."""
    import dataclasses
    from datetime import date

    from hullscan.filters import apply_filters

    filtered, report = apply_filters(result, options, date.today())
    if not getattr(args, "quiet", False):
        for line in report.warnings():
            print(f"hullscan: warning: {line}", file=sys.stderr)
        if report.summary():
            print(f"hullscan: {report.summary()}", file=sys.stderr)
    return dataclasses.replace(filtered, filters=report)


def _password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        if args.password:
            raise UsageError("--password and --password-stdin exclude each other")
        return sys.stdin.readline().rstrip("\r\n")
    return args.password  # type: ignore[no-any-return]


def _run_scan(args: argparse.Namespace) -> int:
    from hullscan.extract.registry import default_extractors
    from hullscan.image.blob import Limits
    from hullscan.scan import ScanOptions, scan_image, scan_rootfs

    limits = Limits(max_file_size=args.max_file_size, max_layer_size=args.max_layer_size)
    progress = None
    if not args.quiet and sys.stderr.isatty():
        from hullscan.progress import TerminalProgress

        progress = TerminalProgress()
    if getattr(args, "compliance", None) and args.format not in ("table", "json"):
        raise UsageError(f"--compliance writes table or json, not {args.format}")
    filters = _filter_options(args)
    scanners: tuple[Scanner, ...] = ()
    config = _scanner_config(args)
    if args.command != "sbom":
        from hullscan.checks.registry import build_scanners

        scanners = build_scanners(_scanner_names(args), config, strict=args.scanners is not None)
    store = _open_store(args) if args.command != "sbom" else None
    options = ScanOptions(
        store=store,
        scanners=scanners,
        scanner_config=config,
        extractors=default_extractors(),
        limits=limits,
        cache=_cache(args),
        **({"progress": progress} if progress is not None else {}),
        rootfs_skip=tuple(getattr(args, "skip_dirs", ())),
    )
    try:
        if args.command == "rootfs" or (args.command == "sbom" and _is_rootfs(args.ref)):
            result = scan_rootfs(Path(getattr(args, "path", None) or args.ref), options)
        else:
            from hullscan.image.reference import open_source
            from hullscan.image.source import SourceOptions
            from hullscan.model import Platform

            src_opts = SourceOptions(
                platform=Platform.parse(args.platform) if args.platform else None,
                insecure=args.insecure,
                username=args.username,
                password=_password(args),
                docker_config=args.docker_config,
                timeout=args.timeout,
                retries=max(0, args.retries),
            )
            with open_source(args.ref, src_opts, max_metadata_size=limits.max_metadata_size) as source:
                result = scan_image(source, options)
    finally:
        if progress is not None:
            progress.close()
        if store is not None:
            store.close()

    result = _filter(result, filters, args)
    _emit(_compliance(result, args) if getattr(args, "compliance", None) else _render(result, args), args.output)
    return filters.exit_status(result.findings)


def _compliance(result: ScanResult, args: argparse.Namespace) -> str:
    """``--compliance cis-docker``: the benchmark's controls over the findings the user sees."""
    import json

    from hullscan.checks.compliance import cis_docker_report, compliance_document, render_compliance_table

    if args.format not in ("table", "json"):
        raise UsageError(f"--compliance writes table or json, not {args.format}")
    report = cis_docker_report(result.findings, _scanner_names(args))
    if args.format == "json":
        return json.dumps(compliance_document(report), indent=2, ensure_ascii=False) + "\n"
    return f"{result.image.name}\n\n" + render_compliance_table(report)


def _is_rootfs(ref: str) -> bool:
    """A directory that is not an OCI layout is a root filesystem (for ``hullscan sbom DIR``)."""
    path = Path(ref)
    return path.is_dir() and not (path / "index.json").is_file() and not (path / "oci-layout").is_file()


def _render(result: ScanResult, args: argparse.Namespace) -> str:
    if args.format == "json":
        from hullscan.report.json import render_json

        return render_json(result)
    if args.format == "html":
        from hullscan.report.html import render_html

        return render_html(result)
    if args.format == "sarif":
        from hullscan.report.sarif import render_sarif

        return render_sarif(result)
    if args.format == "gitlab":
        from hullscan.report.gitlab import render_gitlab

        return render_gitlab(result)
    if args.format == "cyclonedx":
        from hullscan.report.cyclonedx import render_cyclonedx

        return render_cyclonedx(result)
    if args.format == "spdx-json":
        from hullscan.report.spdx import render_spdx_json

        return render_spdx_json(result)
    from hullscan.report.table import render_table

    color = args.output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return render_table(result, list_packages=getattr(args, "list_packages", False), color=color)


def _run_sbom_scan(args: argparse.Namespace) -> int:
    from hullscan.image.squash import SquashedView
    from hullscan.model import ImageInfo
    from hullscan.sbom import read_sbom
    from hullscan.scan import ScanResult, ScanStats, detect

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    sbom = read_sbom(data, path.name)
    image = ImageInfo(name=sbom.name or str(path), source=f"sbom:{sbom.format}", manifest_digest="", config=None,
                      layers=())
    inventory = sbom.inventory()
    filters = _filter_options(args)
    store = _open_store(args)
    try:
        result = ScanResult(image, SquashedView([]), inventory, ScanStats(), detect(inventory, store))
    finally:
        if store is not None:
            store.close()
    result = _filter(result, filters, args)
    if sbom.other and not args.quiet:
        print(f"hullscan: {len(sbom.other)} elements of unsupported package types were left out",
              file=sys.stderr)
    _emit(_render(result, args), args.output)
    return filters.exit_status(result.findings)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(output)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None


def _run_db(args: argparse.Namespace) -> int:
    from hullscan.vulndb import update

    path = _db_path(args)
    if args.db_command == "status":
        sources = update.status(path)
        print(f"{'SOURCE':<22} {'RECORDS':>9}  {'NEWEST RECORD':<22} {'IMPORTED':<22} AGE")
        for s in sources:
            age = f"{s.age_days:.1f} d" if s.age_days is not None else "-"
            print(f"{s.name:<22} {s.record_count:>9,}  {s.newest_record[:22]:<22} {s.imported_at[:22]:<22} {age}")
        print(f"database: {path}")
        return EXIT_OK
    source = args.source
    config = Path(args.config) if args.config else None
    if source and not source.startswith(("http://", "https://")):
        directory = Path(source)
        if not directory.is_dir():
            raise UsageError(f"--from {source}: not a directory (or an http(s) mirror URL)")
        report = update.import_directory(path, directory, config=config)
    else:
        report = update.fetch_and_import(path, config, mirror=source)
    if not args.quiet:
        for w in report.warnings:
            print(f"hullscan: warning: {w}", file=sys.stderr)
        total = sum(s.records for s in report.sources.values())
        print(f"imported {total:,} records from {len(report.sources)} sources into {path} "
              f"in {report.seconds:.1f} s", file=sys.stderr)
    return EXIT_OK


def _run_cache(args: argparse.Namespace) -> int:
    cache = _cache(args)
    assert cache is not None
    removed = cache.clean()
    print(f"removed {removed} cached layer entries from {cache.root}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "cache":
            return _run_cache(args)
        if args.command == "db":
            return _run_db(args)
        if args.command == "sbom-scan":
            return _run_sbom_scan(args)
        return _run_scan(args)
    except HullscanError as exc:
        print(f"hullscan: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("hullscan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
