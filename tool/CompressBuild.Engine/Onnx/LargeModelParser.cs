using CompressBuild.Engine.IO;
using CompressBuild.Engine.Onnx.Proto;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace CompressBuild.Engine.Onnx;

/// <summary>
/// Parses a <see cref="ModelProto"/> from a seekable stream so that every large <c>bytes</c> field (the weights in
/// <c>raw_data</c>) is read from the stream straight into its final array.
/// </summary>
/// <remarks>
/// Why: protobuf's own stream parser reads a bytes field larger than its 4 KiB buffer as a list of 4 KiB chunks
/// and then copies them into one array (it will not trust a length it cannot check against the input's size),
/// so every weight is allocated twice, and the peak while reading a tensor is twice that tensor: a model that is
/// one big embedding table needs twice its size to load. Here the stream's length is known, so a field's length
/// can be checked before anything is allocated.
/// <para>
/// How: the wire format is walked field by field. A large bytes field is read directly and set through protobuf
/// reflection; a large message field (a graph, a tensor) is walked the same way, recursively; every other field
/// is handed to protobuf's generated code, batched. Merging fields one by one in order is exactly what protobuf
/// parsing means (a message is the merge of its fields), so the result equals <c>ModelProto.Parser.ParseFrom</c>.
/// Anything this walker does not expect (groups, malformed varints, lengths past the end) makes it start over with
/// <c>ParseFrom</c>, so malformed files fail with protobuf's own exception, exactly as before.
/// </para>
/// </remarks>
internal sealed class LargeModelParser : IDisposable
{
    // Fields at least this long skip protobuf's chunked path (which starts above its 4 KiB buffer).
    private const int LargeField = 4096;

    // Small fields are handed to protobuf in batches of about this size.
    private const int BatchBytes = 1 << 20;

    // Deeper than this, messages are parsed by protobuf as a whole; real models nest graphs only a few levels deep.
    private const int MaxWalkDepth = 16;

    // Protobuf's default nesting limit, which OnnxModelReader has always parsed with.
    private const int RecursionLimit = 100;

    private readonly ForwardReader reader;
    private readonly int largeField;
    private readonly MemoryStream batch = new();

    private LargeModelParser(Stream stream, int largeField)
    {
        reader = new ForwardReader(stream);
        this.largeField = largeField;
    }

    public static ModelProto Parse(Stream stream)
    {
        var start = stream.Position;
        var length = stream.Length - start;
        if (length > int.MaxValue)
        {
            // Protobuf refuses messages of 2 GiB and more; let it say so in its own words.
            return ModelProto.Parser.ParseFrom(stream);
        }

        try
        {
            return Walk(stream, LargeField);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidDataException or EndOfStreamException)
        {
            stream.Position = start;
            return ModelProto.Parser.ParseFrom(stream);
        }
    }

    /// <summary>The walk alone, without the fallback; throws on anything it does not expect.</summary>
    /// <param name="largeField">Length from which fields are read directly or walked; tests set 1 to walk every field.</param>
    internal static ModelProto Walk(Stream stream, int largeField)
    {
        using var parser = new LargeModelParser(stream, largeField);
        var model = new ModelProto();
        parser.Merge(model, stream.Length - stream.Position, depth: 0);
        return model;
    }

    /// <summary>Merges the next <paramref name="length"/> bytes, the fields of a message at nesting <paramref name="depth"/>, into <paramref name="message"/>.</summary>
    private void Merge(IMessage message, long length, int depth)
    {
        var end = reader.Position + length;
        while (reader.Position < end)
        {
            var tag = (uint)ReadVarint();
            var fieldNumber = WireFormat.GetTagFieldNumber(tag);
            if (fieldNumber == 0)
            {
                throw new InvalidDataException("field number 0");
            }

            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint:
                    WriteVarint(tag);
                    WriteVarint(ReadVarint());
                    break;
                case WireFormat.WireType.Fixed32:
                    WriteVarint(tag);
                    CopyToBatch(4);
                    break;
                case WireFormat.WireType.Fixed64:
                    WriteVarint(tag);
                    CopyToBatch(8);
                    break;
                case WireFormat.WireType.LengthDelimited:
                    var size = (int)ReadVarint();
                    if (size < 0 || reader.Position + size > end)
                    {
                        throw new InvalidDataException("length past the end of the message");
                    }

                    if (size < largeField)
                    {
                        WriteVarint(tag);
                        WriteVarint((uint)size);
                        CopyToBatch(size);
                    }
                    else
                    {
                        // Fields apply in file order: what came before this one goes first.
                        FlushBatch(message, depth);
                        MergeLargeField(message, message.Descriptor.FindFieldByNumber(fieldNumber), tag, size, depth);
                    }

                    break;
                default:
                    // Groups: long deprecated and unused by ONNX.
                    throw new InvalidDataException("group wire type");
            }

            if (batch.Length >= BatchBytes)
            {
                FlushBatch(message, depth);
            }
        }

