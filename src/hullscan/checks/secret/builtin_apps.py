"""Built-in rules, part 2: private keys, JWTs, chat, payment, databases, AI services and other SaaS tokens.

Same conventions as :mod:`.builtin_cloud`.
"""

from __future__ import annotations

from hullscan.checks.secret.builtin_cloud import ASSIGN, URLSAFE_END
from hullscan.checks.secret.rules import Rule, rule
from hullscan.model import Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

# A PEM body: base64 lines, optional RFC 1421 headers (Proc-Type, DEK-Info), JSON-escaped newlines (\n).
_PEM_BODY = r"[A-Za-z0-9+/=\s\\:,.()@<>_\-]{32,}?"
_DB_SCHEMES = (r"(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|"
               r"cockroachdb|clickhouse|couchdb|neo4j(?:\+s)?|jdbc:[a-z0-9]+)")
# user:PASSWORD@ where the password is a variable, a template or an obvious stand-in.
_DB_PLACEHOLDERS = (
    r"(?i)://[^:@\s]*:(?:\$\{?[A-Za-z_(]|%\(|%[A-Za-z_]+%|<[^>@]*>|\{\{|\[[^\]@]*\]|\*+@|x+@"
    r"|(?:pass(?:word)?|passwd|pwd|secret|changeme|dbpass(?:word)?)@)",
)

