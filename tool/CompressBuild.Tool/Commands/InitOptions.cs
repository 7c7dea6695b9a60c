namespace CompressBuild.Tool.Commands;

internal sealed record InitOptions(string? Model, string Output, string? CalibrationData, string? Data, string? Labels, bool Force);