        if (reader.Position != end)
        {
            throw new InvalidDataException("field past the end of the message");
        }

        FlushBatch(message, depth);
    }

    private void MergeLargeField(IMessage message, FieldDescriptor? field, uint tag, int size, int depth)
    {
        if (field?.FieldType == FieldType.Bytes)
        {
            var bytes = new byte[size];
            reader.ReadExactly(bytes);
            var value = UnsafeByteOperations.UnsafeWrap(bytes);
            if (field.IsRepeated)
            {
                ((ICollection<ByteString>)field.Accessor.GetValue(message)).Add(value);
            }
            else
            {
                field.Accessor.SetValue(message, value);
            }

            return;
        }

        if (field is { FieldType: FieldType.Message, IsMap: false } && depth < MaxWalkDepth)
        {
            // As the generated code does: a repeated field gets a new element, a singular one merges into what it holds.
            var existing = field.IsRepeated ? null : (IMessage?)field.Accessor.GetValue(message);
            var child = existing ?? field.MessageType.Parser.ParseFrom(ByteString.Empty);
            Merge(child, size, depth + 1);
            if (field.IsRepeated)
            {
                ((System.Collections.IList)field.Accessor.GetValue(message)).Add(child);
            }
            else if (existing is null)
            {
                field.Accessor.SetValue(message, child);
            }

            return;
        }

        // Unknown fields, long strings, packed numbers, maps: protobuf parses this one field, streamed from the file.
        var prefix = new byte[20];
        var prefixLength = EncodeVarint(prefix, tag);
        prefixLength += EncodeVarint(prefix.AsSpan(prefixLength), (uint)size);
        using var window = new WindowStream(prefix.AsMemory(0, prefixLength), reader, size);
        message.MergeFrom(CodedInputStream.CreateWithLimits(window, int.MaxValue, RecursionLimit - depth));
    }

    private void FlushBatch(IMessage message, int depth)
    {
        if (batch.Length == 0)
        {
            return;
        }

        // The same nesting limit as a whole-file parse: this message already sits `depth` levels down.
        using var input = new MemoryStream(batch.GetBuffer(), 0, (int)batch.Length, writable: false);
        message.MergeFrom(CodedInputStream.CreateWithLimits(input, int.MaxValue, RecursionLimit - depth));
        batch.SetLength(0);
    }

    private void CopyToBatch(int count)
    {
        var start = (int)batch.Length;
        batch.SetLength(start + count);
        reader.ReadExactly(batch.GetBuffer().AsSpan(start, count));
        batch.Position = batch.Length;
    }

    // Re-encoded rather than copied: a non-minimal varint in the file means the same value, and the parsed message holds values, not encodings.
    private void WriteVarint(ulong value)
    {
        Span<byte> encoded = stackalloc byte[10];
        batch.Write(encoded[..EncodeVarint(encoded, value)]);
    }

    private static int EncodeVarint(Span<byte> destination, ulong value)
    {
        var count = 0;
        while (value >= 0x80)
        {
            destination[count++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[count++] = (byte)value;
        return count;
    }

    // Protobuf reads up to ten bytes and keeps the low 64 bits; a longer varint is malformed.
    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = reader.ReadByte();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("malformed varint");
    }

    public void Dispose() => batch.Dispose();
}
