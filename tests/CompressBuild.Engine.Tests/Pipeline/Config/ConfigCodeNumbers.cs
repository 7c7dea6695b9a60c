namespace CompressBuild.Engine.Tests.Pipeline.Config;

/// <summary>Code numbers as constants, for [InlineData].</summary>
internal static class ConfigCodeNumbers
{
    public const int WrongType = 2102;
    public const int InvalidValue = 2103;
}
