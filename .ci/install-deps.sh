#!/usr/bin/env bash
# System packages the test suite needs on Debian 12 (bookworm). Idempotent: apt is skipped when every
# package is already installed.
#   mmdebstrap       builds the real Debian test image's root filesystem (tests/support/images.py)
#   umoci            packs that rootfs into a layered OCI image
#   skopeo           converts it to oci / oci-archive / docker-archive, pushes to the test registry
#   docker-registry  the Distribution registry the registry tests run (tests/support/registry.py)
#   apache2-utils    htpasswd -B, for the registry's basic-auth mode
#   zstd             zstd-compressed layers
#   ca-certificates  HTTPS to the Debian archive and PyPI
#   golang-go, golang-github-google-uuid-dev   a real Go binary built offline (vendored uuid), checked
#                    against `go version -m` in tests/extract/test_go.py
#   ruby, ruby-rack  real installed gems and Bundler, checked against `gem list` (tests/extract/test_gem.py)
#   chromium         renders the HTML report headless in tests/report/test_html.py
#   maven, python3-apt   Maven's ComparableVersion and apt_pkg, the references for versions/maven.py and dpkg.py
#   php-cli, php-composer-semver   Composer's own version ordering, the reference for versions/composer.py
#   binutils         objcopy/readelf: a Rust binary with a cargo-auditable section, ELF section checks
#   (node and npm come with the machine image: real node_modules in tests/extract/test_npm.py)
#   rpm              librpm's own reading of the SQLite/BerkeleyDB fixtures, compared with hullscan's pure-Python
#                    reader in tests/extract/test_rpm.py::test_agrees_with_rpm (skipped when rpm is absent)
# Recommends are installed on purpose (mmdebstrap's gpg, arch-test, uidmap…), as on the developers' machines.
set -euo pipefail

packages=(mmdebstrap umoci skopeo docker-registry apache2-utils zstd ca-certificates rpm
          golang-go golang-github-google-uuid-dev binutils ruby ruby-rack php-cli php-composer-semver
          maven python3-apt chromium clamav-daemon clamav-testfiles jq)

missing=()
for pkg in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [ "$status" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all present (${packages[*]})"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# A package's postinst must not start a service (docker-registry would listen on :5000): the tests start
# their own. policy-rc.d exit 101 = "action forbidden"; only installed for this run, then removed.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  added_policy=1
fi
cleanup() {
  if [ "$added_policy" -eq 1 ]; then
    "${sudo_cmd[@]}" rm -f "$policy"
  fi
}
trap cleanup EXIT

"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
