#!/usr/bin/env bash
# Builds the four service images from packages reachable here (no registry image is pulled):
#   1. a Java 17 runtime root filesystem made by mmdebstrap from Debian bookworm packages
#      (openjdk-17-jre-headless, ca-certificates), without shells, apt or documentation,
#      with the service user (UID/GID 185) — cached by package list, so re-runs skip it;
#   2. each service's Quarkus fast-jar (<svc>/target/quarkus-app, build it first) layered on it
#      (libraries, then the application, so a code change rebuilds one small layer); biometric-svc
#      also carries the face models of scripts/fetch-face-models.sh, checked by SHA-256, at
#      /opt/sentinel/face-models.
# The images run as UID 185 on a read-only root: Java writes only to /tmp (java.io.tmpdir; ONNX
# Runtime unpacks its native library there), and nothing else in the image is writable.
# For each image it records the digest and writes a CycloneDX 1.5 SBOM (the Debian packages from
# the root filesystem's dpkg status, the Maven artifacts of the fast-jar with their SHA-256, and
# for biometric-svc the model files):
#   <out>/images.tsv           service, image reference, digest, size in bytes
#   <out>/<service>.digest     the digest alone (sha256:...)
#   <out>/sbom/<service>.cdx.json
#
#   scripts/images.sh [--out DIR] [--tag TAG] [SERVICE...]   default: all four services
#   scripts/images.sh --base-only                            only the cached runtime base
#
# Environment: SENTINEL_IMAGE_REGISTRY (default localhost) and SENTINEL_IMAGE_GROUP (default
# sentinel-platform) name the images <registry>/<group>/<service>:<tag> as the chart does; the tag
# defaults to the Maven version. SENTINEL_CACHE (default ~/.cache/sentinel) holds the root
# filesystem tarball. <out> defaults to <repo>/.sentinel/images.
#
# Needs root (podman here runs rootful). Installs podman, buildah and mmdebstrap with apt when
# missing, and sets Podman up the way it works on these machines: runc rather than crun (crun
# fails here: "cgroups in hybrid mode", setrlimit refused), cgroupfs, no default ulimits.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.sentinel/images"
TAG=""
BASE_ONLY=false
if [[ ${1:-} == --base-only ]]; then BASE_ONLY=true; shift; fi
if [[ ${1:-} == --out ]]; then OUT="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2; fi
if [[ ${1:-} == --tag ]]; then TAG="$2"; shift 2; fi
SERVICES=("$@")
[[ ${#SERVICES[@]} -gt 0 ]] || SERVICES=(enrollment-svc biometric-svc location-svc rules-svc)
REGISTRY="${SENTINEL_IMAGE_REGISTRY:-localhost}"
GROUP="${SENTINEL_IMAGE_GROUP:-sentinel-platform}"
CACHE="${SENTINEL_CACHE:-$HOME/.cache/sentinel}/images"

SUITE=bookworm
PACKAGES=(openjdk-17-jre-headless ca-certificates)
JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
APP_UID=185
MODELS_DIR=/opt/sentinel/face-models
# Bump when the recipe below changes in a way the package list does not show.
RECIPE=4

START=$SECONDS
log() { printf '[images %3ds] %s\n' $((SECONDS - START)) "$*" >&2; }
die() { echo "images.sh: $*" >&2; exit 1; }
pm() { podman --runtime runc --cgroup-manager cgroupfs "$@"; }

[[ $(id -u) -eq 0 ]] || die "run as root: podman runs rootful here"
$BASE_ONLY && SERVICES=()
for s in "${SERVICES[@]}"; do
  [[ $s =~ ^(enrollment|biometric|location|rules)-svc$ ]] || die "unknown service '$s'"
  [[ -f $ROOT/$s/target/quarkus-app/quarkus-run.jar ]] \
    || die "$s/target/quarkus-app is missing: ./mvnw -B -q package -DskipTests -pl $s -am"
done
if [[ -z $TAG ]] && ! $BASE_ONLY; then
  TAG="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -1)"
  [[ -n $TAG ]] || die "cannot read the project version from pom.xml; pass --tag"
fi

ensure_tools() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v buildah >/dev/null || missing+=(buildah)
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v runc >/dev/null || missing+=(runc)
  command -v python3 >/dev/null || missing+=(python3)
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing ${missing[*]} with apt"
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Puts KEY = VALUE into [SECTION] of containers.conf unless the key is already set there.
conf_key() { # section key value
  local f=/etc/containers/containers.conf
  mkdir -p /etc/containers
  touch "$f"
  if awk -v s="[$1]" -v k="$2" '$0==s{ins=1;next} /^\[/{ins=0} ins && $1==k{found=1} END{exit !found}' "$f"; then
    return 0
  fi
  if grep -qx "\[$1\]" "$f"; then
    sed -i "/^\[$1\]\$/a $2 = $3" "$f"
  else
    printf '\n[%s]\n%s = %s\n' "$1" "$2" "$3" >>"$f"
  fi
  log "containers.conf: [$1] $2 = $3"
}

ensure_podman() {
  conf_key containers default_ulimits '[]'
  conf_key engine runtime '"runc"'
  conf_key engine cgroup_manager '"cgroupfs"'
}

# The runtime root filesystem, as a tarball keyed by everything that decides its content.
rootfs() {
  local key tar
  key="$(printf '%s\n' "$SUITE" "${PACKAGES[@]}" "uid=$APP_UID" "recipe=$RECIPE" | sha256sum | cut -c1-16)"
  tar="$CACHE/rootfs-$SUITE-$key.tar"
  BASE="localhost/sentinel/jre17-base:$key"
  ROOTFS_TAR="$tar"
  if [[ ! -f $tar ]]; then
    mkdir -p "$CACHE"
    log "root filesystem: mmdebstrap $SUITE + ${PACKAGES[*]} (first run only, about 2 minutes)"
    local inc
    inc="$(IFS=,; echo "${PACKAGES[*]}")"
    # essential + the JRE; then the shells go (apt never came in), so the running image has no
    # shell. dash's maintainer scripts need the shell being removed, so they are dropped first.
    # dpkg's status records both removals, so the SBOM stays true.
    mmdebstrap --variant=essential --include="$inc" --format=tar \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
      --customize-hook='echo "sentinel:x:'$APP_UID':'$APP_UID':Sentinel service:/tmp:/usr/sbin/nologin" >> "$1/etc/passwd"' \
      --customize-hook='echo "sentinel:x:'$APP_UID':" >> "$1/etc/group"' \
      --customize-hook='rm -rf "$1"/var/cache/* "$1"/var/lib/apt/lists/* "$1"/var/log/*' \
      --customize-hook='chroot "$1" dpkg --purge --force-remove-essential --force-depends bash' \
      --customize-hook='rm -f "$1"/var/lib/dpkg/info/dash.prerm "$1"/var/lib/dpkg/info/dash.postrm' \
      --customize-hook='chroot "$1" dpkg --purge --force-remove-essential --force-depends --no-triggers dash' \
      --customize-hook='rm -f "$1"/usr/bin/sh "$1"/bin/sh "$1"/usr/bin/dash "$1"/bin/dash "$1"/usr/bin/rbash' \
      "$SUITE" "$tar.part" \
      "deb http://deb.debian.org/debian $SUITE main" \
      "deb http://deb.debian.org/debian $SUITE-updates main" \
      "deb http://deb.debian.org/debian-security $SUITE-security main" 2>&1 \
      | tee "$CACHE/mmdebstrap.log" | grep --line-buffered -E '^I: (running|downloading|extracting|installing|finished|creating)' >&2 || true
    [[ -s $tar.part ]] || { tail -20 "$CACHE/mmdebstrap.log" >&2; die "mmdebstrap failed (log: $CACHE/mmdebstrap.log)"; }
    mv -f "$tar.part" "$tar"
  else
    log "root filesystem: cached $tar"
  fi
  if ! pm image exists "$BASE"; then
    log "importing the root filesystem as $BASE"
    pm import --quiet --change "USER $APP_UID" "$tar" "$BASE" >/dev/null
  fi
}

models() {
  local dir
  dir="$("$ROOT/scripts/fetch-face-models.sh")"  # verifies every file against its pinned SHA-256
  MODELS_SRC="$dir"
}

build() { # service
  local svc=$1 ctx ref file digest
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' RETURN
  cp -a "$ROOT/$svc/target/quarkus-app" "$ctx/app"
  cat >"$ctx/Containerfile" <<EOF
FROM $BASE
# Root owns the application and nobody may change it; UID $APP_UID only reads and runs it.
COPY --chown=0:0 --chmod=755 app/lib/ /deployments/lib/
COPY --chown=0:0 --chmod=755 app/quarkus/ /deployments/quarkus/
COPY --chown=0:0 --chmod=755 app/app/ /deployments/app/
COPY --chown=0:0 --chmod=644 app/quarkus-run.jar /deployments/quarkus-run.jar
EOF
  if [[ $svc == biometric-svc ]]; then
    mkdir -p "$ctx/models"
    cp "$MODELS_SRC"/fr_*.onnx "$ctx/models/"
    (cd "$ctx/models" && sha256sum fr_*.onnx >SHA256SUMS)
    cat >>"$ctx/Containerfile" <<EOF
COPY --chown=0:0 --chmod=755 models/ $MODELS_DIR/
ENV FACE_MODELS_DIR=$MODELS_DIR
EOF
  fi
  cat >>"$ctx/Containerfile" <<EOF
USER $APP_UID:$APP_UID
WORKDIR /tmp
ENV LANG=C.UTF-8 HOME=/tmp
EXPOSE 8080
LABEL org.opencontainers.image.title="$svc" org.opencontainers.image.version="$TAG" \
      org.opencontainers.image.revision="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)" \
      org.opencontainers.image.base.name="$BASE"
ENTRYPOINT ["$JAVA", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/deployments/quarkus-run.jar"]
EOF
  ref="$REGISTRY/$GROUP/$svc:$TAG"
  # A fixed timestamp: the same jar and models give the same digest.
  pm build --quiet --timestamp 0 --layers=true -t "$ref" -f "$ctx/Containerfile" "$ctx" >/dev/null
  digest="$(pm image inspect --format '{{.Digest}}' "$ref")"
  [[ $digest == sha256:* ]] || die "no digest for $ref"
  printf '%s\n' "$digest" >"$OUT/$svc.digest"
  local size
  size="$(pm image inspect --format '{{.Size}}' "$ref")"
  printf '%s\t%s\t%s\t%s\n' "$svc" "$ref" "$digest" "$size" >>"$OUT/images.tsv.part"
  local sbom=(--service "$svc" --image "$ref" --digest "$digest" --rootfs "$ROOTFS_TAR" --app "$ROOT/$svc/target/quarkus-app")
  [[ $svc == biometric-svc ]] && sbom+=(--models "$ctx/models")
  python3 "$ROOT/scripts/sbom.py" "${sbom[@]}" >"$OUT/sbom/$svc.cdx.json"
  log "$svc: $ref@$digest ($((size / 1024 / 1024)) MB)"
}

ensure_tools
ensure_podman
mkdir -p "$OUT/sbom"
rm -f "$OUT/images.tsv.part"
rootfs
$BASE_ONLY && { log "base: $BASE"; exit 0; }
MODELS_SRC=""
for s in "${SERVICES[@]}"; do [[ $s == biometric-svc ]] && { log "face models: verifying"; models; }; done
i=0
for s in "${SERVICES[@]}"; do
  i=$((i + 1))
  log "[$i/${#SERVICES[@]}] building $s"
  build "$s"
done
# Rows of services not rebuilt this time stay, so the file always describes every image built.
if [[ -f $OUT/images.tsv ]]; then
  awk -F'\t' 'NR==FNR{seen[$1]=1; next} !seen[$1]' "$OUT/images.tsv.part" "$OUT/images.tsv" >>"$OUT/images.tsv.part"
fi
sort -o "$OUT/images.tsv" "$OUT/images.tsv.part"
rm -f "$OUT/images.tsv.part"
log "done: $OUT/images.tsv"
cat "$OUT/images.tsv"
