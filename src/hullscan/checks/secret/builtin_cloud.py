"""Built-in rules, part 1: cloud providers, source hosting and CI, package registries and build tool settings.

Token formats are the vendors' published ones (prefixes, lengths, alphabets). Short prefixes (``ghp_``,
``npm_``) must start a word, so that ``Soghu_ICANVAS...`` or ``abcdexoxb-...`` in minified code do not match;
long distinctive prefixes (``github_pat_``) and key names (``MyAWS_secret_KEY``) may sit inside a longer word.
Every pattern compiles in ``re`` and in Hyperscan (see :mod:`.rules`).
"""

from __future__ import annotations

from hullscan.checks.secret.rules import Rule, rule
from hullscan.model import Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

# The end of a token: a character outside its alphabet, or the end of the content.
B64_END = r"(?:[^A-Za-z0-9/+=]|\Z)"
URLSAFE_END = r"(?:[^A-Za-z0-9_\-]|\Z)"
ASSIGN = r"""["']?\s*(?:=>|:=|[:=]|\s)\s*["']?"""
_XML_COMMENT = r"(?s)<!--.*?-->"  # samples in a commented-out block are documentation, not credentials
"""Between a key name and its value: ``=``, ``:``, ``=>``, ``:=`` or blanks, with optional quotes."""

