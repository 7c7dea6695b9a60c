using System.Globalization;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Onnx;

/// <summary>Where a tensor's bytes live when it is stored outside the model file (the <c>external_data</c> entries).</summary>
public sealed record ExternalDataReference(string Location, long Offset, long? Length, string? Checksum)
{
    public const string LocationKey = "location";
    public const string OffsetKey = "offset";
    public const string LengthKey = "length";
    public const string ChecksumKey = "checksum";

    public static bool IsExternal(TensorProto tensor) => tensor.DataLocation == TensorProto.Types.DataLocation.External;

    public static ExternalDataReference Parse(TensorProto tensor, string file)
    {
        string? location = null;
        string? checksum = null;
        long offset = 0;
        long? length = null;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case LocationKey:
                    location = entry.Value;
                    break;
                case OffsetKey:
                    offset = ParseNumber(entry, tensor, file);
                    break;
                case LengthKey:
                    length = ParseNumber(entry, tensor, file);
                    break;
                case ChecksumKey:
                    checksum = entry.Value;
                    break;
            }
        }

        if (string.IsNullOrEmpty(location))
        {
            throw new CompressBuildException(DiagnosticCodes.ExternalDataMissing, $"tensor '{tensor.Name}' is marked as external data but has no location.", file);
        }

        return new ExternalDataReference(location, offset, length, checksum);
    }

    public void WriteTo(TensorProto tensor)
    {
        tensor.ExternalData.Clear();
        tensor.ExternalData.Add(new StringStringEntryProto { Key = LocationKey, Value = Location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = OffsetKey, Value = Offset.ToString(CultureInfo.InvariantCulture) });
        if (Length is { } length)
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = LengthKey, Value = length.ToString(CultureInfo.InvariantCulture) });
        }

        if (Checksum is not null)
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = ChecksumKey, Value = Checksum });
        }

        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ClearRawData();
    }

    private static long ParseNumber(StringStringEntryProto entry, TensorProto tensor, string file)
    {
        if (long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new CompressBuildException(DiagnosticCodes.ExternalDataMissing, $"tensor '{tensor.Name}' has external data {entry.Key} '{entry.Value}', which is not a non-negative whole number.", file);
    }
}
