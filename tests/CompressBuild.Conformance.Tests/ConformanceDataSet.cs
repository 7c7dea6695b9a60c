namespace CompressBuild.Conformance.Tests;

/// <summary>One <c>test_data_set_N</c> folder: <c>input_K.pb</c> and <c>output_K.pb</c> files ordered by K.</summary>
internal sealed record ConformanceDataSet(string Name, IReadOnlyList<string> InputFiles, IReadOnlyList<string> OutputFiles);
