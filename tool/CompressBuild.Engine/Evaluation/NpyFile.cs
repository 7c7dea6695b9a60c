using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// A NumPy .npy array (format versions 1-3), read lazily: the header is parsed up front and samples (slices
/// along the first axis) are read on demand, so a data set never has to fit in memory at once.
/// </summary>
public sealed class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>NumPy's own reader refuses headers over 10,000 bytes unless told otherwise; 1 MiB is far beyond any real one.</summary>
    private const int MaxHeaderBytes = 1 << 20;

    private readonly Func<Stream> open;

    private NpyFile(string displayName, Func<Stream> open, int elementType, bool swapBytes, long[] shape, long dataOffset)
    {
        DisplayName = displayName;
        this.open = open;
        ElementType = elementType;
        SwapBytes = swapBytes;
        Shape = shape;
        DataOffset = dataOffset;
    }

    public string DisplayName { get; }

    public int ElementType { get; }

    public long[] Shape { get; }

    /// <summary>Samples along the first axis; a 0-d array counts as one.</summary>
    public long SampleCount => Shape.Length == 0 ? 1 : Shape[0];

    public long[] SampleShape => Shape.Length == 0 ? [] : Shape[1..];

    private bool SwapBytes { get; }

    internal long DataOffset { get; }

    internal int ElementSize => Onnx.ElementType.BitsPerElement(ElementType) / 8;

    public static NpyFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new CompressBuildException(DiagnosticCodes.DataInvalid, "data file not found.", path);
        }

        // Unbuffered: each read goes straight into the sample's own array, so a sample costs no 64 KiB stream buffer.
        return Open(path, () => InputFile.OpenRead(path, bufferSize: 1));
    }

    /// <param name="open">Opens a fresh readable stream positioned at the start of the .npy bytes each time it is called.</param>
    /// <param name="checkLength">False to read only the header (the data may not all be there yet).</param>
    public static NpyFile Open(string displayName, Func<Stream> open, bool checkLength = true)
    {
        using var stream = open();
        Span<byte> prefix = stackalloc byte[12];
        var got = stream.ReadAtLeast(prefix, 10, throwOnEndOfStream: false);
        if (got < 10 || !prefix[..6].SequenceEqual(Magic))
        {
            throw Invalid(displayName, "not a NumPy .npy file (the \\x93NUMPY signature is missing).");
        }

        var major = prefix[6];
        int headerLength;
        long headerStart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..10]);
            headerStart = 10;
        }
        else if (major is 2 or 3 && got >= 12)
        {
            headerLength = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..12]), int.MaxValue);
            headerStart = 12;
        }
        else
        {
            throw Invalid(displayName, $".npy format version {major} is not supported (1, 2 and 3 are).");
        }

        if (headerLength > MaxHeaderBytes)
        {
            throw Invalid(displayName, $"the .npy header claims {headerLength} bytes; NumPy writes a few hundred, and at most {MaxHeaderBytes} are read.");
        }

        var header = new byte[headerLength];
        stream.Position = headerStart;
        if (stream.ReadAtLeast(header, headerLength, throwOnEndOfStream: false) < headerLength)
        {
            throw Invalid(displayName, "the .npy header is truncated.");
        }

        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);
        var (elementType, swap) = ParseDescr(Field(text, "descr", displayName), displayName);
        if (Field(text, "fortran_order", displayName).Trim() != "False")
        {
            throw Invalid(displayName, "Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray first.");
        }

        var shape = ParseShape(Field(text, "shape", displayName), displayName);
        var file = new NpyFile(displayName, open, elementType, swap, shape, headerStart + headerLength);
        var needed = file.DataOffset + (Onnx.TensorChecks.ElementCount(shape, "the array", displayName) * file.ElementSize);
        if (checkLength && stream.CanSeek && stream.Length < needed)
        {
            throw Invalid(displayName, $"the file is truncated: shape {Onnx.TensorShape.Format(shape)} needs {needed} bytes, the file has {stream.Length}.");
        }

        return file;
    }

    /// <summary>Samples [start, start+count) as one tensor of shape [count, ...sample shape].</summary>
    public HostTensor ReadSamples(string name, long start, long count)
    {
        if (Shape.Length == 0)
        {
            return ReadRange(name, [], 0);
        }

        if (start < 0 || count < 0 || start + count > SampleCount)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"samples {start}..{start + count} are outside 0..{SampleCount}.");
        }

        var perSample = SampleShape.Aggregate(1L, (a, d) => a * d);
        return ReadRange(name, [count, .. SampleShape], start * perSample);
    }

    /// <summary>One sample without the leading axis (shape = sample shape).</summary>
    public HostTensor ReadSample(string name, long index)
    {
        var perSample = SampleShape.Aggregate(1L, (a, d) => a * d);
        return ReadRange(name, SampleShape, index * perSample);
    }

    public HostTensor ReadAll(string name) => ReadRange(name, Shape, 0);

    private HostTensor ReadRange(string name, long[] shape, long firstElement)
    {
        var tensor = HostTensor.Zeros(name, ElementType, shape);
        using var stream = open();
        stream.Position = DataOffset + (firstElement * ElementSize);
        if (stream.ReadAtLeast(tensor.Data, tensor.Data.Length, throwOnEndOfStream: false) < tensor.Data.Length)
        {
            throw Invalid(DisplayName, "the file ended before its data did.");
        }

        if (SwapBytes && ElementSize > 1)
        {
            for (var i = 0; i < tensor.Data.Length; i += ElementSize)
            {
                tensor.Data.AsSpan(i, ElementSize).Reverse();
            }
        }

        return tensor;
    }

    private static string Field(string header, string key, string file)
    {
        var match = Regex.Match(header, $"['\"]{key}['\"]\\s*:\\s*(\\([^)]*\\)|'[^']*'|\"[^\"]*\"|True|False)");
        if (!match.Success)
        {
            throw Invalid(file, $"the .npy header has no '{key}'.");
        }

        return match.Groups[1].Value.Trim('\'', '"');
    }

    private static (int ElementType, bool Swap) ParseDescr(string descr, string file)
    {
        if (descr.Length < 2)
        {
            throw Invalid(file, $"unknown dtype '{descr}'.");
        }

        var order = descr[0];
        var code = descr[1..];
        var type = code switch
        {
            "f4" => TensorProto.Types.DataType.Float,
            "f8" => TensorProto.Types.DataType.Double,
            "f2" => TensorProto.Types.DataType.Float16,
            "i1" => TensorProto.Types.DataType.Int8,
            "u1" => TensorProto.Types.DataType.Uint8,
            "i2" => TensorProto.Types.DataType.Int16,
            "u2" => TensorProto.Types.DataType.Uint16,
            "i4" => TensorProto.Types.DataType.Int32,
            "u4" => TensorProto.Types.DataType.Uint32,
            "i8" => TensorProto.Types.DataType.Int64,
            "u8" => TensorProto.Types.DataType.Uint64,
            "b1" => TensorProto.Types.DataType.Bool,
            _ => throw Invalid(file, $"dtype '{descr}' is not supported (numeric and bool arrays are)."),
        };
        var swap = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
        return ((int)type, swap);
    }

    private static long[] ParseShape(string shape, string file)
    {
        var parts = shape.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var dims = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!long.TryParse(parts[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
            {
                throw Invalid(file, $"the .npy shape '{shape}' is not a tuple of whole numbers.");
            }
        }

        return dims;
    }

    private static CompressBuildException Invalid(string file, string message) => new(DiagnosticCodes.DataInvalid, message, file);
}
