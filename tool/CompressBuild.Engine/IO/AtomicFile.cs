namespace CompressBuild.Engine.IO;

/// <summary>
/// Writes files so that a reader never sees a half-written one: the content goes to a temporary file in the
/// destination folder (same volume, so the final move is a rename) and is moved over the destination only
/// once it is complete and flushed.
/// </summary>
public static class AtomicFile
{
    public static string CreateTempPathFor(string destination)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(destination))!;
        // Short and independent of the destination's name, so a destination name near the file system's 255-byte
        // limit still has a temporary sibling.
        return Path.Combine(folder, $".cb-{Guid.NewGuid():N}"[..16] + ".tmp");
    }

    public static FileStream OpenTemp(string tempPath) =>
        new(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16);

    public static void Publish(string tempPath, string destination) => File.Move(tempPath, destination, overwrite: true);

    public static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
