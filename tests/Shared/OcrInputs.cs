namespace CompressBuild.Testing;

/// <summary>
/// Realistic inputs for the PP-OCR models: text pages or lines rendered by tests/models/ocr_inputs.py (Debian's
/// python3-pil, fixed seeds, so the same bytes every run) and normalized as PaddleOCR does.
/// </summary>
internal static class OcrInputs
{
    /// <summary>
    /// Writes <paramref name="count"/> inputs of <paramref name="kind"/> (det, rec or cls) to a .npy file and returns its path; for rec
    /// also each line's ground-truth text, one per line, beside it (the same path with .txt).
    /// </summary>
    public static string Render(string folder, string kind, int count, int seed, int height = 0, int width = 0)
    {
        var path = Path.Combine(folder, $"{kind}-{count}-{seed}.npy");
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        List<string> arguments =
        [
            Path.Combine(RepositoryPaths.Root, "tests", "models", "ocr_inputs.py"), kind, count.ToString(invariant), path, "--seed", seed.ToString(invariant),
        ];
        if (kind == "rec")
        {
            arguments.AddRange(["--text", Path.ChangeExtension(path, ".txt")]);
        }

        if (height > 0)
        {
            arguments.AddRange(["--height", height.ToString(invariant)]);
        }

        if (width > 0)
        {
            arguments.AddRange(["--width", width.ToString(invariant)]);
        }

        var run = ChildProcess.Run(DebianPython.Executable, arguments);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"tests/models/ocr_inputs.py failed (needs python3-pil and python3-numpy, installed by tests/test.sh): {run.StandardError}");
        }

        return path;
    }
}
