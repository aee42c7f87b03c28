"""The benchmark's peer: the annotate-a-file job written the way a Python user
would write it, with OpenCV and onnxruntime (or OpenCV's own ONNX importer).

    python3 pipeline.py probe
    python3 pipeline.py encode --input IN.mp4 --output OUT.mp4
    python3 pipeline.py run --model M --family centernet|yolov8 --size 512|640 --runtime ort|cv2dnn
        --threads N --input IN.mp4 --output OUT.mp4 --detections OUT.jsonl

`probe` prints one JSON line: which of cv2 and onnxruntime are importable.
`encode` copies IN through the same VideoWriter and nothing else, so that the
encoder's size and quality can be held against the source.
`run` prints one JSON line with the steady-state fps, or {"skipped": reason}
when the runtime cannot load the model. The window opens when the first frame
goes to the VideoWriter and closes when `release()` returns: x264 at its
defaults holds some 40 frames for lookahead and B-frames and encodes them in
`release()`, so the last `write()` is not the last frame encoded. framewire's
sink meter likewise counts a frame once it is encoded and in the file. Detections go to --detections, one line a frame.
"""

import argparse
import json
import sys
import time


def probe():
    found = {}
    try:
        import cv2

        found["cv2"] = cv2.__version__
    except ImportError as err:
        found["cv2_error"] = str(err)
    try:
        import onnxruntime

        found["onnxruntime"] = onnxruntime.__version__
    except ImportError as err:
        found["onnxruntime_error"] = str(err)
    print(json.dumps(found))


def letterbox(frame, size, pad):
    """Centred letterbox, as in the Ultralytics examples."""
    import cv2
    import numpy as np

    h, w = frame.shape[:2]
    scale = min(size / w, size / h)
    nw, nh = round(w * scale), round(h * scale)
    left, top = (size - nw) // 2, (size - nh) // 2
    resized = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_LINEAR)
    canvas = np.full((size, size, 3), pad, np.uint8)
    canvas[top : top + nh, left : left + nw] = resized
    return canvas, nw / w, nh / h, left, top


class OrtModel:
    def __init__(self, path, threads):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            path, options, providers=["CPUExecutionProvider"]
        )
        self.input = self.session.get_inputs()[0].name
        self.outputs = [o.name for o in self.session.get_outputs()]

    def __call__(self, blob):
        return dict(zip(self.outputs, self.session.run(None, {self.input: blob})))


class Cv2DnnModel:
    def __init__(self, path, threads):
        import cv2

        cv2.setNumThreads(threads)
        self.net = cv2.dnn.readNetFromONNX(path)
        self.outputs = list(self.net.getUnconnectedOutLayersNames())

    def __call__(self, blob):
        self.net.setInput(blob)
        return dict(zip(self.outputs, self.net.forward(self.outputs)))


def decode_centernet(outputs, confidence, size=512, top_k=100):
    """Heatmap peaks (3×3 max-pool equality), top 100, ltrb distances from the cell."""
    import numpy as np

    heat = next(v for k, v in outputs.items() if "keypoints" in k)[0]  # [H, W, C]
    wh = next(v for k, v in outputs.items() if k.endswith("wh"))[0]  # [H, W, 4]
    h, w, c = heat.shape
    # Threshold first (one vectorised pass), then test only those cells for a peak.
    ys, xs, cs = np.nonzero(heat >= confidence)
    values = heat[ys, xs, cs]
    padded = np.pad(heat, ((1, 1), (1, 1), (0, 0)), constant_values=-np.inf)
    peak = np.ones(len(values), bool)
    for dy in range(3):
        for dx in range(3):
            peak &= values >= padded[ys + dy, xs + dx, cs]
    peaks = (ys[peak], xs[peak], cs[peak])
    scores = heat[peaks]
    order = np.argsort(-scores, kind="stable")[:top_k]
    ys, xs, cls = peaks[0][order], peaks[1][order], peaks[2][order]
    scores = scores[order]
    stride = size / w
    px, py = xs * stride, ys * stride
    d = wh[ys, xs]
    boxes = np.stack([px - d[:, 0], py - d[:, 1], px + d[:, 2], py + d[:, 3]], axis=1)
    return boxes, scores, cls


def decode_yolov8(outputs, confidence):
    """Ultralytics' [1, 4+C, N]: cx, cy, w, h in input pixels, then class scores; best class per anchor."""
    import numpy as np

    out = next(iter(outputs.values()))[0]
    classes = out[4:].argmax(axis=0)
    scores = out[4:][classes, np.arange(out.shape[1])]
    keep = scores >= confidence
    cx, cy, w, h = out[:4, keep]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return boxes, scores[keep], classes[keep]


def preprocess_centernet(canvas):
    """NHWC float RGB 0–255: the converted TF.js graph normalises itself."""
    import cv2
    import numpy as np

    return cv2.cvtColor(canvas, cv2.COLOR_BGR2RGB).astype(np.float32)[None]


def preprocess_yolov8(canvas):
    """NCHW float RGB 0–1."""
    import cv2

    return cv2.dnn.blobFromImage(canvas, 1 / 255, swapRB=True)


FAMILIES = {
    # family: (pad value, preprocess, decode)
    "centernet": (0, preprocess_centernet, decode_centernet),
    "yolov8": (114, preprocess_yolov8, decode_yolov8),
}


