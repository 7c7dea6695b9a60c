namespace CompressBuild.Benchmarks.ModelIo;

/// <param name="SizeMiB">Target size of the generated model's weights; the aim is stated for models of 200 MiB and up.</param>
/// <param name="Repeat">Child runs per scenario; the report shows medians.</param>
/// <param name="Width">Rows and columns of each weight matrix; a large width with few layers models a network dominated by one big tensor.</param>
/// <param name="Json">Print the report as JSON on stdout instead of the table.</param>
internal sealed record ModelIoOptions(int SizeMiB, int Repeat, int Width, bool Json)
{
    public const int DefaultSizeMiB = 256;
    public const int DefaultRepeat = 3;

    // A 16384x16384 float32 weight is 1 GiB, comfortably inside the 2 GiB a protobuf bytes field can hold.
    public const int MaxWidth = 16384;

    // An inline model must stay under protobuf's 2 GiB message limit (the writer would switch to external data).
    public const int MaxSizeMiB = 1900;
}
