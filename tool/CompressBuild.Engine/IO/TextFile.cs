using System.Text;

namespace CompressBuild.Engine.IO;

/// <summary>Writes a text file atomically (temporary file, flush, rename), UTF-8 without BOM, LF line ends.</summary>
public static class TextFile
{
    public static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = AtomicFile.CreateTempPathFor(path);
        try
        {
            using (var stream = AtomicFile.OpenTemp(temp))
            {
                stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text.ReplaceLineEndings("\n")));
                stream.Flush(flushToDisk: true);
            }

            AtomicFile.Publish(temp, path);
        }
        catch
        {
            AtomicFile.DeleteQuietly(temp);
            throw;
        }
    }
}
