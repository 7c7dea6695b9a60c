using System.Globalization;

namespace CompressBuild.Testing;

/// <summary>
/// Realistic inputs for the PP-OCR models: lines of text rendered with Debian's python3-pil in the DejaVu fonts
/// (fixed strings, fixed positions: deterministic), normalized the way PaddleOCR feeds each model, written as one
/// stacked float32 .npy [N,3,H,W].
/// </summary>
internal static class TextImages
{
    /// <summary>Text lines (recognizer and classifier input): PaddleOCR scales pixels to [-1, 1].</summary>
    public static readonly string[] Lines =
    [
        "Invoice 2024-118  Total: 1,284.50 EUR",
        "The quick brown fox jumps over the lazy dog",
        "Opening hours 09:00-17:30, Mon-Fri",
    ];

    private const string Script = """
import sys, numpy as np
from PIL import Image, ImageDraw, ImageFont
path, height, width, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lines = sys.argv[5:]
fonts = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf']
batch = []
for i, text in enumerate(lines):
    image = Image.new('RGB', (width, height), (236 - 12 * i, 232, 224))
    draw = ImageDraw.Draw(image)
    if mode == 'page':
        for row in range(4):
            font = ImageFont.truetype(fonts[(i + row) % 3], 22 + 4 * row)
            draw.text((16 + 8 * row, 20 + row * height // 5), text if row % 2 == 0 else text.upper(), fill=(20, 20, 30 + 20 * row), font=font)
        x = np.asarray(image, dtype=np.float32) / 255.0
        x = (x - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
    else:
        font = ImageFont.truetype(fonts[i % 3], int(height * 0.62))
        draw.text((6, height // 8), text, fill=(15, 15, 25), font=font)
        x = (np.asarray(image, dtype=np.float32) / 255.0 - 0.5) / 0.5
    batch.append(x.transpose(2, 0, 1))
np.save(path, np.stack(batch).astype(np.float32))
""";

    /// <summary>One text line per image, [N,3,height,width] scaled to [-1, 1].</summary>
    public static string RenderLines(string path, int height, int width) => Render(path, height, width, "line");

    /// <summary>Pages of several lines in different fonts and sizes, ImageNet-normalized (the detector's input).</summary>
    public static string RenderPages(string path, int height, int width) => Render(path, height, width, "page");

    private static string Render(string path, int height, int width, string mode)
    {
        var (exitCode, output) = DebianPython.Run(Script, [path, height.ToString(CultureInfo.InvariantCulture), width.ToString(CultureInfo.InvariantCulture), mode, .. Lines]);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"rendering text images with /usr/bin/python3 (python3-pil, fonts-dejavu-core) failed: {output}");
        }

        return path;
    }
}
