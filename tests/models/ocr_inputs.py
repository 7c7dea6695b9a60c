#!/usr/bin/env python3
"""Realistic inputs for the PP-OCR test models: deterministic rendered text, normalized as PaddleOCR does.

  ocr_inputs.py det|rec|cls COUNT OUT.npy [--height H --width W] [--seed S] [--text OUT.txt]

det: [N,3,H,W] float32, BGR, (x/255 - mean)/std with ImageNet mean/std (H, W multiples of 32; default 320x320).
rec/cls: [N,3,48,W] float32, (x/255 - 0.5)/0.5 (default W 320 for rec, 192 for cls).
Pages hold lines of words in varied sizes, grey levels and positions over light, slightly textured backgrounds;
a fixed seed makes every run byte-identical. --text (rec, cls) also writes each line's ground truth, one per line in
UTF-8: the characters that fit inside the image (a line may run past the right edge; about 15% are drawn upside
down, as the classifier expects, and keep their text). The images do not depend on --text. Needs python3-pil and python3-numpy (Debian packages).
"""
import random
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFont

WORDS = ("invoice total amount date receipt order number customer address street city phone email price "
         "quantity item description payment cash card change thank you store open close monday friday "
         "2024 2025 17.50 3.99 100 42 No. 0815 Tel: Fax: www example com OCR text detector").split()
FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"]


def font(size, rng):
    for path in rng.sample(FONTS, len(FONTS)):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def background(width, height, rng, nprng):
    base = rng.randint(200, 250)
    noise = nprng.normal(0, 6, (height, width, 1))
    tint = np.array([rng.randint(-10, 10) for _ in range(3)])
    image = np.clip(base + noise + tint, 0, 255).astype(np.uint8)
    return Image.fromarray(image, "RGB")


def page(width, height, rng, nprng):
    image = background(width, height, rng, nprng)
    draw = ImageDraw.Draw(image)
    y = rng.randint(4, 20)
    while y < height - 16:
        size = rng.randint(12, 30)
        x = rng.randint(4, width // 4)
        ink = tuple(rng.randint(0, 80) for _ in range(3))
        draw.text((x, y), " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))), fill=ink, font=font(size, rng))
        y += size + rng.randint(6, 30)
    return image


def visible(text, x, width, face):
    """The longest prefix of text whose last character ends inside the image, without trailing spaces."""
    end = len(text)
    while end > 0 and x + face.getlength(text[:end]) > width:
        end -= 1
    return text[:end].rstrip()


def line(width, height, rng, nprng):
    """A rendered text line and its ground truth (the random draws keep the order they always had)."""
    image = background(width, height, rng, nprng)
    draw = ImageDraw.Draw(image)
    size = rng.randint(24, 34)
    ink = tuple(rng.randint(0, 80) for _ in range(3))
    x = rng.randint(2, 12)
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))
    face = font(size, rng)
    draw.text((x, (height - size) // 2 - 2), text, fill=ink, font=face)
    if rng.random() < 0.5:
        image = image.rotate(180) if rng.random() < 0.3 else image
    return image, visible(text, x, width, face)


def main(argv):
    kind, count, out = argv[0], int(argv[1]), argv[2]
    options = dict(zip(argv[3::2], argv[4::2]))
    seed = int(options.get("--seed", 7))
    rng, nprng = random.Random(seed), np.random.default_rng(seed)
    if kind == "det":
        height, width = int(options.get("--height", 320)), int(options.get("--width", 320))
        mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
        batch = []
        for _ in range(count):
            rgb = np.asarray(page(width, height, rng, nprng), dtype=np.float32)
            bgr = rgb[:, :, ::-1] / 255.0
            batch.append(((bgr - mean) / std).transpose(2, 0, 1))
    else:
        height, width = 48, int(options.get("--width", 320 if kind == "rec" else 192))
        batch, texts = [], []
        for _ in range(count):
            image, text = line(width, height, rng, nprng)
            rgb = np.asarray(image, dtype=np.float32)
            bgr = rgb[:, :, ::-1] / 255.0
            batch.append(((bgr - 0.5) / 0.5).transpose(2, 0, 1))
            texts.append(text)
        if "--text" in options:
            with open(options["--text"], "w", encoding="utf-8", newline="\n") as labels:
                labels.write("".join(t + "\n" for t in texts))
    np.save(out, np.stack(batch).astype(np.float32))


if __name__ == "__main__":
    main(sys.argv[1:])
