"""Images pulled from a registry that speaks the OCI Distribution API.

Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md (pull only), the token flow
https://distribution.github.io/distribution/spec/auth/token/ and Docker's reference grammar
(https://github.com/distribution/reference/blob/main/normalize.go).

What this package does, in the order a pull meets it, one module per step:

- :mod:`.reference`: ``parse_reference`` turns ``alpine``, ``localhost:5000/x:1``, ``host/x/y@sha256:...`` into
  host, repository, tag and digest with Docker's normalisation (``docker.io/library/`` for bare names).
- :mod:`.client`: every request goes through :meth:`~.client.RegistryClient._open`:
  anonymous first; on ``401`` it answers the ``WWW-Authenticate`` challenge (parsed by :mod:`.challenge`); it
  follows redirects itself so that the ``Authorization`` header never leaves the origin it was meant for; it
  retries ``429`` and ``5xx`` answers and broken connections with backoff (``retry_delay``). :mod:`.transport`
  holds the stateless helpers it uses on each response (reading, draining, streaming, naming failures).
- :mod:`.credentials`: ``find_credentials`` picks what to offer when a registry asks: ``--username``/
  ``--password``, ``HULLSCAN_USERNAME``/``HULLSCAN_PASSWORD``, then Docker's ``config.json`` and its helpers.
- :mod:`.source`: ``RegistrySource``, the :class:`~hullscan.image.source.ImageSource`: manifests and indexes
  (one platform chosen), configs and layer blobs, each verified against its digest.

This module only re-exports the public names, so callers import them from ``hullscan.image.registry``.
"""

from __future__ import annotations

from hullscan.image.registry.challenge import Challenge, parse_challenge
from hullscan.image.registry.client import MAX_DOCUMENT_SIZE, retry_delay
from hullscan.image.registry.credentials import Credentials, find_credentials
from hullscan.image.registry.reference import DOCKER_HUB, ImageReference, parse_reference
from hullscan.image.registry.source import RegistrySource

__all__ = [
    "DOCKER_HUB",
    "MAX_DOCUMENT_SIZE",
    "Challenge",
    "Credentials",
    "ImageReference",
    "RegistrySource",
    "find_credentials",
    "parse_challenge",
    "parse_reference",
    "retry_delay",
]
