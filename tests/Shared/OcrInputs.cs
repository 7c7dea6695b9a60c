using System.Diagnostics;

namespace CompressBuild.Testing;

/// <summary>
/// Realistic inputs for the PP-OCR models: text pages or lines rendered by tests/models/ocr_inputs.py (Debian's
/// python3-pil, fixed seeds, so the same bytes every run) and normalized as PaddleOCR does.
/// </summary>
internal static class OcrInputs
{
    /// <summary>Writes <paramref name="count"/> inputs of <paramref name="kind"/> (det, rec or cls) to a .npy file and returns its path.</summary>
    public static string Render(string folder, string kind, int count, int seed, int height = 0, int width = 0)
    {
        var path = Path.Combine(folder, $"{kind}-{count}-{seed}.npy");
        var start = new ProcessStartInfo(DebianPython.Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(RepositoryPaths.Root, "tests", "models", "ocr_inputs.py"), kind, count.ToString(System.Globalization.CultureInfo.InvariantCulture), path,
            "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        if (height > 0)
        {
            start.ArgumentList.Add("--height");
            start.ArgumentList.Add(height.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (width > 0)
        {
            start.ArgumentList.Add("--width");
            start.ArgumentList.Add(width.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tests/models/ocr_inputs.py failed (needs python3-pil and python3-numpy, installed by tests/test.sh): {stderr.Result}");
        }

        return path;
    }
}
