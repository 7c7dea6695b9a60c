namespace CompressBuild.Engine.Choices;

/// <summary>A choice that is only a name for an enum value (a calibration method, a channel importance).</summary>
public sealed record Choice<TValue>(TValue Value, string Name, string Description) : INamedChoice
    where TValue : struct, Enum;
