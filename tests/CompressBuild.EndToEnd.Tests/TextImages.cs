using CompressBuild.Testing;

namespace CompressBuild.EndToEnd.Tests;

/// <summary>
/// Realistic input for the PP-OCR text detector: images of printed text lines (words, ink and paper colours from a
/// fixed seed), rendered with Debian's python3-pil and normalized as PaddleOCR does, saved as one .npy [N,3,S,S].
/// Rendered at test time, never committed; the same seed gives the same bytes.
/// </summary>
internal static class TextImages
{
    private const string Script = """
        import random, sys
        import numpy as np
        from PIL import Image, ImageDraw, ImageFont

        out, count, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        rng = random.Random(seed)
        words = "invoice total amount date paid order number street city phone email price tax receipt item qty".split()
        font = ImageFont.load_default()
        mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
        std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
        images = []
        for _ in range(count):
            half = size // 2
            image = Image.new("RGB", (half, half), tuple(rng.randint(200, 255) for _ in range(3)))
            draw = ImageDraw.Draw(image)
            y = rng.randint(2, 8)
            while y < half - 12:
                line = " ".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
                draw.text((rng.randint(2, 10), y), line, fill=tuple(rng.randint(0, 80) for _ in range(3)), font=font)
                y += rng.randint(12, 20)
            image = image.resize((size, size), Image.BILINEAR)
            pixels = (np.asarray(image, dtype=np.float32) / 255.0 - mean) / std
            images.append(pixels.transpose(2, 0, 1))
        np.save(out, np.stack(images).astype(np.float32))
        """;

    /// <summary>Writes <paramref name="count"/> images of <paramref name="size"/> x <paramref name="size"/> pixels (a multiple of 32) to <paramref name="path"/>.</summary>
    public static void Write(string path, int count, int size, int seed)
    {
        var (exitCode, output) = DebianPython.Run(Script, path, count.ToString(System.Globalization.CultureInfo.InvariantCulture), size.ToString(System.Globalization.CultureInfo.InvariantCulture), seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (exitCode != 0 || !File.Exists(path))
        {
            throw new InvalidOperationException($"rendering text images failed (tests/test.sh installs python3-pil and python3-numpy): {output}");
        }
    }
}
