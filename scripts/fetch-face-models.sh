#!/usr/bin/env bash
# Fetches the face models and sample photos used by biometric-svc's face verification into a
# local cache, verifying every file against pinned SHA-256 values. Idempotent: files already
# present and verified are kept. Prints the cache directory on success.
#
# Sources (npm registry, MIT):
#   faceplugin-face-recognition-js@0.0.1  model/fr_{detect,landmark,feature,liveness}.onnx
#   @vladmandic/face-api@1.7.15           demo/sample1..6.jpg (group photos used by tests)
set -euo pipefail

CACHE_ROOT="${SENTINEL_CACHE:-$HOME/.cache/sentinel}"
DIR="$CACHE_ROOT/face"

FP_PKG="faceplugin-face-recognition-js@0.0.1"
FP_TGZ="faceplugin-face-recognition-js-0.0.1.tgz"
FA_PKG="@vladmandic/face-api@1.7.15"
FA_TGZ="vladmandic-face-api-1.7.15.tgz"

# Pinned hashes: a changed upstream artefact must fail the build, not silently change the
# embeddings that stored references were computed with.
declare -A SHA=(
  ["$FP_TGZ"]=7ea06031d9a3f83753254fcff60506a07b81b46fc84d4ee024cd041f260ec1ba
  ["$FA_TGZ"]=0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031
  [fr_detect.onnx]=6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854
  [fr_landmark.onnx]=f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258
  [fr_feature.onnx]=87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581
  [fr_liveness.onnx]=afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d
  [sample1.jpg]=8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51
  [sample2.jpg]=7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691
  [sample3.jpg]=8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936
  [sample4.jpg]=729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc
  [sample5.jpg]=6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938
  [sample6.jpg]=9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87
)
MODELS=(fr_detect.onnx fr_landmark.onnx fr_feature.onnx fr_liveness.onnx)
SAMPLES=(sample1.jpg sample2.jpg sample3.jpg sample4.jpg sample5.jpg sample6.jpg)

die() { echo "fetch-face-models: $*" >&2; exit 1; }

verified() { # name path
  [[ -f "$2" ]] && [[ "$(sha256sum "$2" | cut -d' ' -f1)" == "${SHA[$1]}" ]]
}

check() { # name path
  local got
  [[ -f "$2" ]] || die "missing $2"
  got="$(sha256sum "$2" | cut -d' ' -f1)"
  [[ "$got" == "${SHA[$1]}" ]] || die "SHA-256 mismatch for $2: expected ${SHA[$1]}, got $got"
}

all_verified() {
  local f
  for f in "${MODELS[@]}" "${SAMPLES[@]}"; do verified "$f" "$DIR/$f" || return 1; done
}

# A fresh machine may have only a JDK: install npm from Debian's packages when we can.
ensure_npm() {
  command -v npm >/dev/null && return 0
  [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || return 1
  echo "fetch-face-models: installing npm with apt" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null && command -v npm >/dev/null
}

fetch_tgz() { # package tgz
  if verified "$2" "$DIR/.npm/$2"; then return 0; fi
  ensure_npm || die "npm is required to fetch $1 (apt-get install npm)"
  rm -f "$DIR/.npm/$2"
  (cd "$DIR/.npm" && npm pack --silent "$1" >/dev/null) || die "npm pack $1 failed"
  check "$2" "$DIR/.npm/$2"
}

extract() { # tgz member-dir names...
  local tgz="$1" member="$2"; shift 2
  local tmp; tmp="$(mktemp -d "$DIR/.extract.XXXXXX")"
  local paths=()
  for n in "$@"; do paths+=("package/$member/$n"); done
  tar -xzf "$DIR/.npm/$tgz" -C "$tmp" "${paths[@]}" || { rm -rf "$tmp"; die "cannot extract from $tgz"; }
  for n in "$@"; do
    check "$n" "$tmp/package/$member/$n"
    mv -f "$tmp/package/$member/$n" "$DIR/$n"
  done
  rm -rf "$tmp"
}

mkdir -p "$DIR/.npm"
if ! all_verified; then
  fetch_tgz "$FP_PKG" "$FP_TGZ"
  fetch_tgz "$FA_PKG" "$FA_TGZ"
  extract "$FP_TGZ" model "${MODELS[@]}"
  extract "$FA_TGZ" demo "${SAMPLES[@]}"
  all_verified || die "verification failed after extraction in $DIR"
fi
echo "$DIR"
