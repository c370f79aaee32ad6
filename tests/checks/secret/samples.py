"""One made-up credential per built-in rule, built from a seeded generator (so the repository holds no
token-shaped literals of its own): ``(path, text before, the secret, text after)``."""

from __future__ import annotations

import random
import string

_rng = random.Random(20240601)
ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"


def gen(n: int, alphabet: str = ALNUM) -> str:
    """``n`` characters of ``alphabet``, first and last alphanumeric (so word boundaries hold)."""
    body = [_rng.choice(alphabet) for _ in range(n)]
    for i in (0, n - 1):
        if body[i] not in ALNUM:
            body[i] = _rng.choice(ALNUM)
    return "".join(body)


def uuid() -> str:
    return "-".join(gen(n, HEX) for n in (8, 4, 4, 4, 12))


def pem(kind: str) -> tuple[str, str, str]:
    body = "\n".join(gen(64, B64) for _ in range(5))
    return f"-----BEGIN {kind}-----\n", body, f"\n-----END {kind}-----\n"


Sample = tuple[str, str, str, str]

SAMPLES: dict[str, Sample] = {
    "aws-access-key-id": ("app/env", "AWS_ACCESS_KEY_ID=", "AKIA" + gen(16, UPPER), "\n"),
    "aws-secret-access-key": ("app/env", "aws_secret_access_key = ", gen(40, B64), "\n"),
    "aws-session-token": ("app/env", "AWS_SESSION_TOKEN=", gen(160, B64), "\n"),
    "aws-account-id": ("app/env", "aws_account_id: ", "123456789012", "\n"),
    "aws-mws-key": ("app/env", "MWS_AUTH=", "amzn.mws." + uuid(), "\n"),
    "gcp-service-account-key": ("app/sa.json", '{"type": "service_account", "private_key_id": "', gen(40, HEX), '"}'),
    "gcp-api-key": ("app/env", "MAPS_KEY=", "AIza" + gen(35, URLSAFE), "\n"),
    "gcp-oauth-client-secret": ("app/env", "CLIENT_SECRET=", "GOCSPX-" + gen(28, URLSAFE), "\n"),
    "google-oauth-access-token": ("app/env", "Authorization: Bearer ", "ya29." + gen(80, URLSAFE), "\n"),
    "azure-storage-account-key": ("app/env", "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=",
                                  gen(86, B64) + "==", ";EndpointSuffix=core.windows.net\n"),
    "azure-shared-access-key": ("app/env", "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=r;"
                                "SharedAccessKey=", gen(43, B64) + "=", "\n"),
    "azure-sas-token": ("app/env", "URL=https://x.blob.core.windows.net/c?sv=2022-11-02&ss=b&sp=r&sig=",
                        gen(43, ALNUM) + "%3D", "\n"),
    "azure-app-config-connection-string": ("app/env", "Endpoint=https://cfg.azconfig.io;Id=AbCd;Secret=",
                                           gen(44, B64), "\n"),
    "azure-ai-services-key": ("app/env", "KEY=", gen(52) + "JQQJ99" + gen(18) + "ACOG" + gen(4), "\n"),
    "azure-container-registry-key": ("app/env", "KEY=", gen(52) + "JQQJ99" + gen(18) + "AZCR" + gen(4), "\n"),
    "azure-container-registry-password": ("app/login.sh", "docker login reg.azurecr.io -u reg --password ",
                                          gen(32, B64), "\n"),
    "azure-devops-pat": ("app/env", "AZURE_DEVOPS_PAT=", gen(52, "abcdefghijklmnopqrstuvwxyz234567"), "\n"),
    "azure-entra-client-secret": ("app/env", "client_secret=", "abc8Q~" + gen(34, ALNUM + "_.~-"), "\n"),
    "alibaba-access-key-id": ("app/env", "ALIBABA_KEY_ID=", "LTAI" + gen(20), "\n"),
    "alibaba-secret-key": ("app/env", "alibaba_cloud_access_key_secret=", gen(30), "\n"),
    "digitalocean-token": ("app/env", "DO_TOKEN=", "dop_v1_" + gen(64, HEX), "\n"),
    "heroku-api-key": ("app/env", "HEROKU_API_KEY=", uuid(), "\n"),
    "heroku-api-key-v2": ("app/env", "HEROKU_API_KEY=", "HRKU-AA" + gen(58, URLSAFE), "\n"),
    "fly-io-token": ("app/env", "FLY_API_TOKEN=", "fo1_" + gen(43, URLSAFE), "\n"),
    "hashicorp-vault-token": ("app/env", "VAULT_TOKEN=", "hvs." + gen(95, URLSAFE), "\n"),
    "terraform-cloud-token": ("app/env", "TFC_TOKEN=", gen(14) + ".atlasv1." + gen(67, URLSAFE), "\n"),
    "pulumi-token": ("app/env", "PULUMI_ACCESS_TOKEN=", "pul-" + gen(40, HEX), "\n"),
    "doppler-token": ("app/env", "DOPPLER_TOKEN=", "dp.pt." + gen(43), "\n"),
    "databricks-token": ("app/env", "DATABRICKS_TOKEN=", "dapi" + gen(32, HEX), "\n"),
    "planetscale-token": ("app/env", "PSCALE_TOKEN=", "pscale_tkn_" + gen(43, URLSAFE), "\n"),
    "supabase-token": ("app/env", "SUPABASE_ACCESS_TOKEN=", "sbp_" + gen(40, HEX), "\n"),
    "github-pat": ("app/env", "GH_TOKEN=", "ghp_" + gen(36), "\n"),
    "github-oauth": ("app/env", "GH_TOKEN=", "gho_" + gen(36), "\n"),
    "github-app-token": ("app/env", "GH_TOKEN=", "ghs_" + gen(36), "\n"),
    "github-refresh-token": ("app/env", "GH_REFRESH=", "ghr_" + gen(76), "\n"),
    "github-fine-grained-pat": ("app/env", "GH_TOKEN=", "github_pat_" + gen(22) + "_" + gen(59), "\n"),
    "gitlab-pat": ("app/env", "GITLAB_TOKEN=", "glpat-" + gen(20, URLSAFE), "\n"),
    "gitlab-pipeline-trigger-token": ("app/env", "TRIGGER=", "glptt-" + gen(40, HEX), "\n"),
    "gitlab-runner-registration-token": ("app/env", "REGISTRATION_TOKEN=", "GR1348941" + gen(20, URLSAFE), "\n"),
    "gitlab-runner-token": ("app/config.toml", 'token = "', "glrt-" + gen(27, URLSAFE), '"\n'),
    "gitlab-deploy-token": ("app/env", "DEPLOY_TOKEN=", "gldt-" + gen(20, URLSAFE), "\n"),
    "gitlab-oauth-secret": ("app/env", "OAUTH_SECRET=", "gloas-" + gen(64, HEX), "\n"),
    "gitlab-feed-token": ("app/env", "FEED=", "glft-" + gen(20, URLSAFE), "\n"),
    "gitlab-job-token": ("app/env", "JOB=", "glcbt-64_" + gen(20, URLSAFE), "\n"),
    "bitbucket-app-password": ("app/env", "BB_APP_PASSWORD=", "ATBB" + gen(32), "\n"),
    "atlassian-api-token": ("app/env", "JIRA_TOKEN=", "ATATT3" + gen(186, URLSAFE), "\n"),
    "circleci-token": ("app/env", "CIRCLE_TOKEN=", "CCIPAT_" + gen(22) + "_" + gen(40, HEX), "\n"),
    "buildkite-agent-token": ("app/env", "BUILDKITE_TOKEN=", "bkua_" + gen(40, HEX), "\n"),
    "sonarqube-token": ("app/env", "SONAR_TOKEN=", "sqp_" + gen(40, HEX), "\n"),
    "harness-token": ("app/env", "HARNESS_TOKEN=", f"pat.{gen(22)}.{gen(24, HEX)}.{gen(20)}", "\n"),
    "npm-access-token": ("app/env", "NPM_TOKEN=", "npm_" + gen(36), "\n"),
    "npmrc-auth": ("root/.npmrc", "//npm.internal/:_authToken=", gen(40, URLSAFE), "\n"),
    "pypi-upload-token": ("app/env", "TWINE_PASSWORD=", "pypi-AgEIcHlwaS5vcmc" + gen(80, URLSAFE), "\n"),
    "pypirc-password": ("root/.pypirc", "[internal]\nusername = ci\npassword = ", gen(20), "\n"),
    "rubygems-api-key": ("app/env", "GEM_HOST_API_KEY=", "rubygems_" + gen(48, HEX), "\n"),
    "nuget-api-key": ("app/env", "NUGET_KEY=", "oy2" + gen(43, string.ascii_lowercase + string.digits), "\n"),
    "private-packagist-token": ("app/env", "COMPOSER_TOKEN=", "packagist_uut_" + gen(68, HEX), "\n"),
    "dockerhub-token": ("app/env", "DOCKERHUB_TOKEN=", "dckr_pat_" + gen(27), "\n"),
    "docker-config-auth": ("root/.docker/config.json", '{"auths": {"registry.internal": {"auth": "',
                           gen(28, B64), '"}}}\n'),
    "dockerconfig-secret": ("app/secret.yaml", "data:\n  .dockerconfigjson: ", gen(60, B64), "\n"),
    "maven-settings-password": ("root/.m2/settings.xml", "<settings><servers><server><password>", gen(14),
                                "</password></server></servers></settings>\n"),
    "maven-master-password": ("root/.m2/settings-security.xml", "<settingsSecurity><master>", gen(14),
                              "</master></settingsSecurity>\n"),
    "gradle-properties-password": ("root/.gradle/gradle.properties", "org.gradle.daemon=true\nmavenPassword=",
                                   gen(16), "\n"),
    "netrc-password": ("root/.netrc", "machine repo.internal login ci password ", gen(16), "\n"),
    "git-credentials": ("root/.git-credentials", "https://ci:", gen(20), "@git.internal\n"),
    "private-key": ("root/.ssh/id_ed25519", *pem("OPENSSH PRIVATE KEY")),
    "putty-private-key": ("root/key.ppk", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\n"
                          "Public-Lines: 2\n" + gen(64, B64) + "\n" + gen(20, B64) + "\nPrivate-Lines: 1\n",
                          gen(44, B64), "\nPrivate-MAC: " + gen(64, HEX) + "\n"),
    "age-secret-key": ("root/key.txt", "# created: today\n",
                       "AGE-SECRET-KEY-1" + gen(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"), "\n"),
    "jwt-token": ("app/env", "TOKEN=", f"eyJ{gen(30, URLSAFE)}.eyJ{gen(60, URLSAFE)}.{gen(43, URLSAFE)}", "\n"),
    "slack-access-token": ("app/env", "SLACK_TOKEN=", f"xoxb-{gen(12, '0123456789')}-{gen(13, '0123456789')}-"
                           f"{gen(24)}", "\n"),
    "slack-app-token": ("app/env", "SLACK_APP_TOKEN=", f"xapp-1-A{gen(10, UPPER)}-{gen(13, '0123456789')}-"
                        f"{gen(64, HEX)}", "\n"),
    "slack-webhook-url": ("app/env", "HOOK=", f"https://hooks.slack.com/services/T{gen(8, UPPER)}/B{gen(10, UPPER)}/"
                          f"{gen(24)}", "\n"),
    "discord-webhook-url": ("app/env", "HOOK=", f"https://discord.com/api/webhooks/{gen(18, '0123456789')}/"
                            f"{gen(68, URLSAFE)}", "\n"),
    "discord-bot-token": ("app/env", "DISCORD_BOT_TOKEN=", f"M{gen(23)}.{gen(6)}.{gen(27, URLSAFE)}", "\n"),
    "telegram-bot-token": ("app/env", "BOT=", f"{gen(10, '0123456789')}:AA{gen(33, URLSAFE)}", "\n"),
    "teams-webhook-url": ("app/env", "HOOK=", f"https://contoso.webhook.office.com/webhookb2/{uuid()}@{uuid()}"
                          f"/IncomingWebhook/{gen(32, HEX)}/{uuid()}", "\n"),
    "twilio-api-key": ("app/env", "TWILIO_KEY=", "SK" + gen(32, HEX), "\n"),
    "sendgrid-api-key": ("app/env", "SENDGRID=", f"SG.{gen(22, URLSAFE)}.{gen(43, URLSAFE)}", "\n"),
    "mailgun-api-key": ("app/env", "MAILGUN_API_KEY=", "key-" + gen(32, HEX), "\n"),
    "mailchimp-api-key": ("app/env", "MAILCHIMP=", gen(32, HEX) + "-us14", "\n"),
    "linear-api-key": ("app/env", "LINEAR=", "lin_api_" + gen(40), "\n"),
    "notion-token": ("app/env", "NOTION=", "ntn_" + gen(11, "0123456789") + gen(35), "\n"),
    "postman-api-key": ("app/env", "POSTMAN=", f"PMAK-{gen(24, HEX)}-{gen(34, HEX)}", "\n"),
    "grafana-api-key": ("app/env", "GRAFANA=", "eyJrIjoi" + gen(80, B64), "\n"),
    "grafana-cloud-token": ("app/env", "GRAFANA_CLOUD=", "glc_" + gen(60, B64), "\n"),
    "grafana-service-account-token": ("app/env", "GRAFANA_SA=", f"glsa_{gen(32)}_{gen(8, HEX)}", "\n"),
    "sentry-token": ("app/env", "SENTRY_AUTH_TOKEN=", "sntryu_" + gen(64, HEX), "\n"),
    "new-relic-key": ("app/env", "NEW_RELIC_API_KEY=", "NRAK-" + gen(27, UPPER), "\n"),
    "datadog-api-key": ("app/env", "DD_API_KEY=", gen(32, HEX), "\n"),
    "stripe-secret-key": ("app/env", "STRIPE_KEY=", "sk_live_" + gen(24), "\n"),
    "stripe-test-secret-key": ("app/env", "STRIPE_KEY=", "sk_test_" + gen(24), "\n"),
    "stripe-webhook-secret": ("app/env", "STRIPE_WEBHOOK=", "whsec_" + gen(32), "\n"),
    "square-access-token": ("app/env", "SQUARE=", "sq0atp-" + gen(22, URLSAFE), "\n"),
    "square-oauth-secret": ("app/env", "SQUARE_SECRET=", "sq0csp-" + gen(43, URLSAFE), "\n"),
    "braintree-access-token": ("app/env", "BRAINTREE=", f"access_token$production${gen(16, HEX)}${gen(32, HEX)}",
                               "\n"),
    "shopify-token": ("app/env", "SHOPIFY=", "shpat_" + gen(32, HEX), "\n"),
    "flutterwave-secret-key": ("app/env", "FLW=", f"FLWSECK-{gen(32, 'abcdefgh0123456789')}-X", "\n"),
    "adyen-api-key": ("app/env", "ADYEN=", f"AQE{gen(20, URLSAFE)}.{gen(30, URLSAFE)}", "\n"),
    "database-url-password": ("app/env", "DATABASE_URL=postgresql://app:", gen(16), "@db.internal:5432/app\n"),
    "jdbc-url-password": ("app/app.properties", "url=jdbc:mysql://db:3306/app?user=app&password=", gen(12), "\n"),
    "connection-string-password": ("app/appsettings.json", '"Db": "Server=db;Database=app;User Id=sa;Password=',
                                   gen(14), ';"\n'),
    "openai-api-key": ("app/env", "OPENAI_API_KEY=", f"sk-proj-{gen(40)}T3BlbkFJ{gen(40)}", "\n"),
    "openai-realtime-client-secret": ("app/env", "EPHEMERAL=", "ek_" + gen(32), "\n"),
    "anthropic-api-key": ("app/env", "ANTHROPIC_API_KEY=", f"sk-ant-api03-{gen(93, URLSAFE)}AA", "\n"),
    "huggingface-token": ("app/env", "HF_TOKEN=", "hf_" + gen(34), "\n"),
    "groq-api-key": ("app/env", "GROQ=", "gsk_" + gen(52), "\n"),
    "perplexity-api-key": ("app/env", "PPLX=", "pplx-" + gen(48), "\n"),
    "replicate-api-token": ("app/env", "REPLICATE_API_TOKEN=", "r8_" + gen(37), "\n"),
    "symfony-default-secret": ("app/.env", "APP_SECRET=", "ThisTokenIsNotSoSecretChangeIt", "\n"),
}
