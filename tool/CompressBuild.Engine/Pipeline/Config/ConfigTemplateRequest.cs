namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>What <c>dotnet compress init</c> knows when it writes a starter compress.yaml. Paths are as they should appear in the file.</summary>
public sealed record ConfigTemplateRequest(string ModelPath, string? CalibrationData, string? EvaluationData, string? Labels, string? SchemaPath);
