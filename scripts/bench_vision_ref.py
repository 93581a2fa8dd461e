"""Reference pipeline for scripts/bench-vision: the model part of vision's default image menu in
Python with onnxruntime (the same ONNX files, one thread): decode with Pillow, YuNet at 640 px,
the PP-OCRv4 detector gate at 320 px. usage: bench_vision_ref.py MODELS_DIR PHOTOS_DIR RUNS
Prints one JSON line: p50_ms, p99_ms over every photo × run."""
import glob, json, sys, time

import numpy as np
import onnxruntime as ort
from PIL import Image

models, photos, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
yunet = ort.InferenceSession(f"{models}/yunet_2023mar.onnx", options, providers=["CPUExecutionProvider"])
det = ort.InferenceSession(f"{models}/ppocrv4_det.onnx", options, providers=["CPUExecutionProvider"])
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def padded(image, side):
    image = image.copy()
    image.thumbnail((side, side))
    w, h = image.size
    pw, ph = -(-w // 32) * 32, -(-h // 32) * 32
    canvas = Image.new("RGB", (pw, ph))
    canvas.paste(image, (0, 0))
    return np.asarray(canvas, dtype=np.float32)


def analyse(path):
    image = Image.open(path).convert("RGB")
    faces = padded(image, 640)[:, :, ::-1].transpose(2, 0, 1)[None].copy()
    yunet.run(None, {yunet.get_inputs()[0].name: faces})
    gate = ((padded(image, 320) / 255.0 - MEAN) / STD).transpose(2, 0, 1)[None].astype(np.float32)
    det.run(None, {det.get_inputs()[0].name: gate})


files = sorted(glob.glob(f"{photos}/*.jpg"))
for f in files:
    analyse(f)
times = []
for f in files:
    for _ in range(runs):
        t = time.perf_counter()
        analyse(f)
        times.append((time.perf_counter() - t) * 1000)
times.sort()
pick = lambda p: times[min(len(times) - 1, round((len(times) - 1) * p))]
print(json.dumps({"images": len(times), "p50_ms": pick(0.5), "p99_ms": pick(0.99)}))
