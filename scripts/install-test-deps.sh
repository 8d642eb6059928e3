#!/usr/bin/env bash
# Installs the Debian packages the test suite runs against, only when a command is missing.
# Arguments add COMMAND=PACKAGE pairs (the benchmarks use this for their peers).
# Needs root (CI and the development machines run as root); apt-get update runs once, first.
set -euo pipefail

declare -A packages=(
  [git]=git
  [docker-registry]=docker-registry
  [skopeo]=skopeo
  [htpasswd]=apache2-utils
  [openssl]=openssl
)
# Extra COMMAND=PACKAGE pairs (the benchmarks' peers, e.g. rclone=rclone).
for pair in "$@"; do
  packages[${pair%%=*}]=${pair#*=}
done

missing=()
for cmd in "${!packages[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${packages[$cmd]}")
done

if ((${#missing[@]} > 0)); then
  echo "installing Debian packages for the tests: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
