using CompressBuild.Engine.Onnx;

namespace CompressBuild.Tool.Commands;

internal sealed record ConvertOptions(string Model, string Output, ExternalDataLayout Layout, long SizeThreshold, bool Json);
