namespace CompressBuild.Benchmarks.ModelIo;

/// <summary>Checks that a scenario wrote exactly the bytes the engine promises (round trips are byte-identical).</summary>
internal static class OutputVerifier
{
    /// <returns>Null when the output is right, otherwise what differs.</returns>
    public static string? Check(Scenario scenario, BenchWorkspace workspace, string outputFolder)
    {
        var output = Path.Combine(outputFolder, Scenario.OutputFileName);
        return scenario.Expected switch
        {
            ExpectedOutput.None => null,
            ExpectedOutput.InlineModel => Differs(workspace.InlineModelPath, output),
            ExpectedOutput.ExternalModel => Differs(workspace.ExternalModelPath, output) ?? Differs(workspace.ExternalDataPath, output + ".data"),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };
    }

    private static string? Differs(string expectedPath, string actualPath)
    {
        if (!File.Exists(actualPath))
        {
            return $"{actualPath} was not written";
        }

        using var expected = File.OpenRead(expectedPath);
        using var actual = File.OpenRead(actualPath);
        if (expected.Length != actual.Length)
        {
            return $"{actualPath} has {actual.Length} bytes, expected {expected.Length}";
        }

        var a = new byte[1 << 20];
        var b = new byte[1 << 20];
        for (long offset = 0; offset < expected.Length;)
        {
            var n = expected.ReadAtLeast(a, a.Length, throwOnEndOfStream: false);
            actual.ReadExactly(b, 0, n);
            if (!a.AsSpan(0, n).SequenceEqual(b.AsSpan(0, n)))
            {
                return $"{actualPath} differs from {expectedPath} within bytes {offset}..{offset + n}";
            }

            offset += n;
        }

        return null;
    }
}
