#!/usr/bin/env bash
# Installs the system packages dermasim builds against (Debian/Ubuntu), when missing.
# Run as root (CI and fresh machines) or with passwordless sudo; otherwise prints what to install.
set -euo pipefail
pkgs=(cmake g++ make pkg-config libeigen3-dev libhdf5-dev doctest-dev libbenchmark-dev pybind11-dev python3-venv)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# python3-venv is only needed when the interpreter lacks ensurepip
if [ ${#missing[@]} -gt 0 ] && [[ " ${missing[*]} " == *" python3-venv "* ]]; then
  if python3 -c "import ensurepip" >/dev/null 2>&1; then
    missing=("${missing[@]/python3-venv}")
  fi
fi
missing=($(printf '%s\n' "${missing[@]}" | sed '/^$/d'))
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "dermasim: installing system packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "dermasim: not root; please install: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
