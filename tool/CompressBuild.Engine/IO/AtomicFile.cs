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

    /// <summary>
    /// Moves a complete temporary file into place only where no file has the destination's name; false (the destination
    /// untouched) when one has. On Linux through link(2), which checks and creates in one step: .NET's File.Move without
    /// overwrite looks first and then renames, which replaces a file created in between (four writers racing for each of
    /// 300 names: 85 names had more than one winner). The temporary file may remain; the caller deletes it. Elsewhere File.Move
    /// it is: on Windows a move that refuses an existing file; on a Linux file system without hard links (FAT, some network
    /// shares) and on other Unix systems, the look-then-rename.
    /// </summary>
    public static bool TryPublishNew(string tempPath, string destination)
    {
        if (LinuxFiles.IsSupported)
        {
            var error = LinuxFiles.Link(tempPath, destination);
            if (error == 0 || error == LinuxFiles.AlreadyExists)
            {
                return error == 0;
            }
        }

        try
        {
            File.Move(tempPath, destination, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(destination))
        {
            return false;
        }
    }

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
