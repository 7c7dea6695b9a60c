using System.Globalization;
using System.Xml.Linq;

namespace CompressBuild.Engine.Reporting;

/// <summary>
/// Small inline SVG charts for the HTML report: no scripts, no external resources, so the page renders offline
/// and in CI artifact viewers.
/// </summary>
internal static class SvgCharts
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private const double Width = 640;
    private const double Height = 220;
    private const double Left = 50;
    private const double Bottom = 30;
    private const double Top = 24;

    /// <summary>Overlaid histograms (share of runs per bin) of two latency series, clipped at the larger p99.</summary>
    public static XElement LatencyHistogram(IReadOnlyList<double> reference, IReadOnlyList<double> candidate, double p99, int bins = 40)
    {
        var low = Math.Min(reference.Min(), candidate.Min());
        var high = Math.Max(p99, low * 1.0001 + 1e-9);
        var step = (high - low) / bins;
        var a = Bin(reference, low, step, bins);
        var b = Bin(candidate, low, step, bins);
        var peak = Math.Max(a.Max(), b.Max());
        var svg = Frame("Latency distribution of reference and candidate runs");
        var plotWidth = Width - Left - 10;
        var plotHeight = Height - Bottom - Top;
        var barWidth = plotWidth / bins;
        foreach (var (counts, css) in new[] { (a, "ref"), (b, "cand") })
        {
            for (var i = 0; i < bins; i++)
            {
                if (counts[i] == 0)
                {
                    continue;
                }

                var h = plotHeight * counts[i] / peak;
                svg.Add(new XElement(Svg + "rect",
                    Attr("x", Left + (i * barWidth)), Attr("y", Top + plotHeight - h), Attr("width", barWidth), Attr("height", h),
                    new XAttribute("class", css)));
            }
        }

        Axis(svg, low, high, "ms");
        svg.Add(Text(Left, 14, "reference", "ref-label"), Text(Left + 90, 14, "candidate", "cand-label"),
            Text(Width - 10, 14, string.Create(CultureInfo.InvariantCulture, $"share of runs; runs above {high:0.####} ms (p99) not shown"), "note", "end"));
        return svg;
    }

    /// <summary>The speedup estimate with its interval, against 1.0 and the budget when there is one.</summary>
    public static XElement SpeedupInterval(double ratio, double lowCi, double highCi, double? budget)
    {
        var points = new List<double> { ratio, lowCi, highCi, 1.0 };
        if (budget is { } b)
        {
            points.Add(b);
        }

        var low = points.Min() * 0.95;
        var high = points.Max() * 1.05;
        var svg = Frame("Speedup and its confidence interval", height: 90);
        double X(double v) => Left + ((Width - Left - 10) * (v - low) / (high - low));
        var y = 40.0;
        svg.Add(new XElement(Svg + "line", Attr("x1", X(lowCi)), Attr("x2", X(highCi)), Attr("y1", y), Attr("y2", y), new XAttribute("class", "ci")));
        svg.Add(new XElement(Svg + "circle", Attr("cx", X(ratio)), Attr("cy", y), Attr("r", 5), new XAttribute("class", "estimate")));
        svg.Add(Marker(X(1.0), "1.0x", "unity"));
        if (budget is { } budgetValue)
        {
            svg.Add(Marker(X(budgetValue), string.Create(CultureInfo.InvariantCulture, $"budget {budgetValue:0.###}x"), "budget"));
        }

        svg.Add(Text(X(ratio), 28, string.Create(CultureInfo.InvariantCulture, $"{ratio:0.000}x [{lowCi:0.000}, {highCi:0.000}]"), "note", "middle"));
        return svg;

        XElement Marker(double x, string label, string css) => new(Svg + "g",
            new XElement(Svg + "line", Attr("x1", x), Attr("x2", x), Attr("y1", 50), Attr("y2", 62), new XAttribute("class", css)),
            Text(x, 76, label, "note", "middle"));
    }

    /// <summary>Horizontal bars, one per layer, in the order given.</summary>
    public static XElement Bars(IReadOnlyList<(string Label, double Value)> rows, string title)
    {
        var rowHeight = 18.0;
        var height = (rows.Count * rowHeight) + 20;
        var svg = Frame(title, height);
        var floor = Math.Min(0, rows.Min(r => r.Value));
        var span = Math.Max(rows.Max(r => r.Value) - floor, 1e-12);
        var labelWidth = 220.0;
        for (var i = 0; i < rows.Count; i++)
        {
            var y = 10 + (i * rowHeight);
            var w = (Width - labelWidth - 90) * (rows[i].Value - floor) / span;
            svg.Add(Text(labelWidth - 6, y + 12, rows[i].Label, "note", "end"));
            svg.Add(new XElement(Svg + "rect", Attr("x", labelWidth), Attr("y", y + 2), Attr("width", Math.Max(w, 0.5)), Attr("height", rowHeight - 4), new XAttribute("class", "cand")));
            svg.Add(Text(labelWidth + w + 4, y + 12, rows[i].Value.ToString("0.####", CultureInfo.InvariantCulture), "note"));
        }

        return svg;
    }

    private static XElement Frame(string title, double height = Height) => new(Svg + "svg",
        new XAttribute("viewBox", string.Create(CultureInfo.InvariantCulture, $"0 0 {Width} {height}")),
        new XAttribute("width", Width),
        new XAttribute("height", height),
        new XAttribute("role", "img"),
        new XElement(Svg + "title", title));

    private static double[] Bin(IReadOnlyList<double> values, double low, double step, int bins)
    {
        var counts = new double[bins];
        foreach (var v in values)
        {
            var i = (int)Math.Floor((v - low) / step);
            if (i >= 0 && i <= bins)
            {
                counts[Math.Min(i, bins - 1)] += 1.0 / values.Count;
            }
        }

        return counts;
    }

    private static void Axis(XElement svg, double low, double high, string unit)
    {
        var y = Height - Bottom;
        svg.Add(new XElement(Svg + "line", Attr("x1", Left), Attr("x2", Width - 10), Attr("y1", y), Attr("y2", y), new XAttribute("class", "axis")));
        for (var t = 0; t <= 4; t++)
        {
            var value = low + ((high - low) * t / 4);
            var x = Left + ((Width - Left - 10) * t / 4);
            svg.Add(Text(x, y + 16, value.ToString("0.####", CultureInfo.InvariantCulture) + (t == 4 ? " " + unit : ""), "note", t == 0 ? "start" : t == 4 ? "end" : "middle"));
        }
    }

    private static XElement Text(double x, double y, string text, string css, string anchor = "start") =>
        new(Svg + "text", Attr("x", x), Attr("y", y), new XAttribute("class", css), new XAttribute("text-anchor", anchor), text);

    private static XAttribute Attr(string name, double value) => new(name, Math.Round(value, 2).ToString(CultureInfo.InvariantCulture));
}
