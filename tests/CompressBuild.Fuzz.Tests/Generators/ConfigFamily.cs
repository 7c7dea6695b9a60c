namespace CompressBuild.Fuzz.Tests.Generators;

/// <summary>
/// compress.yaml with one setting made hostile (absurd numbers, empty text, wrong types, YAML bombs, paths that
/// climb out or name the run's own inputs as output), run with <c>dotnet compress run</c>. Paths in a config are
/// the user's own choice and may lie anywhere, so these cases aim at a missing file outside, not at the canary.
/// </summary>
internal static class ConfigFamily
{
    private static readonly string[] Hostile =
    [
        "\"\"", "1e15", "1e300h", "1e-300", "9223372036854775807", "-9223372036854775808", "-1", "0", "NaN", ".inf", "-.inf", "[]", "{}", "~",
        "&a x", "*a", "!!binary AAAA", "\"\\0\"", "1e309", "0x7fffffff", "99999999999999999999999", "'../../missing.bin'", "/dev/zero", "m.onnx", "compress.yaml",
    ];

    private static readonly string[] Slots =
    [
        "search_timeout", "search_max_trials", "prune_sparsity", "prune_round_to", "quantize_mode", "evaluation_limit", "evaluation_data", "evaluation_labels",
        "budget_min_cosine", "budget_max_size_mb", "output", "baseline", "version", "name", "path",
    ];

    public static FuzzCase Create(Random random, CaseFolder folder)
    {
        Seeds.Write(folder.Input("m.onnx"), Seeds.TinyGemm());
        File.WriteAllBytes(folder.Input("x.npy"), Seeds.Npy("<f4", "(3, 8)", Seeds.Floats(random, 24)));
        File.WriteAllBytes(folder.Input("labels.npy"), Seeds.Npy("<i8", "(3,)", new byte[24]));
        var slot = random.Pick(Slots);
        var value = random.Pick(Hostile);
        string V(string name, string fallback) => name == slot ? value : fallback;
        var yaml = $"""
            version: {V("version", "1")}
            baseline: {V("baseline", "compress.baseline.json")}
            models:
              - path: {V("path", "m.onnx")}
                name: {V("name", "tiny")}
                output: {V("output", "../out/tiny.onnx")}
                passes:
                  - prune: {"{"} method: channel, sparsity: {V("prune_sparsity", "0.25")}, round_to: {V("prune_round_to", "1")} {"}"}
                  - quantize: {"{"} mode: {V("quantize_mode", "int8-dynamic")} {"}"}
                evaluation:
                  data: {V("evaluation_data", "x.npy")}
                  labels: {V("evaluation_labels", "labels.npy")}
                  limit: {V("evaluation_limit", "3")}
                budgets:
                  min_cosine: {V("budget_min_cosine", "0.5")}
                  max_size_mb: {V("budget_max_size_mb", "10")}
                search:
                  mode: auto
                  max_trials: {V("search_max_trials", "2")}
                  timeout: {V("search_timeout", "30s")}
            """;
        File.WriteAllText(folder.Input("compress.yaml"), yaml);
        var output = Path.GetFullPath(Path.Combine(folder.In, slot == "output" ? Unquote(value) : "../out/tiny.onnx"));
        return new FuzzCase("config", $"{slot}: {value}", ["run", folder.Input("compress.yaml"), "--no-cache"], slot == "output" && value.Length > 0 ? output : folder.Output("tiny.onnx"));
    }

    private static string Unquote(string value) => value.Trim('\'', '"');
}
