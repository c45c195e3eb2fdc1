#!/usr/bin/env python3
"""Builds the ONNX files of all-MiniLM-L6-v2 from its official fp32 weights (model.safetensors).

    export_minilm_onnx.py MODEL_DIR FP32_OUT.onnx [--int8 INT8_OUT.onnx]

The BERT encoder graph is written node by node with onnx.helper (opset 17), so only numpy and onnx are needed
(no torch). Inputs are input_ids, attention_mask and token_type_ids (int64, [batch, sequence]); the output is
last_hidden_state (float32, [batch, sequence, hidden]): what the feature-extraction pipeline of
@huggingface/transformers reads and mean-pools.

--int8 also writes a dynamic int8 quantisation of that graph with per-channel weight scales
(onnxruntime.quantization.quantize_dynamic): weights stored as int8 with one scale per output column,
activations quantised at run time. It runs about twice as fast as the per-tensor int8 file on a CPU and stays
close to fp32. With the same versions of numpy, onnx and onnxruntime the output is the same byte for byte, which
is why scripts/fetch-model.sh pins those versions and checks the result by sha256.
"""
import json
import struct
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict:
    """Every tensor of a .safetensors file (an 8-byte header length, a JSON header, then raw little-endian data)."""
    with open(path, "rb") as file:
        header_length = struct.unpack("<Q", file.read(8))[0]
        header = json.loads(file.read(header_length))
        data_start = 8 + header_length
        tensors = {}
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            begin, end = entry["data_offsets"]
            file.seek(data_start + begin)
            raw = file.read(end - begin)
            tensors[name] = np.frombuffer(raw, dtype=SAFETENSORS_DTYPES[entry["dtype"]]).reshape(entry["shape"]).copy()
    return tensors


class GraphBuilder:
    """Collects nodes and constant tensors; every node gets a unique output name."""

    def __init__(self):
        self.nodes = []
        self.initializers = []

    def constant(self, name, value):
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type, inputs, outputs=None, **attributes):
        outputs = outputs or [f"{op_type}_{len(self.nodes)}"]
        self.nodes.append(helper.make_node(op_type, inputs, outputs, name=outputs[0], **attributes))
        return outputs[0]


