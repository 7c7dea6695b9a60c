using System.Text;

namespace CompressBuild.Engine.Tests.Evaluation;

/// <summary>Writes .npy bytes by hand, to make the malformed and unusual files real NumPy rarely produces.</summary>
internal static class NpyBytes
{
    public static byte[] Create(string descr, string shape, byte[] data, int version = 1, string fortran = "False")
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}";
        var prefix = version == 1 ? 10 : 12;
        var padded = header.PadRight(((prefix + header.Length + 1 + 63) / 64 * 64) - prefix - 1) + "\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, .. "NUMPY"u8, (byte)version, 0]);
        if (version == 1)
        {
            stream.Write(BitConverter.GetBytes((ushort)padded.Length));
        }
        else
        {
            stream.Write(BitConverter.GetBytes((uint)padded.Length));
        }

        stream.Write(Encoding.Latin1.GetBytes(padded));
        stream.Write(data);
        return stream.ToArray();
    }
}
