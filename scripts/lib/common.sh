# shellcheck shell=bash
# Shared by every entry point in scripts/: find or provision a Python that the
# newest Home Assistant accepts, keep .venv in step with the pinned
# requirements, and run commands in it, natively or inside the provisioned
# Debian root.  Sourced, never executed.

set -euo pipefail

HPH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HPH_VENV="$HPH_ROOT/.venv"
# The provisioned root lives in an ignored folder of the checkout, so that
# removing the checkout removes it too.
HPH_CHROOT="$HPH_ROOT/.python-root"
HPH_MIN_PYTHON="3.14.2"
HPH_SUITE="${HPH_DEBIAN_SUITE:-sid}"
HPH_REQUIREMENTS=("$HPH_ROOT/requirements.txt" "$HPH_ROOT/requirements.lock")

hph_log() { printf '%s\n' "$*" >&2; }

hph_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Succeeds when $1 is a Python interpreter >= HPH_MIN_PYTHON with venv.
hph_python_ok() {
  "$1" - "$HPH_MIN_PYTHON" >/dev/null 2>&1 <<'PY'
import sys, venv  # noqa: F401  (venv must be importable, Debian splits it out)
need = tuple(int(p) for p in sys.argv[1].split("."))
sys.exit(0 if sys.version_info[:3] >= need else 1)
PY
}

# Prints the path of a suitable host interpreter, or nothing.
hph_find_host_python() {
  local candidate
  local -a candidates=()
  [[ -n "${HPH_PYTHON:-}" ]] && candidates+=("$HPH_PYTHON")
  for candidate in python3.14 python3.15 python3.16 python3; do
    command -v "$candidate" >/dev/null 2>&1 && candidates+=("$(command -v "$candidate")")
  done
  if command -v pyenv >/dev/null 2>&1; then
    local root
    root="$(pyenv root 2>/dev/null || true)"
    for candidate in "$root"/versions/3.1[4-9]*/bin/python3; do
      [[ -x "$candidate" ]] && candidates+=("$candidate")
    done
  fi
  for candidate in "${candidates[@]}"; do
    if hph_python_ok "$candidate"; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 0
}

# The first Debian mirror named by the host's own apt sources (deb822 or
# one-line format).  Never a hard-coded host.
hph_host_mirror() {
  local file uri
  for file in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r "$file" ]] || continue
    uri="$(awk '
      /^[[:space:]]*#/ { next }
      tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }
      $1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }
    ' "$file")"
    if [[ -n "$uri" ]]; then
      printf '%s\n' "$uri"
      return 0
    fi
  done
  return 1
}

hph_chroot_ready() { [[ -f "$HPH_CHROOT/.ready" ]]; }

hph_provision_root() {
  local mirror tmp
  [[ "$(id -u)" == 0 ]] || hph_die "no Python >= $HPH_MIN_PYTHON found; install Python $HPH_MIN_PYTHON or newer (or run as root on Debian so scripts/setup can provision one)."
  command -v apt-get >/dev/null 2>&1 || hph_die "no Python >= $HPH_MIN_PYTHON found; install Python $HPH_MIN_PYTHON or newer and run this again."
  mirror="$(hph_host_mirror)" || hph_die "no Python >= $HPH_MIN_PYTHON found and no Debian mirror in /etc/apt/sources*; install Python $HPH_MIN_PYTHON or newer."
  if ! command -v debootstrap >/dev/null 2>&1; then
    hph_log "Installing debootstrap from the host's apt sources..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  hph_log "No Python >= $HPH_MIN_PYTHON on this machine: building a minimal Debian $HPH_SUITE root with python3.14 in $HPH_CHROOT (from $mirror)..."
  tmp="$HPH_CHROOT.partial"
  rm -rf "$tmp"
  if ! debootstrap --variant=minbase --include=python3.14,python3.14-venv,ca-certificates \
    "$HPH_SUITE" "$tmp" "$mirror" >"$HPH_ROOT/.python-root.log" 2>&1; then
    tail -n 20 "$HPH_ROOT/.python-root.log" >&2
    hph_die "debootstrap of Debian $HPH_SUITE failed (log: .python-root.log). If it says python3.14 cannot be found, the mirror ($mirror) no longer carries it in $HPH_SUITE: install Python >= $HPH_MIN_PYTHON on this machine, or point HPH_DEBIAN_SUITE at a suite that has python3.14 (e.g. HPH_DEBIAN_SUITE=forky), and run this again."
  fi
  # The exact Python package installed, for the record and for bug reports:
  # sid moves on, and the next root built from the mirror may differ.
  local installed
  installed="$(chroot "$tmp" dpkg-query -W -f='${Version}' python3.14 2>/dev/null || echo unknown)"
  printf 'python3.14 %s from %s (%s), built %s\n' "$installed" "$mirror" "$HPH_SUITE" "$(date -u +%Y-%m-%dT%H:%MZ)" \
    >"$tmp/.python-version"
  hph_log "Provisioned python3.14 $installed (recorded in $HPH_CHROOT/.python-version)."
  rm -rf "$HPH_CHROOT"
  mv "$tmp" "$HPH_CHROOT"
  touch "$HPH_CHROOT/.ready"
}

