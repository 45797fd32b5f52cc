#!/usr/bin/env bash
# Installs everything the app and its tests need on a fresh Debian machine:
# the pinned Python packages, and Debian's Chromium for the browser tests
# (Playwright drives /usr/bin/chromium; we never run `playwright install`).
set -euo pipefail
cd "$(dirname "$0")"
python -m pip install --disable-pip-version-check -q -r requirements.txt
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q chromium chromium-driver
fi
