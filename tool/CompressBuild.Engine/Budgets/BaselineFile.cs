using System.Text.Json;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;

namespace CompressBuild.Engine.Budgets;

/// <summary>Reads and writes compress.baseline.json (atomically; a corrupt file is CB2061 with its line).</summary>
public static class BaselineFile
{
    /// <summary>A baseline holds a few hundred bytes per model; 64 MiB is beyond any real one, and stops /dev/zero.</summary>
    private const long MaxBytes = 64L << 20;

    public static BaselineDocument? TryLoad(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        BaselineDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<BaselineDocument>(InputFile.ReadAllBytes(path, MaxBytes, DiagnosticCodes.BaselineInvalid), JsonFormat.Indented);
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? (int)l + 1 : (int?)null;
            var column = e.BytePositionInLine is { } c ? (int)c + 1 : (int?)null;
            throw new CompressBuildException(DiagnosticCodes.BaselineInvalid, $"not a valid baseline file: {e.Message} Fix it or re-record it with --update-baseline.", path, line, column, e);
        }

        if (document is null || document.Models is null)
        {
            throw new CompressBuildException(DiagnosticCodes.BaselineInvalid, "not a valid baseline file: expected an object with \"schemaVersion\" and \"models\".", path);
        }

        if (document.SchemaVersion != BaselineDocument.CurrentSchemaVersion)
        {
            throw new CompressBuildException(DiagnosticCodes.BaselineInvalid,
                $"baseline schema version {document.SchemaVersion} is not supported; this tool reads version {BaselineDocument.CurrentSchemaVersion}. Re-record it with --update-baseline.", path);
        }

        var models = new SortedDictionary<string, BaselineEntry>(StringComparer.Ordinal);
        foreach (var (name, entry) in document.Models)
        {
            // System.Text.Json leaves absent properties null whatever the nullability says: check what is read later.
            if (entry is null || entry.Machine is null || entry.Machine.Id is null || entry.Reference is null)
            {
                throw new CompressBuildException(DiagnosticCodes.BaselineInvalid,
                    $"model '{name}' lacks \"reference\" or \"machine\" (with its \"id\"); re-record it with --update-baseline.", path);
            }

            models[name] = entry;
        }

        return document with { Models = models };
    }

    public static void Save(BaselineDocument document, string path) =>
        TextFile.Write(path, JsonSerializer.Serialize(document, JsonFormat.Indented) + "\n");
}
