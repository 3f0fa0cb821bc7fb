#!/usr/bin/env bash
# Installs what the tests drive besides Confluent.Kafka: kcat and chromium (for the console's browser tests, through
# Playwright) from Debian, and kafkajs from npm.
# Idempotent; the tests run it themselves when a tool is missing, so `dotnet test` works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    $sudo apt-get update -qq >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ ! -d Herald.Compatibility.Tests/node/node_modules/kafkajs ]; then
  npm ci --prefix Herald.Compatibility.Tests/node --no-audit --no-fund --silent
fi
