#!/usr/bin/env bash
# Installs the Debian packages the portal needs, only those that are missing.
#   (no flag)  what the portal itself needs: WeasyPrint's libraries and fonts
#   --test     also what the test suite needs: Chromium, Redis, PostgreSQL, poppler
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
# Debian's own python3 ships venv without ensurepip; a Python that has it needs nothing.
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  packages+=("python3-venv")
fi
if [[ "${1:-}" == "--test" ]]; then
  packages+=(chromium redis-server postgresql poppler-utils)
  # npm installs axe-core for the accessibility tests; Debian's only when there is none.
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts these services on install; the project starts its own on free ports.
for svc in redis-server postgresql; do
  $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
