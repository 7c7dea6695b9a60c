namespace CompressBuild.Testing;

/// <summary>
/// Realistic inputs for the PP-OCR models: lines of printed text rendered by Debian's python3-pil with the DejaVu
/// font (fonts-dejavu-core), deterministic (fixed text, positions and noise seed), normalized as PaddleOCR feeds
/// its detector ((pixel / 255 - ImageNet mean) / std, NCHW) and stacked into one .npy.
/// </summary>
internal static class RenderedText
{
    private const string Script = """
        import sys, numpy as np
        from PIL import Image, ImageDraw, ImageFont
        out, count, height, width = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        try:
            font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 26)
        except OSError:
            font = ImageFont.load_default()
        lines = ["INVOICE No. 20931", "Total: 1,284.50 EUR", "Delivery 12 March", "Ship to: 4 Elm Road",
                 "Qty 3  Unit 42.10", "Thank you!", "Order ref AX-5512", "Paid by card"]
        rng = np.random.default_rng(7)
        mean = np.array([0.485, 0.456, 0.406], np.float32)
        std = np.array([0.229, 0.224, 0.225], np.float32)
        images = []
        for k in range(count):
            img = Image.new("RGB", (width, height), (245 - 10 * k, 242, 235))
            draw = ImageDraw.Draw(img)
            for i in range(4):
                draw.text((12 + 6 * k, 12 + i * (height - 24) // 4), lines[(i + k) % len(lines)], fill=(20, 20 + 30 * k, 30), font=font)
            a = np.asarray(img).astype(np.float32) / 255.0
            a = np.clip(a + rng.normal(0, 0.01, a.shape).astype(np.float32), 0, 1)
            images.append(((a - mean) / std).transpose(2, 0, 1))
        np.save(out, np.stack(images).astype(np.float32))
        """;

    /// <summary>Writes <paramref name="count"/> rendered text images of <paramref name="height"/> x <paramref name="width"/> to <paramref name="path"/> as [N,3,H,W] float32.</summary>
    public static string WriteNpy(string path, int count, int height, int width)
    {
        var (exitCode, output) = DebianPython.Run(Script, path, count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            height.ToString(System.Globalization.CultureInfo.InvariantCulture), width.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"rendering text images with python3-pil failed (tests/test.sh installs it): {output}");
        }

        return path;
    }
}
