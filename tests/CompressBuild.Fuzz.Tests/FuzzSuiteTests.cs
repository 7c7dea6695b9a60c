using System.Diagnostics;
using CompressBuild.Fuzz.Tests.Generators;
using CompressBuild.Tool;
using Xunit;
using Xunit.Abstractions;

namespace CompressBuild.Fuzz.Tests;

/// <summary>
/// The seeded fuzz suite: thousands of hostile models, external data layouts, data files, configs and output
/// paths, each run in-process through the CLI's entry point and checked against the contract
/// (<see cref="ContractChecker"/>). A failure lists every broken case with the seed that reproduces it.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class FuzzSuiteTests(ITestOutputHelper output)
{
    /// <summary>
    /// No single case may take longer: a hang is a failure, not a slow test. Twice the longest legitimate case, a config whose search
    /// may use its whole 30 s timeout before the final run, so that a loaded CI machine's slowness is never taken for a hang.
    /// </summary>
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(120);

    private static readonly (string Family, int Weight)[] Families =
    [
        ("model-bytes", 25), ("model-structure", 20), ("external-data", 20), ("data-files", 15), ("config", 8), ("output-path", 12),
    ];

    [Fact]
    public async Task Every_generated_case_keeps_the_contract()
    {
        var seed = FuzzSettings.Seed;
        var cases = FuzzSettings.Cases;
        using var workspace = new FuzzWorkspace();
        var failures = new List<string>();
        var perFamily = new Dictionary<string, (int Count, TimeSpan Time)>();
        var total = Stopwatch.StartNew();
        for (var index = 0; index < cases; index++)
        {
            var random = new Random(unchecked((seed * 1_000_003) + index));
            var family = PickFamily(random);
            var folder = workspace.NewCase();
            FuzzCase fuzzCase;
            try
            {
                fuzzCase = Generate(family, random, folder, workspace);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // The generator could not build the hostile layout on this machine (e.g. no mknod): not a product failure.
                continue;
            }

            var violations = await RunAndCheck(fuzzCase, folder, workspace);
            perFamily[family] = perFamily.TryGetValue(family, out var f) ? (f.Count + 1, f.Time + violations.Elapsed) : (1, violations.Elapsed);
            if (violations.Problems.Count > 0)
            {
                failures.Add($"case {index} [{fuzzCase.Family}] {fuzzCase.Description}: {string.Join("; ", violations.Problems)}\n    args: {string.Join(' ', fuzzCase.Args.Select(Quote))}\n    " +
                    $"exit {violations.Run?.ExitCode}: {Trim(violations.Run?.Error)}");
            }

            DeleteQuietly(folder.Path);
        }

        output.WriteLine($"seed {seed}: {cases} cases in {total.Elapsed.TotalSeconds:0.0} s");
        foreach (var (family, (count, time)) in perFamily.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {family,-16} {count,5} cases  {time.TotalSeconds,6:0.0} s");
        }

        Assert.True(failures.Count == 0,
            $"{failures.Count} of {cases} fuzz cases broke the contract (COMPRESSBUILD_FUZZ_SEED={seed} reproduces them):\n" + string.Join("\n", failures.Take(40)));
    }

    private static async Task<(List<string> Problems, CaseRun? Run, TimeSpan Elapsed)> RunAndCheck(FuzzCase fuzzCase, CaseFolder folder, FuzzWorkspace workspace)
    {
        var inputs = FileSnapshot.Of(folder.In);
        inputs[workspace.CanaryPath] = FileSnapshot.Describe(workspace.CanaryPath);
        var outputExisted = fuzzCase.Output is { Length: > 0 } o && (Path.Exists(o) || new FileInfo(o).LinkTarget is not null);
        var outputBefore = outputExisted ? FileSnapshot.Describe(fuzzCase.Output!) : null;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();
        var task = Task.Run(() => CompressCli.Run(fuzzCase.Args, stdout, stderr));
        if (await Task.WhenAny(task, Task.Delay(CaseTimeout)) != task)
        {
            return ([$"did not finish within {CaseTimeout.TotalSeconds} s"], null, clock.Elapsed);
        }

        var run = new CaseRun(await task, stdout.ToString(), stderr.ToString(), clock.Elapsed);
        var after = FileSnapshot.Of(folder.In);
        after[workspace.CanaryPath] = FileSnapshot.Describe(workspace.CanaryPath);
        return (ContractChecker.Check(fuzzCase, folder, run, inputs, after, outputExisted, outputBefore), run, clock.Elapsed);
    }

    private static string PickFamily(Random random)
    {
        var roll = random.Next(Families.Sum(f => f.Weight));
        foreach (var (family, weight) in Families)
        {
            if (roll < weight)
            {
                return family;
            }

            roll -= weight;
        }

        return Families[^1].Family;
    }

    private static FuzzCase Generate(string family, Random random, CaseFolder folder, FuzzWorkspace workspace) => family switch
    {
        "model-bytes" => ModelBytesFamily.Create(random, folder),
        "model-structure" => ModelStructureFamily.Create(random, folder),
        "external-data" => ExternalDataFamily.Create(random, folder, workspace),
        "data-files" => DataFileFamily.Create(random, folder),
        "config" => ConfigFamily.Create(random, folder),
        _ => OutputPathFamily.Create(random, folder),
    };

    private static string Quote(string arg) => arg.Length == 0 || arg.Contains(' ', StringComparison.Ordinal) ? $"\"{arg}\"" : arg;

    private static string Trim(string? text) => text is null ? "" : text.Length > 400 ? text[..400] + "..." : text.Trim();

    private static void DeleteQuietly(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