CLOUD_RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ AWS
    rule("aws-access-key-id", "AWS", "AWS Access Key ID", C,
         r"\b(?P<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b",
         ("akia", "asia", "abia", "acca", "a3t")),
    rule("aws-secret-access-key", "AWS", "AWS Secret Access Key", C,
         r"(?i)aws_?(?:secret|sec)_?(?:access_?)?key" + ASSIGN + r"(?P<secret>[A-Za-z0-9/+=]{40})" + B64_END,
         "aws"),
    rule("aws-session-token", "AWS", "AWS Session Token", H,
         r"(?i)aws_?session_?token" + ASSIGN + r"(?P<secret>[A-Za-z0-9/+=]{100,})" + B64_END, "aws"),
    rule("aws-account-id", "AWS", "AWS Account ID", M,
         r"(?i)aws_?account_?id" + ASSIGN + r"(?P<secret>[0-9]{4}-?[0-9]{4}-?[0-9]{4})(?:[^0-9-]|\Z)", "aws"),
    rule("aws-mws-key", "AWS", "Amazon MWS Auth Token", H,
         r"(?P<secret>amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", "amzn.mws."),
    # ------------------------------------------------------------------ Google Cloud
    rule("gcp-service-account-key", "Google", "GCP Service Account Key ID", C,
         r'"private_key_id"\s*:\s*"(?P<secret>[0-9a-f]{40})"', "private_key_id"),
    rule("gcp-api-key", "Google", "Google API Key", H,
         r"\b(?P<secret>AIza[0-9A-Za-z_\-]{35})" + URLSAFE_END, "aiza"),
    rule("gcp-oauth-client-secret", "Google", "Google OAuth Client Secret", H,
         r"\b(?P<secret>GOCSPX-[0-9A-Za-z_\-]{28})" + URLSAFE_END, "gocspx-"),
    rule("google-oauth-access-token", "Google", "Google OAuth Access Token", H,
         r"\b(?P<secret>ya29\.[0-9A-Za-z_\-]{30,})", "ya29."),
    # ------------------------------------------------------------------ Azure
    rule("azure-storage-account-key", "Azure", "Azure Storage Account Key", C,
         r"(?i)AccountKey\s*=\s*(?P<secret>[A-Za-z0-9+/]{86}==)", "accountkey"),
    rule("azure-shared-access-key", "Azure", "Azure Service Bus / Event Hubs Shared Access Key", C,
         r"(?i)SharedAccessKey\s*=\s*(?P<secret>[A-Za-z0-9+/]{43}=)", "sharedaccesskey"),
    rule("azure-sas-token", "Azure", "Azure Shared Access Signature", H,
         r"(?i)\bsv=[0-9]{4}-[0-9]{2}-[0-9]{2}&[^\s\"'<>]{0,300}?\bsig=(?P<secret>[A-Za-z0-9%+/]{30,}(?:=|%3D){0,2})",
         "sig="),
    rule("azure-app-config-connection-string", "Azure", "Azure App Configuration Connection String", C,
         r"(?i)Endpoint=https://[a-z0-9-]+\.azconfig\.io;Id=[^;\s]+;Secret=(?P<secret>[A-Za-z0-9+/=]{30,})",
         "azconfig.io"),
    rule("azure-ai-services-key", "Azure", "Azure AI Services Key", C,
         r"\b(?P<secret>[A-Za-z0-9]{52}JQQJ99[A-Za-z0-9]{18}ACOG[A-Za-z0-9]{4})\b", "jqqj99"),
    rule("azure-container-registry-key", "Azure", "Azure Container Registry Credential", C,
         r"\b(?P<secret>[A-Za-z0-9]{52}JQQJ99[A-Za-z0-9]{18}AZCR[A-Za-z0-9]{4})\b", "jqqj99"),
    rule("azure-container-registry-password", "Azure", "Azure Container Registry Password", C,
         r"(?i)[a-z0-9]+\.azurecr\.io\b[^\n]{0,40}?(?:password|passwd|pwd)" + ASSIGN
         + r"(?P<secret>[A-Za-z0-9+/=]{32,52})" + B64_END, "azurecr.io"),
    rule("azure-devops-pat", "Azure", "Azure DevOps Personal Access Token", C,
         r"(?i)(?:azure_?devops|ado|vsts)_?(?:pat|token|personal_?access_?token)" + ASSIGN
         + r"(?P<secret>[a-z2-7]{52}|[a-z0-9]{52}JQQJ99[a-z0-9]{18}AZDO[a-z0-9]{4})(?:[^a-z0-9]|\Z)",
         ("devops", "ado", "vsts")),
    rule("azure-entra-client-secret", "Azure", "Azure Entra ID Client Secret", C,
         r"(?:^|[^A-Za-z0-9_~.\-])(?P<secret>[A-Za-z0-9_~.\-]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})(?:[^A-Za-z0-9_~.\-]|\Z)",
         "q~"),
    # ------------------------------------------------------------------ other clouds
    rule("alibaba-access-key-id", "Alibaba", "Alibaba AccessKey ID", H,
         r"\b(?P<secret>LTAI[A-Za-z0-9]{12,20})\b", "ltai"),
    rule("alibaba-secret-key", "Alibaba", "Alibaba AccessKey Secret", C,
         r"(?i)(?:alibaba|aliyun|alicloud)[a-z_]{0,20}?secret[a-z_]{0,10}" + ASSIGN
         + r"(?P<secret>[A-Za-z0-9]{30})\b", ("alibaba", "aliyun", "alicloud")),
    rule("digitalocean-token", "DigitalOcean", "DigitalOcean Token", C,
         r"\b(?P<secret>do[opr]_v1_[a-f0-9]{64})\b", ("dop_v1_", "doo_v1_", "dor_v1_")),
    rule("heroku-api-key", "Heroku", "Heroku API Key", H,
         r"(?i)heroku[a-z_\-]{0,20}?(?:api_?key|token|secret)" + ASSIGN
         + r"(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", "heroku"),
    rule("heroku-api-key-v2", "Heroku", "Heroku API Key", H, r"\b(?P<secret>HRKU-AA[0-9A-Za-z_\-]{58})", "hrku-"),
    rule("fly-io-token", "Fly.io", "Fly.io Access Token", H,
         r"\b(?P<secret>(?:fo1_[A-Za-z0-9_\-]{43}|FlyV1 fm[12][ar]?_[A-Za-z0-9+/=,_\-]{100,}))", ("fo1_", "flyv1")),
    rule("hashicorp-vault-token", "HashiCorp", "HashiCorp Vault Token", C,
         r"\b(?P<secret>hv[sb]\.[A-Za-z0-9_\-]{90,})", ("hvs.", "hvb.")),
    rule("terraform-cloud-token", "HashiCorp", "Terraform Cloud API Token", C,
         r"\b(?P<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-=]{60,70})", "atlasv1"),
    rule("pulumi-token", "Pulumi", "Pulumi Access Token", H, r"\b(?P<secret>pul-[a-f0-9]{40})\b", "pul-"),
    rule("doppler-token", "Doppler", "Doppler API Token", H,
         r"\b(?P<secret>dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44})\b", "dp."),
    rule("databricks-token", "Databricks", "Databricks API Token", H,
         r"\b(?P<secret>dapi[a-f0-9]{32}(?:-[0-9])?)\b", "dapi"),
    rule("planetscale-token", "PlanetScale", "PlanetScale Token or Password", H,
         r"\b(?P<secret>pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.\-]{32,64})", "pscale_"),
    rule("supabase-token", "Supabase", "Supabase Access Token", H, r"\b(?P<secret>sbp_[a-f0-9]{40})\b", "sbp_"),
    # ------------------------------------------------------------------ source hosting
    rule("github-pat", "GitHub", "GitHub Personal Access Token", C, r"\b(?P<secret>ghp_[0-9A-Za-z]{36,251})\b", "ghp_"),
    rule("github-oauth", "GitHub", "GitHub OAuth Access Token", C, r"\b(?P<secret>gho_[0-9A-Za-z]{36,251})\b", "gho_"),
    rule("github-app-token", "GitHub", "GitHub App Token", C,
         r"\b(?P<secret>gh[us]_(?:[0-9A-Za-z]{36,251}|[0-9]+_[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}))\b",
         ("ghu_", "ghs_")),
    rule("github-refresh-token", "GitHub", "GitHub Refresh Token", C,
         r"\b(?P<secret>ghr_[0-9A-Za-z]{36,251})\b", "ghr_"),
    rule("github-fine-grained-pat", "GitHub", "GitHub Fine-grained Personal Access Token", C,
         r"(?P<secret>github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59})\b", "github_pat_"),
    rule("gitlab-pat", "GitLab", "GitLab Personal Access Token", C,
         r"\b(?P<secret>glpat-[0-9A-Za-z_\-]{20}(?:[0-9A-Za-z_.\-]{0,60}))" + URLSAFE_END, "glpat-"),
    rule("gitlab-pipeline-trigger-token", "GitLab", "GitLab Pipeline Trigger Token", H,
         r"\b(?P<secret>glptt-[0-9a-f]{40})\b", "glptt-"),
    rule("gitlab-runner-registration-token", "GitLab", "GitLab Runner Registration Token", H,
         r"\b(?P<secret>GR1348941[0-9A-Za-z_\-]{20})" + URLSAFE_END, "gr1348941"),
    rule("gitlab-runner-token", "GitLab", "GitLab Runner Authentication Token", H,
         r"\b(?P<secret>glrt-[0-9A-Za-z_\-]{20,})", "glrt-"),
    rule("gitlab-deploy-token", "GitLab", "GitLab Deploy Token", H, r"\b(?P<secret>gldt-[0-9A-Za-z_\-]{20,})", "gldt-"),
    rule("gitlab-oauth-secret", "GitLab", "GitLab OAuth Application Secret", H,
         r"\b(?P<secret>gloas-[0-9a-f]{64})\b", "gloas-"),
    rule("gitlab-feed-token", "GitLab", "GitLab Feed Token", M, r"\b(?P<secret>glft-[0-9A-Za-z_\-]{20})", "glft-"),
    rule("gitlab-job-token", "GitLab", "GitLab CI/CD Job Token", M,
         r"\b(?P<secret>glcbt-[0-9A-Za-z]{1,5}_[0-9A-Za-z_\-]{20})", "glcbt-"),
    rule("bitbucket-app-password", "Bitbucket", "Bitbucket App Password", H,
         r"\b(?P<secret>ATBB[A-Za-z0-9_=.\-]{28,32})\b", "atbb"),
    rule("atlassian-api-token", "Atlassian", "Atlassian API Token", H,
         r"\b(?P<secret>ATATT3[A-Za-z0-9_\-=]{180,200})", "atatt3"),
    # ------------------------------------------------------------------ CI/CD
    rule("circleci-token", "CircleCI", "CircleCI Personal API Token", H,
         r"\b(?P<secret>CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40})\b", "ccipat_"),
    rule("buildkite-agent-token", "Buildkite", "Buildkite Agent Token", H,
         r"\b(?P<secret>bkua_[a-f0-9]{40})\b", "bkua_"),
    rule("sonarqube-token", "SonarQube", "SonarQube Token", M, r"\b(?P<secret>sq[pau]_[a-f0-9]{40})\b",
         ("sqp_", "sqa_", "squ_")),
    rule("harness-token", "Harness", "Harness Access Token", H,
         r"\b(?P<secret>(?:pat|sat)\.[A-Za-z0-9_\-]{22}\.[a-f0-9]{24}\.[A-Za-z0-9]{20})\b", ("pat.", "sat.")),
    # ------------------------------------------------------------------ package registries and build tools
    rule("npm-access-token", "npm", "npm Access Token", C, r"\b(?P<secret>npm_[A-Za-z0-9]{36})\b", "npm_"),
    rule("npmrc-auth", "npm", "Registry credential in .npmrc / .yarnrc", C,
         r"(?:_authToken|_auth|_password|npmAuthToken|npmAuthIdent)\s*[=:]\s*[\"']?"
         r"(?P<secret>[^\s\"'$][^\s\"']{7,})", ("_auth", "_password", "npmauth"),
         path=r"(?:^|/)\.?(?:npmrc|yarnrc(?:\.yml)?)$"),
    rule("pypi-upload-token", "PyPI", "PyPI Upload Token", C,
         r"\b(?P<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})", "pypi-ageichlwas5vcmc"),
    rule("pypirc-password", "PyPI", "Password in .pypirc", H,
         r"(?im)^[ \t]*password[ \t]*[:=][ \t]*(?P<secret>[^\s%$][^\s]{3,})", "password",
         path=r"(?:^|/)\.pypirc$"),
    rule("rubygems-api-key", "RubyGems", "RubyGems API Key", C, r"\b(?P<secret>rubygems_[a-f0-9]{48})\b", "rubygems_"),
    rule("nuget-api-key", "NuGet", "NuGet API Key", H, r"\b(?P<secret>oy2[a-z0-9]{43})\b", "oy2"),
    rule("private-packagist-token", "Packagist", "Private Packagist Token", H,
         r"\b(?P<secret>packagist_(?:ort|out|uut|ouo|cpt)_[0-9a-fA-F]{68})\b", "packagist_"),
    rule("dockerhub-token", "Docker", "Docker Hub Access Token", C,
         r"\b(?P<secret>dckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,})", "dckr_"),
    rule("docker-config-auth", "Docker", "Registry credential in a Docker/Podman auth file", C,
         r"\"(?:auth|identitytoken|registrytoken)\"\s*:\s*\"(?P<secret>[^\"\s]{8,})\"", ("auth", "token"),
         path=r"(?:^|/)(?:\.docker/config\.json|\.dockercfg|containers/auth\.json)$"),
    rule("dockerconfig-secret", "Docker", "Kubernetes Docker registry secret", H,
         r"(?i)\.docker(?:configjson|cfg)[\"']?\s*:\s*[\"']?(?P<secret>[A-Za-z0-9+/]{8,}={0,2})", ".docker"),
    rule("maven-settings-password", "Maven", "Plain-text password in Maven settings.xml", H,
         r"<(?:password|passphrase)>\s*(?P<secret>[^<\s{$][^<]*?)\s*</(?:password|passphrase)>",
         ("<password>", "<passphrase>"), path=r"(?:^|/)settings\.xml$", exclude=(_XML_COMMENT,)),
    rule("maven-master-password", "Maven", "Plain-text master password in Maven settings-security.xml", C,
         r"<master>\s*(?P<secret>[^<\s{][^<]*?)\s*</master>", "<master>", path=r"(?:^|/)settings-security\.xml$",
         exclude=(_XML_COMMENT,)),
    rule("gradle-properties-password", "Gradle", "Credential in gradle.properties", H,
         r"(?im)^[ \t]*[A-Za-z0-9_.]*(?:password|passwd|secret|token)[ \t]*[=:][ \t]*(?P<secret>[^\s$]{6,})[ \t]*$",
         ("password", "passwd", "secret", "token"), path=r"(?:^|/)gradle\.properties$"),
    rule("netrc-password", "netrc", "Password in .netrc", H,
         r"\bpassword[ \t]+(?P<secret>[^\s]+)", "password", path=r"(?:^|/)[._]netrc$"),
    rule("git-credentials", "Git", "Credential in .git-credentials", C,
         r"https?://[^:\s/@]+:(?P<secret>[^@\s/]+)@", "://", path=r"(?:^|/)\.git-credentials$"),
)
