namespace CompressBuild.Tool.Commands;

internal sealed record InspectOptions(string Model, bool Json);
