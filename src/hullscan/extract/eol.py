"""End of life of distribution releases: the last day the vendor publishes security updates for free.

"End of life" here means the end of the vendor's regular security support that every user of the image
gets, not paid add-ons: Debian's LTS (run by the Debian project), RHEL's Maintenance Support, Oracle Linux's
Premier Support, SUSE's general support, Ubuntu's standard support. Ubuntu Pro (ESM) is the one paid channel
an image can say it uses (``Distro.extended_support``, from ``status.json``); it then gets the Pro date.

Where a vendor gives only a month, the last day of that month is used. A release missing from the table
(rolling releases such as Wolfi, Chainguard, Tumbleweed and Alpine edge; releases whose date is not published
or that we could not confirm) has no date, and :func:`is_eol` says ``False`` for it: no claim is better than a
wrong one.

Sources, compiled 2026-11 (dates as the vendors published them):

* Debian: the LTS team's announcements and https://wiki.debian.org/LTS (buster 2024-06-30; bullseye
  2026-08-31; bookworm 2028-06-30; trixie 2030-06-30).
* Ubuntu: https://ubuntu.com/about/release-cycle (month granularity; "End of Standard Support" and
  "End of Ubuntu Pro Support" columns; interim releases get 9 months).
* Alpine: https://alpinelinux.org/releases/ ("end of support" of the main repository per branch).
* RHEL (and UBI): https://access.redhat.com/support/policy/updates/errata (end of Maintenance Support).
* CentOS Linux and CentOS Stream: https://www.centos.org/centos-linux-eol/ and
  https://blog.centos.org/2023/04/end-dates-are-coming-for-centos-stream-8-and-centos-linux-7/.
* Rocky Linux: https://wiki.rockylinux.org/rocky/version/ ; AlmaLinux: https://wiki.almalinux.org/release-notes/.
* Oracle Linux: Oracle Lifetime Support Policy (end of Premier Support; Extended Support is paid).
* Fedora: https://docs.fedoraproject.org/en-US/releases/eol/ and ``SUPPORT_END`` in Fedora's os-release.
* Amazon Linux: https://aws.amazon.com/amazon-linux-2/faqs/ ,
  https://docs.aws.amazon.com/linux/al2023/ug/release-cadence.html , and the Amazon Linux AMI EOL notice.
* SUSE Linux Enterprise Server: https://www.suse.com/lifecycle/ (end of general support per service pack).
* openSUSE Leap: https://en.opensuse.org/Lifetime .
* Photon OS: https://blogs.vmware.com/vsphere/2022/01/photon-1-x-end-of-support-announcement.html .
* CBL-Mariner: Microsoft's announcement that CBL-Mariner 2.0 reaches end of life in July 2025.

Left out until a vendor date is confirmed: Photon OS 2.0-5.0, CBL-Mariner 1.0, Azure Linux 3.0, openSUSE Leap
15.1-15.4 (their end dates moved after the plans were published), SLES 12 SP3 and older. Fedora 42's date is
the ``SUPPORT_END`` its own os-release announces (a plan), Ubuntu 25.04's follows the 9-month interim policy.
Re-check the whole table against the pages above when adding a release.
"""

from __future__ import annotations

import re
from datetime import date

from hullscan.model import Distro

D = date

