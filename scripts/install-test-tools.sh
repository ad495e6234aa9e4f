#!/usr/bin/env bash
# Installs what the test suite needs: the dev Python packages, a Chromium for the browser tests and
# (where apt is available) Debian's fortunes-zh, the Chinese corpus.
# Chromium: Debian's package where apt is available (Playwright's own download fails on machines
# without general internet access), else Playwright's own browser.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -r requirements-dev.txt
# fonts-wqy-microhei: a small CJK font, so screenshots of the 简体中文 UI show characters, not boxes.
# fortunes-zh: the Chinese corpus (lstm_engine/training/corpus_zh.py); its tests skip without it.
# nginx: the classroom proxy test (tests/browser/test_proxy.py) runs the app behind it, and skips,
# saying why, where nginx could not be installed.
if (command -v chromium || command -v chromium-browser) >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi wqy \
  && [ -f /usr/share/games/fortunes/tang300 ] && { command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei fortunes-zh nginx >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei fortunes-zh nginx >/dev/null
else
  python -m playwright install chromium
fi
