#!/usr/bin/env bash
# Set up a development tree: .venv with Parley and its test tools, and with
# --peers the Debian packages of the real peers the interop tests talk to.
# Idempotent: a second run with nothing changed finishes in well under a second.
set -euo pipefail

usage() {
    echo "usage: $0 [--peers] [--gui]" >&2
    echo "  --peers   also install the Debian packages of the test peers (Kamailio, SIPp, ...)" >&2
    echo "  --gui     also install the system libraries the desktop app needs (Qt's X11 parts, PortAudio)" >&2
}

want_peers=0
want_gui=0
for arg in "$@"; do
    case "$arg" in
        --peers) want_peers=1 ;;
        --gui) want_gui=1 ;;
        -h | --help) usage; exit 0 ;;
        *) usage; exit 2 ;;
    esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"
stamp="$venv/.parley-install-stamp"

log() { echo "bootstrap: $*" >&2; }

# --- Python ---------------------------------------------------------------

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [[ -n "$candidate" ]] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if [[ ! -x "$venv/bin/python" ]]; then
    python="$(find_python)" || {
        log "no Python >= 3.11 found (set PYTHON=/path/to/python3.11 or install python3.11)"
        exit 1
    }
    log "creating .venv with $python"
    "$python" -m venv "$venv"
fi

# The stamp holds the hash of pyproject.toml at the last successful install;
# an unchanged project file means there is nothing to do.
want_hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
have_hash="$(cat "$stamp" 2>/dev/null || true)"
if [[ "$want_hash" != "$have_hash" ]] || [[ ! -x "$venv/bin/parley" ]]; then
    log "installing Parley (editable) with test extras into .venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[test]'
    echo "$want_hash" >"$stamp"
fi

# --- Test peers (Debian packages) -------------------------------------------

# Packages other parts of the test suite need can be added here, or for a
# one-off run through PARLEY_EXTRA_PACKAGES="pkg1 pkg2".
peer_packages=(
    kamailio
    kamailio-presence-modules
    kamailio-tls-modules
    sip-tester
    baresip-core
    linphone-cli
    sipsak
    dnsmasq-base
    openssl
    espeak-ng
    sox
    jackd2
    libportaudio2
    iproute2
    xvfb  # an X server for the global hotkeys' tests
    xdotool
    coturn  # STUN server (issue #11 NAT tests)
    nftables  # the NAT of the STUN tests' namespaces
    slapd  # LDAP directory (issue #10 contact sources)
    ldap-utils
    nginx-light  # XML phone books over HTTP(S), Basic auth, ETag
    apache2  # HTTP Digest auth (nginx has none)
)
# shellcheck disable=SC2206  # word splitting of the extra list is intended
peer_packages+=(${PARLEY_EXTRA_PACKAGES:-})

package_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == "installed" ]]
}

# What the desktop app needs from the system on a minimal Debian/Ubuntu: Qt's xcb
# platform plugin libraries, OpenGL/EGL, fonts, D-Bus, and PortAudio for sound devices.
gui_packages=(
    libxcb-cursor0
    libxkbcommon-x11-0
    libxcb-icccm4
    libxcb-keysyms1
    libxcb-shape0
    libxcb-render-util0
    libxcb-image0
    libegl1
    libgl1
    libfontconfig1
    libdbus-1-3
    fonts-dejavu-core
    libportaudio2
)

install_peers() {
    install_packages "test peers" "${peer_packages[@]}"
}

install_packages() {
    local what="$1"
    shift
    local wanted=("$@")
    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
        log "not a Debian-like system: install these yourself: ${wanted[*]}"
        return 0
    fi
    local missing=() pkg
    for pkg in "${wanted[@]}"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi

    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || {
            log "need root (or sudo) to install: ${missing[*]}"
            return 1
        }
        sudo=(sudo)
    fi

    # Never let a package start its service (with a stock config listening on
    # every address): policy-rc.d answering 101 forbids it. Debian images ship
    # one; otherwise put a temporary one in place and remove it afterwards.
    local policy=/usr/sbin/policy-rc.d
    local made_policy=0
    if [[ ! -e "$policy" ]]; then
        log "installing a temporary $policy so no service starts"
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
        made_policy=1
        # shellcheck disable=SC2064  # expand now: the trap must remove this exact file
        trap "${sudo[*]} rm -f '$policy'" EXIT
    fi

    log "installing $what: ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"

    if ((made_policy)); then
        "${sudo[@]}" rm -f "$policy"
        trap - EXIT
    fi
}

if ((want_peers)); then
    install_peers
fi
if ((want_gui)); then
    install_packages "desktop libraries" "${gui_packages[@]}"
fi
