#!/usr/bin/env bash
# Installs Tryton 6.0 LTS — the server and the purchase module with what it needs, about 40 MB —
# from Debian packages, without recommends. Idempotent: does nothing when both are installed.
# Needs root (apt-get). Used by .ci/run and, when Tryton is missing, by test/support/tryton.ts.
set -euo pipefail

packages=(tryton-server tryton-modules-purchase)

installed() {
  local package
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || return 1
  done
}

installed && exit 0
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale or missing on a fresh machine: update once if the first try fails.
apt-get install -y -qq --no-install-recommends "${packages[@]}" \
  || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${packages[@]}"; }
installed
