using System.Text.Json;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Reporting;
using Xunit;

namespace CompressBuild.Engine.Tests.IO;

public class JsonFormatTests
{
    private sealed record Metrics(double Cosine, double Sqnr, double Drop);

    [Fact]
    public void Nan_and_infinite_metrics_are_written_as_strings_and_read_back()
    {
        var metrics = new Metrics(double.NaN, double.PositiveInfinity, double.NegativeInfinity);

        var indented = JsonSerializer.Serialize(metrics, JsonFormat.Indented);
        var compact = JsonSerializer.Serialize(metrics, JsonFormat.Compact);

        Assert.Contains("\"cosine\": \"NaN\"", indented, StringComparison.Ordinal);
        Assert.Contains("\"sqnr\":\"Infinity\"", compact, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize<Metrics>(compact, JsonFormat.Compact)!;
        Assert.True(double.IsNaN(back.Cosine));
        Assert.Equal(double.NegativeInfinity, back.Drop);
    }
}
