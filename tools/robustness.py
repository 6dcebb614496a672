"""How weights hold up when people draw differently: the mouse drawings of
``tools/people_proxy.py`` (400×400 canvas images) turned, sheared, stretched, thinned and
thickened, then read through the one normalisation, as the Draw tab reads a drawing.

    python tools/people_proxy.py --out proxy --per-letter 20 --seed 0
    python tools/robustness.py --set proxy weights/default.npz weights/deep.npz

Prints, per change and per weights file, the accuracy and the letters most often misread.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model import LETTERS  # noqa: E402
from model.data import open_image, parse_list  # noqa: E402
from model.preprocess import normalize  # noqa: E402
from model.weights import load_weights  # noqa: E402


def rotate(deg):
    return lambda im: im.rotate(deg, resample=Image.BILINEAR, fillcolor=255)


def shear(s):
    return lambda im: im.transform(im.size, Image.AFFINE, (1, s, -s * im.height / 2, 0, 1, 0),
                                   resample=Image.BILINEAR, fillcolor=255)


def stretch(fx, fy):
    def f(im):
        small = im.resize((max(1, int(im.width * fx)), max(1, int(im.height * fy))), Image.BILINEAR)
        out = Image.new("L", (max(im.width, small.width), max(im.height, small.height)), 255)
        out.paste(small, ((out.width - small.width) // 2, (out.height - small.height) // 2))
        return out
    return f


def pen(k, thicker):
    """A thicker (min filter: ink spreads) or thinner (max filter: paper spreads) pen."""
    return lambda im: im.filter(ImageFilter.MinFilter(k) if thicker else ImageFilter.MaxFilter(k))


CHANGES = {
    "as drawn": lambda im: im,
    "turned +15°": rotate(15), "turned -15°": rotate(-15), "turned +25°": rotate(25),
    "sheared +0.35": shear(0.35), "sheared -0.35": shear(-0.35),
    "wide (height 0.6)": stretch(1.0, 0.6), "narrow (width 0.55)": stretch(0.55, 1.0),
    "thinner pen": pen(5, thicker=False), "thicker pen": pen(9, thicker=True),
    "much thicker pen": pen(15, thicker=True),
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("weights", nargs="+", help="weights files to compare")
    ap.add_argument("--set", default="/work/proxy_people", help="folder with test.txt and pic/ (people_proxy's)")
    args = ap.parse_args(argv)
    root = Path(args.set)
    entries = parse_list(root / "test.txt")
    images = [(open_image(root / rel).convert("L"), label) for rel, label in entries]
    labels = np.array([y for _, y in images])
    nets = {Path(w).name: load_weights(w)[0] for w in args.weights}
    means = dict.fromkeys(nets, 0.0)
    print(f"{len(images)} drawings from {root}")
    for name, change in CHANGES.items():
        x = np.stack([normalize(np.asarray(change(im))) for im, _ in images])
        cells = []
        for wname, net in nets.items():
            pred = net.predict(x)
            acc = float((pred == labels).mean())
            means[wname] += acc / len(CHANGES)
            bad = np.bincount(labels[pred != labels], minlength=len(LETTERS))
            worst = " ".join(f"{LETTERS[i]}{bad[i]}" for i in np.argsort(-bad, kind="stable")[:4] if bad[i])
            cells.append(f"{wname} {100 * acc:5.1f} % [{worst}]")
        print(f"{name:20s}  " + "   ".join(cells))
    print(f"{'mean':20s}  " + "   ".join(f"{w} {100 * m:5.1f} %" for w, m in means.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
