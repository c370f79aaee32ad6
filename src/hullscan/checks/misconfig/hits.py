"""What a rule function returns before it becomes a :class:`~hullscan.model.Finding`, and secret helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hullscan.checks.misconfig.dockerfile import Instruction
from hullscan.model import Package, Severity


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule matched once."""

    rule: str
    instruction: Instruction | None = None
    """The instruction the problem is in (or that set the config value); ``None`` for image-wide facts."""
    evidence: str = ""
    """What was seen, safe to print (secrets masked)."""
    target: str = ""
    """Overrides the default target (the instruction, shortened)."""
    details: tuple[tuple[str, str], ...] = ()
    severity: Severity | None = None
    """Overrides the rule's severity for this hit (a WORKDIR under /proc is worse than one at /usr)."""
    package: Package | None = None


# Names that say "this holds a credential". Matched on the upper-cased name split at "_" and "-" boundaries,
# so GPG_KEY (a public key fingerprint in the official python images) or KEYBOARD do not match.
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:PASSWORD|PASSWD|PASSPHRASE|PASS|PWD|SECRET|SECRETS|TOKEN|APIKEY|API_KEY|ACCESS_KEY|ACCESSKEY|"
    r"SECRET_KEY|PRIVATE_KEY|PRIVATEKEY|CLIENT_SECRET|CREDENTIALS?|AUTH_TOKEN|AUTH_KEY)(?:_|$)"
)
# ...unless the name says the value is where the secret is, or about it, rather than the secret itself.
_NOT_THE_SECRET = re.compile(
    r"_(?:FILE|PATH|DIR|LOCATION|URL|URI|HOST|PORT|USER|USERNAME|NAME|ID|HEADER|LENGTH|LEN|TTL|EXPIRY|EXPIRES|"
    r"ENABLED|ENABLE|REQUIRED|POLICY|TYPE|MODE|ENDPOINT|ISSUER|AUDIENCE|ALGORITHM|SALT_ROUNDS)$"
)
_PLACEHOLDER_VALUES = frozenset({"", "true", "false", "yes", "no", "on", "off", "none", "null", "0", "1"})
_REFERENCE_VALUE = re.compile(r"^(?:\$\{?[A-Za-z_]|/|\./|~/|file:|vault:|secret:|arn:aws:secretsmanager:)")


def secret_name(name: str) -> bool:
    """Whether an ENV/ARG name says it holds a credential (``DB_PASSWORD``, ``GITHUB_TOKEN``, ``API_KEY``)."""
    upper = name.upper().replace("-", "_")
    if upper in ("PWD", "OLDPWD"):  # the shell's working directory, not a password
        return False
    return bool(_SECRET_NAME.search(upper)) and not _NOT_THE_SECRET.search(upper)


def secret_value(value: str) -> bool:
    """Whether a value looks like a credential rather than a flag, a path or a reference to one."""
    v = value.strip().strip("'\"")
    return v.lower() not in _PLACEHOLDER_VALUES and not _REFERENCE_VALUE.match(v)


def mask(value: str) -> str:
    """Enough of a secret to recognise it, never enough to use it: ``s3cr3tpassword`` -> ``s3************``."""
    if len(value) <= 4:
        return "*" * len(value)
    keep = 2 if len(value) < 16 else 4
    return value[:keep] + "*" * (len(value) - keep)


# Tokens recognisable by their prefix alone, wherever they stand (``git clone https://ghp_...@github.com``,
# ``--build-arg NPM=npm_...``): GitHub, GitLab, Slack, AWS key ids, Stripe live keys, npm, PyPI, Hugging Face.
_PREFIXED_TOKEN = re.compile(
    r"\b(ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|xox[abpors]-|AKIA|ASIA|sk_live_|rk_live_|npm_|pypi-|hf_)"
    r"([A-Za-z0-9_\-]{12,})"
)
# curl/wget-style user:password options (``curl -u deploy:pw``, ``--user=deploy:pw``, ``--password pw``).
_OPTION_CREDENTIALS = re.compile(r"((?:\s-u|--user|--proxy-user)[ =]+[^\s:'\"]+:)([^\s'\"]+)"
                                 r"|((?:--password|--passwd|--http-password|--ftp-password)[ =]+)([^\s'\"]+)")
_URL_CREDENTIALS = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://[^\s/:@'\"]+:)([^\s/@'\"]+)@")
_ASSIGNMENT = re.compile(r"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_.-]*)=(\"[^\"]*\"|'[^']*'|\S+)")


def redact(text: str) -> str:
    """``text`` with the credentials the rules know about masked: passwords in URLs and in curl/wget options,
    the values of secret-named assignments (``DB_PASSWORD=...``) and tokens known by their prefix (``ghp_...``).
    Applied to every instruction a finding quotes and to every layer's instruction a report prints, so a secret
    flagged by one rule does not leak through another rule's finding or the layer list."""

    def url(m: re.Match[str]) -> str:
        password = m.group(2)
        return m.group(0) if password.startswith("$") else f"{m.group(1)}{mask(password)}@"

    def assignment(m: re.Match[str]) -> str:
        name, value = m.group(1), m.group(2)
        if secret_name(name) and secret_value(value):
            return f"{name}={mask(value)}"
        return m.group(0)

    def token(m: re.Match[str]) -> str:
        return m.group(1) + mask(m.group(2))

    def option(m: re.Match[str]) -> str:
        head, value = (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
        return m.group(0) if value.startswith("$") else head + mask(value)

    text = _OPTION_CREDENTIALS.sub(option, _URL_CREDENTIALS.sub(url, text))
    return _PREFIXED_TOKEN.sub(token, _ASSIGNMENT.sub(assignment, text))
