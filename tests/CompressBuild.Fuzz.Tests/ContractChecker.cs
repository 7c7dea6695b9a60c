using System.Text.RegularExpressions;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;

namespace CompressBuild.Fuzz.Tests;

/// <summary>
/// The contract every case must keep, whatever its input: an exit code in {0, 2, 3, 4} matching the category of
/// the documented CB code it reports, the file named on errors about a file, no stack trace, no input modified,
/// no canary byte in any output or message, no temporary file left, and on failure no output written.
/// </summary>
internal static partial class ContractChecker
{
    private static readonly int[] AllowedExitCodes = [ExitCodes.Ok, ExitCodes.BudgetMissed, ExitCodes.EnvironmentProblem, ExitCodes.InvalidInput];

    public static List<string> Check(FuzzCase fuzzCase, CaseFolder folder, CaseRun run, Dictionary<string, string> inputsBefore, Dictionary<string, string> inputsAfter, bool outputExistedBefore,
        string? outputBefore)
    {
        var violations = new List<string>();
        var text = run.Out + "\n" + run.Error;
        if (!AllowedExitCodes.Contains(run.ExitCode))
        {
            violations.Add($"exit code {run.ExitCode}");
        }

        if (StackTrace().IsMatch(text) || text.Contains("unexpected failure", StringComparison.Ordinal))
        {
            violations.Add("a stack trace or an unexpected failure was printed");
        }

        if (run.ExitCode != ExitCodes.Ok)
        {
            CheckErrorLine(run, violations);
        }

        foreach (var (path, before) in inputsBefore)
        {
            if (!inputsAfter.TryGetValue(path, out var after) || after != before)
            {
                violations.Add($"input {Path.GetRelativePath(folder.Path, path)} was modified or removed");
            }
        }

        if (FuzzWorkspace.HoldsMarker(text))
        {
            violations.Add("the canary's bytes appear in stdout/stderr");
        }

        foreach (var path in FileSnapshot.Walk(folder.Path))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                violations.Add($"temporary file {Path.GetRelativePath(folder.Path, path)} was left behind");
            }

            if (!inputsBefore.ContainsKey(path) && FileSnapshot.IsRegular(path) && FuzzWorkspace.HoldsMarker(File.ReadAllBytes(path)))
            {
                violations.Add($"{Path.GetRelativePath(folder.Path, path)} holds the canary's bytes");
            }
        }

        CheckOutput(fuzzCase, run, outputExistedBefore, outputBefore, violations);
        return violations;
    }

    private static void CheckErrorLine(CaseRun run, List<string> violations)
    {
        var errors = ErrorLine().Matches(run.Error + "\n" + run.Out).ToList();
        if (errors.Count == 0)
        {
            violations.Add($"exit {run.ExitCode} without an 'error CBxxxx' line");
            return;
        }

        var first = errors[0];
        var code = first.Groups["code"].Value;
        if (!DocumentedCodes.Contains(code))
        {
            violations.Add($"{code} is not in the README's code table");
        }

        var expected = new DiagnosticCode(int.Parse(code[2..], System.Globalization.CultureInfo.InvariantCulture)).ExitCode;
        if (expected != run.ExitCode && run.ExitCode != ExitCodes.BudgetMissed)
        {
            violations.Add($"{code} reported with exit {run.ExitCode}, its category's exit code is {expected}");
        }

        // Every case feeds a model that the runtime is available for: a runtime failure is a model the reader let
        // through, which must be reported as invalid input naming the model (CB2007/CB2008), not the environment.
        if (code == "CB3004")
        {
            violations.Add("an ONNX Runtime failure was reported as an environment problem (CB3004)");
        }

        if (NeedsFile(code) && first.Groups["file"].Value.Length == 0)
        {
            violations.Add($"{code} does not name the file it is about");
        }
    }

    private static void CheckOutput(FuzzCase fuzzCase, CaseRun run, bool existedBefore, string? before, List<string> violations)
    {
        if (fuzzCase.Output is not { Length: > 0 } output || Directory.Exists(output))
        {
            return;
        }

        var exists = File.Exists(output) || new FileInfo(output).LinkTarget is not null;
        if (run.ExitCode != ExitCodes.Ok && run.ExitCode != ExitCodes.BudgetMissed)
        {
            if (!existedBefore && exists)
            {
                violations.Add("a failed run wrote its output");
            }
            else if (existedBefore && FileSnapshot.Describe(output) != before)
            {
                violations.Add("a failed run changed the file at its output path");
            }
        }
        else if (run.ExitCode == ExitCodes.Ok && exists && FileSnapshot.IsRegular(output) && output.EndsWith(".onnx", StringComparison.Ordinal))
        {
            try
            {
                OnnxModelReader.Load(output);
            }
            catch (CompressBuildException e)
            {
                violations.Add($"the written model does not load: {e.ToCanonicalString()}");
            }
        }
    }

    /// <summary>Errors about a model, data, config or output file must say which file.</summary>
    private static bool NeedsFile(string code) => int.Parse(code[2..], System.Globalization.CultureInfo.InvariantCulture) switch
    {
        >= 2001 and <= 2011 => true,
        2014 or 2016 or 2017 or 2019 or 2200 or 2201 or 2203 => true,
        >= 2101 and <= 2107 => true,
        _ => false,
    };

    [GeneratedRegex(@"^\s+at \S+.*\)( in .*)?$", RegexOptions.Multiline)]
    private static partial Regex StackTrace();

    [GeneratedRegex(@"^(?:(?<file>.+?)(?:\(\d+(?:,\d+)?\))?: )?error (?<code>CB\d{4}):", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();
}
