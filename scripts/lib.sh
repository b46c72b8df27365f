# Shared by strata's scripts: find a JDK 25, install Debian packages.
# shellcheck shell=bash

# Sets JAVA_HOME to a JDK 25 or explains how to get one.
use_jdk25() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [[ -n "$candidate" && -x "$candidate/bin/javac" ]] || continue
    major=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)
    if [[ -n "$major" && "$major" -ge 25 ]]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  cat >&2 <<'MSG'
strata needs a JDK 25 and none was found (looked at JAVA_HOME and /usr/lib/jvm).
Install one, e.g. Temurin 25:
  apt-get install -y wget apt-transport-https gpg
  wget -qO - https://packages.adoptium.net/artifactory/api/gpg/key/public | gpg --dearmor > /etc/apt/trusted.gpg.d/adoptium.gpg
  echo "deb https://packages.adoptium.net/artifactory/deb $(. /etc/os-release; echo $VERSION_CODENAME) main" > /etc/apt/sources.list.d/adoptium.list
  apt-get update && apt-get install -y temurin-25-jdk
or set JAVA_HOME to one.
MSG
  return 1
}

# The Debian packages strata's tests and demo start for real (systemd: systemd-analyze verify
# of the units in SystemdUnitsIT; systemd need not run).
STRATA_PACKAGES=(maven docker-registry skopeo umoci fuse3 libfuse3-3 libfuse2 apache2-utils openssl debootstrap pigz gzip zlib1g python3 busybox-static attr systemd)

install_packages() {
  local missing=() pkg
  for pkg in "${STRATA_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}" >&2
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
  fi
}

# Maven on JDK 25 warns about Unsafe in its own libraries; silence that noise.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
