"""The error tree of hullscan.

Every error a user can cause or meet derives from :class:`HullscanError` and ends the run with one line on
stderr and exit code 2 (see ``cli.py``). Problems inside a single file of an image (a package database that
does not parse) are not errors: they become warnings in the report and the scan goes on.

::

    HullscanError
    ├── UsageError            bad option values, an unknown REF form
    ├── ImageError            anything wrong with the image: names the image (and the layer when there is one)
    │   ├── ManifestError     a missing, malformed or unsupported manifest, index or config
    │   ├── BlobError         a missing, truncated or corrupt blob; a digest or diffID mismatch
    │   ├── UnsafeImageError  hostile content that stops the scan (decompression bomb, absurd sizes)
    │   └── RegistryError     the registry refused, failed or could not be reached
    │       └── AuthError     wrong or missing credentials
    ├── CacheError            the cache directory cannot be used
    └── VulnDBError           (vulndb/errors.py) the advisory store or a feed cannot be used
        ├── StoreError        missing, corrupt or of another schema version
        ├── FeedError         a feed or mirror that cannot be imported
        └── DownloadError     a feed that could not be fetched
"""

from __future__ import annotations


class HullscanError(Exception):
    """Base of every error hullscan reports to the user. ``str(err)`` is the one line that is printed."""

    exit_code: int = 2


class UsageError(HullscanError):
    """The command line asks for something that cannot be done as asked."""


class ImageError(HullscanError):
    """The image cannot be read. The message names the image and, where known, the layer."""


class ManifestError(ImageError):
    """A manifest, index, config or archive directory is missing, malformed or unsupported."""


class BlobError(ImageError):
    """A blob is missing, truncated or corrupt, or does not match its digest."""


class UnsafeImageError(ImageError):
    """The image exceeds a configured safety limit (size, compression ratio, nesting)."""


class RegistryError(ImageError):
    """The registry answered with an error, or could not be reached."""


class AuthError(RegistryError):
    """The registry rejected the credentials, or asked for credentials that were not given."""


class CacheError(HullscanError):
    """The layer cache directory cannot be created, read or written."""
