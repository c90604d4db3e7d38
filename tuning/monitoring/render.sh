#!/bin/sh
# Render the monitoring configs for one host into OUT (a private folder):
#   render.sh OUT PROM_PORT NODE_PORT AM_PORT
# Settings come from the environment (defaults: a local relay, no Slack or
# Telegram credentials). Secrets are read from $TF_MONITORING_SECRETS
# (default tuning/monitoring/secrets), files that must not be readable by
# group or others (as ssh requires of keys); the rendered alertmanager.yml
# is 0600. Prints nothing on success.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1 prom_port=$2 node_port=$3 am_port=$4
secrets=${TF_MONITORING_SECRETS:-$here/secrets}
mkdir -p "$out/rules"
chmod 0700 "$out"
for f in smtp_password slack_webhook_url telegram_bot_token; do
    if [ -e "$secrets/$f" ] && [ -n "$(find "$secrets/$f" -perm /077)" ]; then
        echo "render: $secrets/$f is readable by group or others; chmod 600 it" >&2
        exit 1
    fi
done
token=""
[ -r "$secrets/telegram_bot_token" ] && token=$(head -n1 "$secrets/telegram_bot_token")
esc() { printf '%s' "$1" | sed 's/[\\/&|]/\\&/g'; }
sed -e "s|127.0.0.1:9464|127.0.0.1:$prom_port|; s|127.0.0.1:9100|127.0.0.1:$node_port|; s|127.0.0.1:9093|127.0.0.1:$am_port|" \
    "$here/prometheus.yml" >"$out/prometheus.yml"
# This host's scrape targets (file-based discovery: other boxes add files of their own).
mkdir -p "$out/targets"
box=$(hostname -s 2>/dev/null || echo local)
printf '[{"targets": ["127.0.0.1:%s"], "labels": {"box": "%s"}}]\n' "$prom_port" "$box" >"$out/targets/tradefan-local.json"
printf '[{"targets": ["127.0.0.1:%s"], "labels": {"box": "%s"}}]\n' "$node_port" "$box" >"$out/targets/node-local.json"
cp "$here/rules/tradefan.rules.yml" "$out/rules/"
umask 077
sed -e "s|@@SMTP_HOST@@|$(esc "${TF_SMTP_HOST:-127.0.0.1:25}")|" \
    -e "s|@@SMTP_FROM@@|$(esc "${TF_SMTP_FROM:-tradefan@localhost}")|" \
    -e "s|@@SMTP_USER@@|$(esc "${TF_SMTP_USER:-}")|" \
    -e "s|@@SMTP_TLS@@|${TF_SMTP_TLS:-false}|" \
    -e "s|@@SECRETS@@|$(esc "$secrets")|g" \
    -e "s|@@EMAIL_TO@@|$(esc "${TF_ALERT_EMAIL:-ops@localhost}")|g" \
    -e "s|@@SLACK_CHANNEL@@|$(esc "${TF_SLACK_CHANNEL:-#trading-alerts}")|g" \
    -e "s|@@TELEGRAM_BOT_TOKEN@@|$(esc "${token:-none}")|" \
    -e "s|@@TELEGRAM_API@@|$(esc "${TF_TELEGRAM_API:-https://api.telegram.org}")|" \
    -e "s|@@TELEGRAM_CHAT_ID@@|${TF_TELEGRAM_CHAT_ID:--1001}|" \
    -e "s|@@WEBHOOK_URL@@|$(esc "${TF_ALERT_WEBHOOK:-http://127.0.0.1:9095/alerts}")|g" \
    "$here/alertmanager.yml" >"$out/alertmanager.yml"
