using System.Globalization;
using System.Xml.Linq;
using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;

namespace CompressBuild.Engine.Reporting;

/// <summary>
/// JUnit XML, one test case per check, so CI systems list a missed budget as a failed test (with its CB code
/// and the measured / budget / reference line) and an unenforced one as skipped.
/// </summary>
public static class JunitReport
{
    public static XDocument Build(VerificationResult r)
    {
        var suite = $"compressbuild.verify.{r.ModelName}";
        var seconds = (r.Latency?.Seconds ?? 0).ToString("0.000", CultureInfo.InvariantCulture);
        var cases = r.Checks.Select(c =>
        {
            var testCase = new XElement("testcase", new XAttribute("classname", suite), new XAttribute("name", c.Name));
            if (c.Status == BudgetStatus.Failed)
            {
                testCase.Add(new XElement("failure", new XAttribute("type", c.Code.Id), new XAttribute("message", c.Message), $"{r.Candidate}: error {c.Code.Id}: {c.Message}"));
            }
            else if (c.Status == BudgetStatus.NotEnforced)
            {
                testCase.Add(new XElement("skipped", new XAttribute("message", $"not enforced: {c.Message}")));
            }
            else
            {
                testCase.Add(new XElement("system-out", c.Message));
            }

            return testCase;
        });

        return new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement("testsuites",
                new XAttribute("name", "compressbuild.verify"),
                new XAttribute("tests", r.Checks.Count),
                new XAttribute("failures", r.Misses.Count()),
                new XElement("testsuite",
                    new XAttribute("name", suite),
                    new XAttribute("tests", r.Checks.Count),
                    new XAttribute("failures", r.Misses.Count()),
                    new XAttribute("errors", 0),
                    new XAttribute("skipped", r.Checks.Count(c => c.Status == BudgetStatus.NotEnforced)),
                    new XAttribute("time", seconds),
                    new XElement("properties",
                        Property("candidate", r.Candidate),
                        Property("reference", r.Reference),
                        Property("machine", $"{r.Machine.Id} {r.Machine.CpuModel}"),
                        Property("runtime", r.RuntimeVersion)),
                    cases)));
    }

    public static string Render(VerificationResult r)
    {
        var document = Build(r);
        using var writer = new Utf8StringWriter();
        document.Save(writer);
        return writer + "\n";
    }

    private static XElement Property(string name, string value) => new("property", new XAttribute("name", name), new XAttribute("value", value));
}
