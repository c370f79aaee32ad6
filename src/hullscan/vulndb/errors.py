"""Errors of the advisory database.

They belong under :class:`hullscan.errors.HullscanError` (one line, exit code 2)::

    HullscanError
    └── VulnDBError           the advisory database cannot be used or updated
        ├── StoreError        the database file is missing, unreadable, or of another schema version
        ├── FeedError         a feed bundle is corrupt, or a required part of a mirror is missing
        └── DownloadError     a download failed, was cut short, or does not match its published checksum

A single advisory file that does not parse is not an error: it becomes a warning of the import report and
the import goes on.
"""

from __future__ import annotations

from hullscan.errors import HullscanError


class VulnDBError(HullscanError):
    """The advisory database cannot be opened, read or updated."""


class StoreError(VulnDBError):
    """The database file is missing, unreadable, or was written by another schema version."""


class FeedError(VulnDBError):
    """A feed bundle is corrupt or truncated, or a required directory of a mirror is missing."""


class DownloadError(VulnDBError):
    """A download failed, was interrupted, or does not match its published checksum."""


class RecordError(ValueError):
    """One advisory file or record does not have the shape its format requires (becomes a warning)."""