EOL_DATES: dict[tuple[str, str], date] = {
    # Debian: major release -> end of LTS.
    ("debian", "8"): D(2020, 6, 30),
    ("debian", "9"): D(2022, 6, 30),
    ("debian", "10"): D(2024, 6, 30),
    ("debian", "11"): D(2026, 8, 31),
    ("debian", "12"): D(2028, 6, 30),
    ("debian", "13"): D(2030, 6, 30),
    # Ubuntu: YY.MM -> end of standard support.
    ("ubuntu", "14.04"): D(2019, 4, 30),
    ("ubuntu", "16.04"): D(2021, 4, 30),
    ("ubuntu", "18.04"): D(2023, 5, 31),
    ("ubuntu", "20.04"): D(2025, 5, 31),
    ("ubuntu", "20.10"): D(2021, 7, 31),
    ("ubuntu", "21.04"): D(2022, 1, 31),
    ("ubuntu", "21.10"): D(2022, 7, 31),
    ("ubuntu", "22.04"): D(2027, 5, 31),
    ("ubuntu", "22.10"): D(2023, 7, 31),
    ("ubuntu", "23.04"): D(2024, 1, 31),
    ("ubuntu", "23.10"): D(2024, 7, 31),
    ("ubuntu", "24.04"): D(2029, 4, 30),
    ("ubuntu", "24.10"): D(2025, 7, 31),
    ("ubuntu", "25.04"): D(2026, 1, 31),
    # Alpine: branch -> end of support of main.
    ("alpine", "3.5"): D(2018, 11, 1),
    ("alpine", "3.6"): D(2019, 5, 1),
    ("alpine", "3.7"): D(2019, 11, 1),
    ("alpine", "3.8"): D(2020, 5, 1),
    ("alpine", "3.9"): D(2020, 11, 1),
    ("alpine", "3.10"): D(2021, 5, 1),
    ("alpine", "3.11"): D(2021, 11, 1),
    ("alpine", "3.12"): D(2022, 5, 1),
    ("alpine", "3.13"): D(2022, 11, 1),
    ("alpine", "3.14"): D(2023, 5, 1),
    ("alpine", "3.15"): D(2023, 11, 1),
    ("alpine", "3.16"): D(2024, 5, 23),
    ("alpine", "3.17"): D(2024, 11, 22),
    ("alpine", "3.18"): D(2025, 5, 9),
    ("alpine", "3.19"): D(2025, 11, 1),
    ("alpine", "3.20"): D(2026, 4, 1),
    ("alpine", "3.21"): D(2026, 11, 1),
    ("alpine", "3.22"): D(2027, 5, 1),
    ("alpine", "3.23"): D(2027, 11, 1),
    # RHEL and UBI: major -> end of Maintenance Support.
    ("redhat", "6"): D(2020, 11, 30),
    ("redhat", "7"): D(2024, 6, 30),
    ("redhat", "8"): D(2029, 5, 31),
    ("redhat", "9"): D(2032, 5, 31),
    ("centos", "6"): D(2020, 11, 30),
    ("centos", "7"): D(2024, 6, 30),
    ("centos", "8"): D(2021, 12, 31),
    ("centos-stream", "8"): D(2024, 5, 31),
    ("centos-stream", "9"): D(2027, 5, 31),
    ("rocky", "8"): D(2029, 5, 31),
    ("rocky", "9"): D(2032, 5, 31),
    ("alma", "8"): D(2029, 3, 1),
    ("alma", "9"): D(2032, 5, 31),
    # Oracle Linux: major -> end of Premier Support.
    ("oracle", "6"): D(2021, 3, 31),
    ("oracle", "7"): D(2024, 12, 31),
    ("oracle", "8"): D(2029, 7, 31),
    ("oracle", "9"): D(2032, 6, 30),
    # Fedora: release -> EOL day.
    ("fedora", "36"): D(2023, 5, 16),
    ("fedora", "37"): D(2023, 12, 5),
    ("fedora", "38"): D(2024, 5, 21),
    ("fedora", "39"): D(2024, 11, 26),
    ("fedora", "40"): D(2025, 5, 13),
    ("fedora", "41"): D(2025, 12, 15),
    ("fedora", "42"): D(2026, 5, 13),
    # Amazon Linux: 1 (the "Amazon Linux AMI", 20YY.MM releases), 2, 2023.
    ("amazon", "1"): D(2023, 12, 31),
    ("amazon", "2"): D(2026, 6, 30),
    ("amazon", "2023"): D(2029, 6, 30),
    # SLES: version.servicepack -> end of general support (LTSS is paid).
    ("sles", "12.4"): D(2020, 6, 30),
    ("sles", "12.5"): D(2024, 10, 31),
    ("sles", "15.1"): D(2021, 1, 31),
    ("sles", "15.2"): D(2021, 12, 31),
    ("sles", "15.3"): D(2022, 12, 31),
    ("sles", "15.4"): D(2023, 12, 31),
    ("sles", "15.5"): D(2024, 12, 31),
    ("sles", "15.6"): D(2025, 12, 31),
    ("sles", "15.7"): D(2031, 7, 31),
    # openSUSE Leap: minor release -> end of maintenance.
    ("opensuse-leap", "42.3"): D(2019, 6, 30),
    ("opensuse-leap", "15.0"): D(2019, 12, 3),
    ("opensuse-leap", "15.5"): D(2024, 12, 31),
    ("opensuse-leap", "15.6"): D(2026, 4, 30),
    # Photon OS and CBL-Mariner: major.minor.
    ("photon", "1.0"): D(2022, 2, 28),
    ("cbl-mariner", "2.0"): D(2025, 7, 31),
}
"""(family, release key) -> the last day of vendor security support. See :func:`release_key`."""

