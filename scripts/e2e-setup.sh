#!/usr/bin/env bash
# Make sure the end-to-end tests have a browser: Debian's `chromium` at /usr/bin/chromium.
# Idempotent: does nothing when it is already there; installs it with apt when we are root;
# otherwise prints what to do and exits non-zero (the e2e tests then skip themselves).
# No browser is ever downloaded by Playwright (never `playwright install`).
set -euo pipefail
CHROMIUM="${E2E_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "e2e-setup: $CHROMIUM is missing and we are not root, so it cannot be installed here." >&2
  echo "e2e-setup: install it with 'sudo apt-get install chromium'; the browser tests are skipped until then." >&2
  exit 3
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "e2e-setup: $CHROMIUM is missing and apt-get is not available; install Chromium yourself." >&2
  echo "e2e-setup: the browser tests are skipped until then." >&2
  exit 4
fi

echo "e2e-setup: installing Debian's chromium package for the browser tests..." >&2
export DEBIAN_FRONTEND=noninteractive
LOG=$(mktemp /tmp/e2e-setup.XXXXXX.log)
# Fonts: DejaVu for text, Noto Color Emoji for the header's cart icon in screenshots.
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
         chromium fonts-dejavu-core fonts-noto-color-emoji; } >"$LOG" 2>&1; then
  tail -n 20 "$LOG" >&2
  echo "e2e-setup: installing chromium failed (log: $LOG); the browser tests are skipped." >&2
  exit 5
fi
rm -f "$LOG"
if [ ! -x "$CHROMIUM" ]; then
  echo "e2e-setup: chromium was installed but $CHROMIUM is still missing." >&2
  exit 6
fi
echo "e2e-setup: $("$CHROMIUM" --version 2>/dev/null || echo chromium) ready." >&2