APP_RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ keys
    rule("private-key", "AsymmetricPrivateKey", "Asymmetric Private Key", H,
         r"-----BEGIN[ A-Z0-9_\-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?P<secret>" + _PEM_BODY
         + r")-----END[ A-Z0-9_\-]{0,100}PRIVATE KEY(?: BLOCK)?-----", "private key"),
    rule("putty-private-key", "AsymmetricPrivateKey", "PuTTY Private Key", H,
         r"PuTTY-User-Key-File-[23]:[^\n]*\n(?:[^\n]*\n){0,12}?Private-Lines: *[0-9]+\r?\n"
         r"(?P<secret>[A-Za-z0-9+/=\r\n]{32,}?)\r?\nPrivate-MAC:", "putty-user-key-file"),
    rule("age-secret-key", "AsymmetricPrivateKey", "age Secret Key", H,
         r"\b(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b", "age-secret-key-1"),
    rule("jwt-token", "JWT", "JSON Web Token", M,
         r"\b(?P<secret>eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})" + URLSAFE_END, "eyj"),
    # ------------------------------------------------------------------ chat and collaboration
    rule("slack-access-token", "Slack", "Slack Token", C,
         r"\b(?P<secret>xox[baprse]-[0-9]{8,13}-[0-9A-Za-z\-]{8,})", ("xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-",
                                                                        "xoxe-")),
    rule("slack-app-token", "Slack", "Slack App-level Token", H,
         r"\b(?P<secret>xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]{32,})", "xapp-"),
    rule("slack-webhook-url", "Slack", "Slack Webhook URL", M,
         r"(?P<secret>https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\-]{30,})",
         "hooks.slack.com"),
    rule("discord-webhook-url", "Discord", "Discord Webhook URL", M,
         r"(?P<secret>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,70})",
         "discord"),
    rule("discord-bot-token", "Discord", "Discord Bot Token", H,
         r"(?i)discord[a-z_\-]{0,20}?(?:token|secret)" + ASSIGN
         + r"(?P<secret>[MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38})" + URLSAFE_END,
         "discord"),
    rule("telegram-bot-token", "Telegram", "Telegram Bot Token", H,
         r"\b(?P<secret>[0-9]{8,10}:AA[0-9A-Za-z_\-]{33})" + URLSAFE_END, ":aa"),
    rule("teams-webhook-url", "Microsoft", "Microsoft Teams Incoming Webhook URL", M,
         r"(?i)(?P<secret>https://[a-z0-9\-]+\.webhook\.office\.com/webhookb2/[a-z0-9\-]{36}@[a-z0-9\-]{36}"
         r"/IncomingWebhook/[a-z0-9]{32}/[a-z0-9\-]{36})", "webhook.office.com"),
    rule("twilio-api-key", "Twilio", "Twilio API Key", M, r"\b(?P<secret>SK[0-9a-fA-F]{32})\b", "sk"),
    rule("sendgrid-api-key", "SendGrid", "SendGrid API Key", H,
         r"\b(?P<secret>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + URLSAFE_END, "sg."),
    rule("mailgun-api-key", "Mailgun", "Mailgun API Key", H,
         r"(?i)mailgun[^\n]{0,40}?\b(?P<secret>key-[0-9a-f]{32})\b", "mailgun"),
    rule("mailchimp-api-key", "Mailchimp", "Mailchimp API Key", H, r"\b(?P<secret>[0-9a-f]{32}-us[0-9]{1,2})\b", "-us"),
    rule("linear-api-key", "Linear", "Linear API Key", H, r"\b(?P<secret>lin_api_[A-Za-z0-9]{40})\b", "lin_api_"),
    rule("notion-token", "Notion", "Notion Integration Token", H,
         r"\b(?P<secret>ntn_[0-9]{11}[A-Za-z0-9]{35})\b", "ntn_"),
    rule("postman-api-key", "Postman", "Postman API Key", H,
         r"\b(?P<secret>PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b", "pmak-"),
    rule("grafana-api-key", "Grafana", "Grafana API Key", M,
         r"\b(?P<secret>eyJrIjoi[A-Za-z0-9+/]{70,400}={0,2})(?:[^A-Za-z0-9+/=]|\Z)", "eyjrijoi"),
    rule("grafana-cloud-token", "Grafana", "Grafana Cloud Access Policy Token", H,
         r"\b(?P<secret>glc_[A-Za-z0-9+/]{32,400}={0,2})", "glc_"),
    rule("grafana-service-account-token", "Grafana", "Grafana Service Account Token", H,
         r"\b(?P<secret>glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b", "glsa_"),
    rule("sentry-token", "Sentry", "Sentry Auth Token", H,
         r"\b(?P<secret>sntrys_eyJ[A-Za-z0-9+/=_\-]{50,}|sntryu_[a-f0-9]{64})", ("sntrys_", "sntryu_")),
    rule("new-relic-key", "New Relic", "New Relic API Key", H,
         r"\b(?P<secret>NR(?:AK|II|JS)-[A-Za-z0-9]{19,32})\b", ("nrak-", "nrii-", "nrjs-")),
    rule("datadog-api-key", "Datadog", "Datadog API or Application Key", H,
         r"(?i)(?:datadog|dd)_?(?:api|app(?:lication)?)_?key" + ASSIGN + r"(?P<secret>[a-f0-9]{32,40})\b",
         ("datadog", "dd_", "ddapi", "ddapp")),
    # ------------------------------------------------------------------ payment and commerce
    rule("stripe-secret-key", "Stripe", "Stripe Live Secret Key", C,
         r"\b(?P<secret>[sr]k_live_[0-9A-Za-z]{10,247})\b", ("sk_live_", "rk_live_")),
    rule("stripe-test-secret-key", "Stripe", "Stripe Test Secret Key", L,
         r"\b(?P<secret>[sr]k_test_[0-9A-Za-z]{10,247})\b", ("sk_test_", "rk_test_")),
    rule("stripe-webhook-secret", "Stripe", "Stripe Webhook Signing Secret", H,
         r"\b(?P<secret>whsec_[A-Za-z0-9+/]{32,})", "whsec_"),
    rule("square-access-token", "Square", "Square Access Token", C,
         r"\b(?P<secret>sq0atp-[0-9A-Za-z_\-]{22}|EAAA[A-Za-z0-9_\-]{60})" + URLSAFE_END, ("sq0atp-", "eaaa")),
    rule("square-oauth-secret", "Square", "Square OAuth Secret", C,
         r"\b(?P<secret>sq0csp-[0-9A-Za-z_\-]{43})" + URLSAFE_END, "sq0csp-"),
    rule("braintree-access-token", "PayPal", "PayPal Braintree Access Token", C,
         r"(?P<secret>access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})", "access_token$production$"),
    rule("shopify-token", "Shopify", "Shopify Access Token or Shared Secret", C,
         r"\b(?P<secret>shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32})\b", ("shpat_", "shpss_", "shpca_", "shppa_")),
    rule("flutterwave-secret-key", "Flutterwave", "Flutterwave Secret Key", C,
         r"\b(?P<secret>FLWSECK(?:_TEST)?-[a-h0-9]{32}-X)\b", "flwseck"),
    rule("adyen-api-key", "Adyen", "Adyen API Key", C, r"\b(?P<secret>AQE[a-zA-Z0-9_\-]{10,}\.[a-zA-Z0-9_\-]{20,})",
         "aqe"),
    # ------------------------------------------------------------------ databases
    rule("database-url-password", "Database", "Password in a database connection URL", C,
         r"(?i)\b" + _DB_SCHEMES + r"://[^:\s/@'\"]+:(?P<secret>[^@\s'\"/]{3,})@[^\s'\"]+",
         ("://",), allow=_DB_PLACEHOLDERS),
    rule("jdbc-url-password", "Database", "Password in a JDBC URL", C,
         r"(?i)jdbc:[a-z0-9]+:[^\s'\"]*?[?&;]password=(?P<secret>[^&;\s'\"$]{3,})", "jdbc:"),
    rule("connection-string-password", "Database", "Password in a connection string", H,
         # "Server=" must start the string or follow a separator: in minified code "n.host=...;...password=o.x"
         # is an assignment, not a connection string.
         r"(?im)(?:^|[\s;\"'`=])(?:server|data source|host)=[^;\n]+;[^\n]*?\b(?:password|pwd)="
         r"(?P<secret>[^;\s'\"$%{][^;\s'\"]{2,})",
         ("password=", "pwd=")),
    # ------------------------------------------------------------------ AI services
    rule("openai-api-key", "OpenAI", "OpenAI API Key", C,
         r"\b(?P<secret>sk-(?:[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"
         r"|(?:proj|svcacct|admin|service-[A-Za-z0-9]+)-[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}))" + URLSAFE_END,
         "t3blbkfj"),
    rule("openai-realtime-client-secret", "OpenAI", "OpenAI Realtime Client Secret", M,
         r"\b(?P<secret>ek_[A-Za-z0-9]{32})\b", "ek_"),
    rule("anthropic-api-key", "Anthropic", "Anthropic API Key", C,
         r"\b(?P<secret>sk-ant-(?:api03|admin01)-[A-Za-z0-9_\-]{93}AA)" + URLSAFE_END, "sk-ant-"),
    rule("huggingface-token", "HuggingFace", "Hugging Face Access Token", H,
         r"\b(?P<secret>(?:hf_|api_org_)[A-Za-z0-9]{34,40})\b", ("hf_", "api_org_")),
    rule("groq-api-key", "Groq", "Groq API Key", H, r"\b(?P<secret>gsk_[A-Za-z0-9]{52})\b", "gsk_"),
    rule("perplexity-api-key", "Perplexity", "Perplexity API Key", H, r"\b(?P<secret>pplx-[A-Za-z0-9]{48})\b", "pplx-"),
    rule("replicate-api-token", "Replicate", "Replicate API Token", H, r"\b(?P<secret>r8_[A-Za-z0-9]{37})\b", "r8_"),
    # ------------------------------------------------------------------ frameworks
    rule("symfony-default-secret", "Symfony", "Symfony secret left at its published default", H,
         r"(?i)\b(?:app_)?secret[\"']?\s*[:=(]\s*[\"']?(?P<secret>ThisTokenIsNotSoSecretChangeIt)",
         "thistokenisnotsosecretchangeit"),
)