EXTENDED_EOL_DATES: dict[tuple[str, str], date] = {
    # Ubuntu Pro / ESM: LTS release -> end of Ubuntu Pro support.
    ("ubuntu", "14.04"): D(2024, 4, 30),
    ("ubuntu", "16.04"): D(2026, 4, 30),
    ("ubuntu", "18.04"): D(2028, 4, 30),
    ("ubuntu", "20.04"): D(2030, 4, 30),
    ("ubuntu", "22.04"): D(2032, 4, 30),
    ("ubuntu", "24.04"): D(2034, 4, 30),
}
"""The same for images that enable a paid extended-support channel (``Distro.extended_support``)."""

_NUMERIC = re.compile(r"\d+(?:\.\d+)*")
_MAJOR_FAMILIES = frozenset({"debian", "redhat", "centos", "centos-stream", "rocky", "alma", "oracle", "fedora"})
_MAJOR_MINOR_FAMILIES = frozenset({"ubuntu", "alpine", "sles", "opensuse-leap", "photon", "cbl-mariner"})


def release_key(family: str, release: str) -> str | None:
    """The part of a release that its support period is published for.

    >>> release_key("debian", "12.5"), release_key("alpine", "3.11.5"), release_key("amazon", "2018.03")
    ('12', '3.11', '1')
    >>> release_key("debian", "buster/sid") is None
    True
    """
    m = _NUMERIC.match(release.strip())
    if m is None:
        return None
    parts = m.group(0).split(".")
    if family == "amazon":
        # Amazon Linux 1 numbered its releases after dates (2018.03); AL2023 point releases are 2023.x.y.
        if parts[0] in ("2", "2023"):
            return parts[0]
        return "1" if parts[0] == "1" or len(parts[0]) == 4 else None
    if family in _MAJOR_FAMILIES:
        return parts[0]
    if family in _MAJOR_MINOR_FAMILIES:
        if family == "sles" and len(parts) == 1:
            return parts[0]
        return ".".join(parts[:2]) if len(parts) >= 2 else None
    return m.group(0)


def eol_date(distro: Distro) -> date | None:
    """The last day the vendor supports this release (its extended-support date when enabled), if known."""
    key = release_key(distro.family, distro.release)
    if key is None:
        return None
    if distro.extended_support:
        extended = EXTENDED_EOL_DATES.get((distro.family, key))
        if extended is not None:
            return extended
    return EOL_DATES.get((distro.family, key))


def is_eol(distro: Distro, today: date) -> bool:
    """Whether ``today`` is past the release's last day of support. Unknown releases are not called EOL."""
    end = eol_date(distro)
    return end is not None and today > end