def build_encoder(model_dir: Path) -> onnx.ModelProto:
    config = json.loads((model_dir / "config.json").read_text())
    weights = {name.removeprefix("bert."): tensor for name, tensor in read_safetensors(model_dir / "model.safetensors").items()}
    hidden, heads, layers = config["hidden_size"], config["num_attention_heads"], config["num_hidden_layers"]
    head_size = hidden // heads
    epsilon = float(config.get("layer_norm_eps", 1e-12))
    graph = GraphBuilder()

    def linear(x, prefix):
        # PyTorch stores Linear weights as [out, in]; MatMul wants [in, out].
        weight = graph.constant(f"{prefix}.weight_T", weights[f"{prefix}.weight"].T.astype(np.float32))
        bias = graph.constant(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return graph.op("Add", [graph.op("MatMul", [x, weight]), bias])

    def layer_norm(x, prefix):
        scale = graph.constant(f"{prefix}.weight", weights[f"{prefix}.weight"])
        bias = graph.constant(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return graph.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=epsilon)

    # Embeddings: word + position + token type, then a layer norm.
    graph.constant("word_embeddings", weights["embeddings.word_embeddings.weight"])
    graph.constant("position_embeddings", weights["embeddings.position_embeddings.weight"])
    graph.constant("token_type_embeddings", weights["embeddings.token_type_embeddings.weight"])
    graph.constant("zero", np.array(0, np.int64))
    graph.constant("one", np.array(1, np.int64))
    graph.constant("axes_1_2", np.array([1, 2], np.int64))
    sequence_length = graph.op("Gather", [graph.op("Shape", ["input_ids"]), "one"], axis=0)
    positions = graph.op("Range", ["zero", sequence_length, "one"])
    x = graph.op(
        "Add",
        [
            graph.op("Add", [graph.op("Gather", ["word_embeddings", "input_ids"], axis=0), graph.op("Gather", ["position_embeddings", positions], axis=0)]),
            graph.op("Gather", ["token_type_embeddings", "token_type_ids"], axis=0),
        ],
    )
    x = layer_norm(x, "embeddings.LayerNorm")

    # Attention mask [batch, 1, 1, sequence]: 0 where a token is read, the most negative float where it is padding.
    graph.constant("one_float", np.array(1.0, np.float32))
    graph.constant("most_negative", np.array(np.finfo(np.float32).min, np.float32))
    mask = graph.op("Unsqueeze", [graph.op("Cast", ["attention_mask"], to=TensorProto.FLOAT), "axes_1_2"])
    additive_mask = graph.op("Mul", [graph.op("Sub", ["one_float", mask]), "most_negative"])

    graph.constant("split_heads_shape", np.array([0, 0, heads, head_size], np.int64))
    graph.constant("merge_heads_shape", np.array([0, 0, hidden], np.int64))
    graph.constant("attention_scale", np.array(1.0 / np.sqrt(head_size), np.float32))
    graph.constant("sqrt_two", np.array(np.sqrt(2.0), np.float32))
    graph.constant("half", np.array(0.5, np.float32))

    def split_heads(t):
        return graph.op("Transpose", [graph.op("Reshape", [t, "split_heads_shape"])], perm=[0, 2, 1, 3])

    for layer in range(layers):
        prefix = f"encoder.layer.{layer}."
        query = split_heads(linear(x, prefix + "attention.self.query"))
        key = split_heads(linear(x, prefix + "attention.self.key"))
        value = split_heads(linear(x, prefix + "attention.self.value"))
        scores = graph.op("Mul", [graph.op("MatMul", [query, graph.op("Transpose", [key], perm=[0, 1, 3, 2])]), "attention_scale"])
        weights_of_tokens = graph.op("Softmax", [graph.op("Add", [scores, additive_mask])], axis=-1)
        context = graph.op("MatMul", [weights_of_tokens, value])
        context = graph.op("Reshape", [graph.op("Transpose", [context], perm=[0, 2, 1, 3]), "merge_heads_shape"])
        x = layer_norm(graph.op("Add", [linear(context, prefix + "attention.output.dense"), x]), prefix + "attention.output.LayerNorm")
        intermediate = linear(x, prefix + "intermediate.dense")
        # The exact GELU, as BERT defines it: 0.5 * h * (1 + erf(h / sqrt(2))).
        gelu = graph.op(
            "Mul",
            [graph.op("Mul", [intermediate, "half"]), graph.op("Add", [graph.op("Erf", [graph.op("Div", [intermediate, "sqrt_two"])]), "one_float"])],
        )
        x = layer_norm(graph.op("Add", [linear(gelu, prefix + "output.dense"), x]), prefix + "output.LayerNorm")

    graph.op("Identity", [x], ["last_hidden_state"])
    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT64, ["batch_size", "sequence_length"])
        for name in ("input_ids", "attention_mask", "token_type_ids")
    ]
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", "sequence_length", hidden])]
    model = helper.make_model(
        helper.make_graph(graph.nodes, "bert_encoder", inputs, outputs, graph.initializers),
        opset_imports=[helper.make_opsetid("", 17)],
        producer_name="answerloop-export-minilm",
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main(argv):
    if len(argv) not in (3, 5) or (len(argv) == 5 and argv[3] != "--int8"):
        sys.exit("usage: export_minilm_onnx.py MODEL_DIR FP32_OUT.onnx [--int8 INT8_OUT.onnx]")
    model_dir, fp32_out = Path(argv[1]), Path(argv[2])
    onnx.save(build_encoder(model_dir), fp32_out)
    print(f"wrote {fp32_out} ({fp32_out.stat().st_size} bytes)")
    if len(argv) == 5:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        int8_out = Path(argv[4])
        quantize_dynamic(str(fp32_out), str(int8_out), per_channel=True, weight_type=QuantType.QInt8)
        print(f"wrote {int8_out} ({int8_out.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv)