# The local folders the host's pip configuration points at: find-links
# folders and file:// package indexes (the folder above an index's /simple,
# where its files are), from pip's configuration files and environment.
hph_pip_local_folders() {
  local file
  local -a files=()
  for file in "${PIP_CONFIG_FILE:-}" /etc/pip.conf /etc/xdg/pip/pip.conf \
    "$HOME/.config/pip/pip.conf" "$HOME/.pip/pip.conf"; do
    [[ -n "$file" && -r "$file" ]] && files+=("$file")
  done
  {
    # A key's value, and the indented lines that continue it.
    if ((${#files[@]})); then
      awk '
        /^[[:space:]]*(find-links|index-url|extra-index-url)[[:space:]]*=/ {
          sub(/^[^=]*=/, ""); print; more = 1; next
        }
        more && /^[[:space:]]+[^[:space:]]/ { print; next }
        { more = 0 }
      ' "${files[@]}"
    fi
    printf '%s\n' "${PIP_FIND_LINKS:-}" "${PIP_INDEX_URL:-}" "${PIP_EXTRA_INDEX_URL:-}"
  } | tr -s ' \t' '\n\n' | sed -n 's|^file://||; s|/simple/\{0,1\}$||; \|^/|p' | sort -u
}

# Runs "$@" inside the provisioned root, in a private mount namespace so that
# every bind mount disappears with the command.  Visible inside, at the same
# paths: the checkout, the current directory, /tmp, the kernel's /proc, /dev
# and /sys, the host's CA bundle and pip configuration with the local package
# folders it names, and each argument that names an existing file or folder --
# that file or folder itself, never its parent, and never / (a command given
# "/" or run from "/" must not see the whole host).
hph_chroot_exec() {
  local -a binds=("$HPH_ROOT" /proc /dev /sys /tmp)
  [[ "$PWD" != / ]] && binds+=("$PWD")
  local arg var path
  for arg in "$@"; do
    # Both "PATH" and "--opt=PATH" forms.
    for path in "$arg" "${arg#*=}"; do
      [[ -n "$path" && -e "$path" ]] || continue
      path="$(realpath "$path")"
      [[ "$path" != / ]] && binds+=("$path")
    done
  done
  for var in PIP_CERT SSL_CERT_FILE REQUESTS_CA_BUNDLE PIP_CONFIG_FILE PIP_FIND_LINKS SSL_CERT_DIR; do
    path="${!var:-}"
    [[ -n "$path" && -e "$path" ]] && binds+=("$path")
  done
  for path in /etc/pip.conf /etc/xdg/pip "$HOME/.config/pip" "$HOME/.pip"; do
    [[ -e "$path" ]] && binds+=("$path")
  done
  # pip inside the root reads the host's configuration, so the local package
  # folders it names must be there too, at the same paths.
  while IFS= read -r path; do
    [[ -n "$path" && -e "$path" ]] && binds+=("$path")
  done < <(hph_pip_local_folders)
  cp -f /etc/resolv.conf "$HPH_CHROOT/etc/resolv.conf" 2>/dev/null || true
  cp -f /etc/hosts "$HPH_CHROOT/etc/hosts" 2>/dev/null || true
  # Parents before children, so a later mount is not hidden by an earlier one.
  local -a sorted=()
  mapfile -t sorted < <(printf '%s\n' "${binds[@]}" | awk '{ print length($0) "\t" $0 }' | sort -n -s | cut -f2- | awk '!seen[$0]++')
  exec unshare --mount --propagation private -- bash -c '
    set -e
    target="$1" workdir="$2" home="$3" count="$4"
    shift 4
    for ((i = 0; i < count; i++)); do
      p="$1"; shift
      dest="$target$p"
      if [[ -d "$p" ]]; then mkdir -p "$dest"; else mkdir -p "$(dirname "$dest")"; [[ -e "$dest" ]] || touch "$dest"; fi
      mount --rbind "$p" "$dest"
    done
    mkdir -p "$target$home"
    exec chroot "$target" /usr/bin/env HOME="$home" PATH="/usr/local/bin:/usr/bin:/bin" HPH_INSIDE_ROOT=1 \
      bash -c "cd \"\$0\" && exec \"\$@\"" "$workdir" "$@"
  ' hph "$HPH_CHROOT" "$PWD" "$HOME" "${#sorted[@]}" "${sorted[@]}" "$@"
}

# True inside a command that hph_exec already started (a script run by the
# tests, say): there the environment is ready and the root cannot be entered
# again.
hph_inside() { [[ "${HPH_INSIDE_ROOT:-}" == 1 || "${VIRTUAL_ENV:-}" == "$HPH_VENV" ]]; }

# Runs "$@" with .venv's bin first on PATH, natively or in the provisioned root.
hph_exec() {
  if hph_inside; then
    PATH="$HPH_VENV/bin:$PATH" VIRTUAL_ENV="$HPH_VENV" exec "$@"
  elif [[ -f "$HPH_VENV/.in-root" ]]; then
    hph_chroot_exec env PATH="$HPH_VENV/bin:/usr/local/bin:/usr/bin:/bin" VIRTUAL_ENV="$HPH_VENV" "$@"
  else
    PATH="$HPH_VENV/bin:$PATH" VIRTUAL_ENV="$HPH_VENV" exec "$@"
  fi
}

hph_requirements_hash() {
  cat "${HPH_REQUIREMENTS[@]}" | sha256sum | cut -d' ' -f1
}

# Makes .venv match the pinned requirements; quick when it already does.
hph_ensure_venv() {
  local want python in_root=0
  hph_inside && return 0
  want="$(hph_requirements_hash)"
  if [[ -f "$HPH_VENV/.stamp" && "$(cat "$HPH_VENV/.stamp")" == "$want" ]]; then
    if [[ ! -f "$HPH_VENV/.in-root" ]] || hph_chroot_ready; then
      return 0
    fi
  fi
  python="$(hph_find_host_python)"
  if [[ -z "$python" ]]; then
    hph_chroot_ready || hph_provision_root
    in_root=1
    python=/usr/bin/python3.14
  fi
  local -a run=()
  if ((in_root)); then run=(hph_chroot_exec); fi
  local started=$SECONDS
  if [[ ! -x "$HPH_VENV/bin/python" ]] || ! ( "${run[@]}" "$HPH_VENV/bin/python" -c 'import sys' ) 2>/dev/null; then
    rm -rf "$HPH_VENV"
    hph_log "Creating .venv with $python..."
    ( "${run[@]}" "$python" -m venv "$HPH_VENV" )
  fi
  if ((in_root)); then touch "$HPH_VENV/.in-root"; else rm -f "$HPH_VENV/.in-root"; fi
  hph_log "Installing the pinned requirements into .venv (a few minutes the first time)..."
  ( "${run[@]}" "$HPH_VENV/bin/python" -m pip install -qq --disable-pip-version-check \
      -r "$HPH_ROOT/requirements.txt" -c "$HPH_ROOT/requirements.lock" ) ||
    hph_die "installing requirements.txt into .venv failed (see the messages above)."
  printf '%s\n' "$want" >"$HPH_VENV/.stamp"
  hph_log "Environment ready in $((SECONDS - started)) s."
}

# Installs Debian packages into the provisioned root when missing (no-op on a
# native host, where the machine's own packages are used).
hph_root_packages() {
  [[ -f "$HPH_VENV/.in-root" ]] || return 0
  local -a missing=()
  local pkg
  for pkg in "$@"; do
    chroot "$HPH_CHROOT" dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  hph_log "Installing ${missing[*]} into the provisioned root..."
  # Check-Valid-Until=false: the root's package lists come from the day it was
  # built, and a mirror or snapshot serving sid may publish a Release file
  # whose Valid-Until has passed; the packages are still signed and checked,
  # only the freshness date is not.  --no-install-recommends: the root holds
  # what the scripts need (Chromium for the browser check), nothing more.
  ( hph_chroot_exec env DEBIAN_FRONTEND=noninteractive bash -c \
      'apt-get -o Acquire::Check-Valid-Until=false update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null' apt "${missing[@]}" ) ||
    hph_die "could not install ${missing[*]} into $HPH_CHROOT."
}
