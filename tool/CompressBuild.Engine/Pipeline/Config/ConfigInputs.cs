namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>
/// Every file a compress.yaml makes a run read: the config itself, the baseline, each model, and every path
/// value under a model (evaluation and calibration data, labels). Path values are stored resolved (absolute),
/// so any absolute text value is collected; an output is then compared with each.
/// </summary>
public static class ConfigInputs
{
    public static IReadOnlyList<string> Of(CompressConfig config)
    {
        var files = new List<string> { config.Path };
        if (config.Baseline is { } baseline)
        {
            files.Add(Path.GetFullPath(baseline, Path.GetDirectoryName(config.Path)!));
        }

        foreach (var model in config.Models)
        {
            files.Add(model.Path);
            Collect(model.Source, files);
        }

        return files;
    }

    private static void Collect(object? value, List<string> files)
    {
        switch (value)
        {
            case string text when Path.IsPathFullyQualified(text):
                files.Add(text);
                break;
            case ConfigValues values:
                foreach (var (key, entry) in values.Entries)
                {
                    if (key != "output")
                    {
                        Collect(entry, files);
                    }
                }

                break;
            case ConfiguredPass pass:
                Collect(pass.Settings, files);
                break;
            case System.Collections.IEnumerable items and not string:
                foreach (var item in items)
                {
                    Collect(item, files);
                }

                break;
        }
    }
}
