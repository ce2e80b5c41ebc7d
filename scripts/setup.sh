#!/usr/bin/env bash
# Installs the Debian 12 packages that building, running and testing ticketsd need.
# Idempotent: installs only what is missing. Needs root or sudo.
set -euo pipefail

build_packages=(
  cmake g++ make pkg-config git ca-certificates curl tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpq-dev libsqlite3-dev libssl-dev
  prometheus-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libqrencode-dev
  libhpdf-dev libhowardhinnant-date-dev libcurl4-openssl-dev libpng-dev libtcmalloc-minimal4
)
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev clang-format python3 postgresql-15
  clang libclang-rt-14-dev prometheus
  # the runbook drills: nginx is their load balancer, Alertmanager routes their alerts
  nginx prometheus-alertmanager
  # deployment: the chart's renderer (Go text/template + sprig, as Helm) and values schema,
  # the container image (a Debian root from packages, assembled without a base image)
  golang-go golang-github-masterminds-sprig-dev golang-github-xeipuuv-gojsonschema-dev
  golang-github-ghodss-yaml-dev python3-yaml
  mmdebstrap buildah iproute2 binutils
  # the web app's journeys run in Debian's Chromium (Playwright never downloads a browser)
  chromium
  # emails: a real SMTP server on loopback, QR codes read back from images, PDFs read as text
  python3-aiosmtpd zbar-tools poppler-utils openssl
)

want=("${build_packages[@]}")
if [[ "${1:-}" == "--test" ]]; then
  want+=("${test_packages[@]}")
fi

# Node.js builds the web app (and runs the chart's schema validation and the Terraform checks);
# npm packages are pinned by lockfiles. A Node.js that is already installed is used as it is.
if ! command -v node >/dev/null; then
  want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Vite 7, which builds the web app, needs Node.js 20.19 or later.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
              process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "setup: Node.js $(node --version) is too old to build the web app: Vite 7 needs 20.19 or later" >&2
  exit 1
fi