def nms(boxes, scores, classes, confidence, iou):
    """Class-aware NMS with cv2.dnn.NMSBoxes (OpenCV 4.6 has no batched variant):
    offset each class's boxes so boxes of different classes never overlap."""
    import cv2
    import numpy as np

    if len(boxes) == 0:
        return np.zeros(0, np.int64)
    offset = classes[:, None] * 4096.0
    shifted = boxes + offset
    xywh = np.concatenate([shifted[:, :2], shifted[:, 2:] - shifted[:, :2]], axis=1)
    kept = cv2.dnn.NMSBoxes(xywh.tolist(), scores.tolist(), confidence, iou)
    return np.array(kept, np.int64).reshape(-1)


def short_reason(err):
    """OpenCV's importer errors repeat themselves: keep the node and the check that failed."""
    lines = [line.strip("> ").strip() for line in str(err).splitlines()]
    node = next((line for line in lines if line.startswith("Node [")), "")
    if not node:  # a failure at run time: the line with the failed check
        node = next((line for line in lines if "error:" in line), lines[0] if lines else "")
    node = node.split(" parse error")[0]
    expected = next((line for line in lines if line.startswith("(expected")), "")
    return f"{node} {expected.removesuffix(', where')}".strip()[:300]


def run(args):
    import cv2
    import numpy as np

    cv2.setNumThreads(args.threads)
    size = args.size
    pad, preprocess, decode = FAMILIES[args.family]
    try:
        model = (OrtModel if args.runtime == "ort" else Cv2DnnModel)(args.model, args.threads)
        # One warm-up run: some graphs import but fail at the first forward.
        model(preprocess(np.full((size, size, 3), pad, np.uint8)))
    except Exception as err:  # the importer's own message is the reason
        print(json.dumps({"skipped": short_reason(err)}))
        return
    labels = json.loads(args.labels) if args.labels else []
    capture = cv2.VideoCapture(args.input)
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    writer = open_writer(args.output, capture)
    if not writer.isOpened():
        print(json.dumps({"skipped": "cv2.VideoWriter cannot open an 'avc1' (H.264) writer"}))
        return
    written = []
    with open(args.detections, "w") as log:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            canvas, sx, sy, left, top = letterbox(frame, size, pad)
            outputs = model(preprocess(canvas))
            boxes, scores, classes = decode(outputs, args.confidence)
            kept = nms(boxes, scores, classes, args.confidence, args.iou)[: args.max_detections]
            found = []
            for i in kept:
                x1, y1, x2, y2 = boxes[i]
                x1 = min(max((x1 - left) / sx, 0), width)
                x2 = min(max((x2 - left) / sx, 0), width)
                y1 = min(max((y1 - top) / sy, 0), height)
                y2 = min(max((y2 - top) / sy, 0), height)
                cls = int(classes[i])
                name = labels[cls] if cls < len(labels) else str(cls)
                cv2.rectangle(frame, (int(x1), int(y1)), (int(x2), int(y2)), (0, 255, 0), 2)
                cv2.putText(
                    frame,
                    f"{name} {scores[i]:.2f}",
                    (int(x1), max(int(y1) - 4, 12)),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    0.5,
                    (0, 255, 0),
                    1,
                    cv2.LINE_AA,
                )
                found.append({"box": [x1, y1, x2, y2], "score": float(scores[i]), "classId": cls})
            writer.write(frame)
            written.append(time.perf_counter())
            log.write(json.dumps({"detections": found}) + "\n")
    capture.release()
    writer.release()
    elapsed = time.perf_counter() - written[0] if len(written) > 1 else 0
    fps = (len(written) - 1) / elapsed if elapsed > 0 else 0
    print(json.dumps({"frames": len(written), "fps": fps}))


def open_writer(path, capture):
    """OpenCV's H.264 writer at its own settings, as a user gets it."""
    import cv2

    fps = capture.get(cv2.CAP_PROP_FPS) or 30
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
    height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    return cv2.VideoWriter(path, cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"avc1"), fps, (width, height))


def encode(args):
    import cv2

    capture = cv2.VideoCapture(args.input)
    writer = open_writer(args.output, capture)
    if not writer.isOpened():
        print(json.dumps({"skipped": "cv2.VideoWriter cannot open an 'avc1' (H.264) writer"}))
        return
    frames = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        writer.write(frame)
        frames += 1
    capture.release()
    writer.release()
    print(json.dumps({"frames": frames}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["probe", "encode", "run"])
    parser.add_argument("--model")
    parser.add_argument("--runtime", choices=["ort", "cv2dnn"], default="ort")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--family", choices=sorted(FAMILIES), default="centernet")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--input")
    parser.add_argument("--output")
    parser.add_argument("--detections")
    parser.add_argument("--labels", default="")
    parser.add_argument("--confidence", type=float, default=0.4)
    parser.add_argument("--iou", type=float, default=0.45)
    parser.add_argument("--max-detections", type=int, default=100)
    args = parser.parse_args()
    if args.command == "probe":
        probe()
    elif args.command == "encode":
        encode(args)
    else:
        run(args)


if __name__ == "__main__":
    sys.exit(main())
