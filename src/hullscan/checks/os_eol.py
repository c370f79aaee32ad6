"""``os/end-of-life``: the image's OS release gets no more security fixes from its vendor.

Every vulnerability found in its packages from that date on stays unfixed, and a scanner matching against the
vendor's data can no longer see new ones (vendors stop tracking EOL releases), so this is reported as a HIGH
finding of its own rather than as a footnote.
"""

from __future__ import annotations

from datetime import date

from hullscan.extract.eol import eol_date
from hullscan.model import Finding, Inventory, Severity

CHECK = "os/end-of-life"


def check(inventory: Inventory, today: date) -> list[Finding]:
    distro = inventory.distro
    if distro is None:
        return []
    eol = eol_date(distro)
    if eol is None or eol >= today:
        return []
    name = f"{distro.family} {distro.release}"
    return [
        Finding(
            check=CHECK,
            id=CHECK,
            severity=Severity.HIGH,
            title=f"{name} reached end of life on {eol.isoformat()}",
            description=(
                f"The vendor stopped publishing security updates for {name} on {eol.isoformat()}. "
                "Vulnerabilities found since then stay unfixed in its packages, and vulnerability data for it "
                "is no longer maintained, so scans under-report."
            ),
            remediation=f"Rebuild the image on a supported {distro.family} release.",
            target=name,
            layer=inventory.distro_layer,
        )
    ]
