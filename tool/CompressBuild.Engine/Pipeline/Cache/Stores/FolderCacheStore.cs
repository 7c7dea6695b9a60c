using CompressBuild.Engine.IO;

namespace CompressBuild.Engine.Pipeline.Cache.Stores;

/// <summary>
/// A store in a folder (<c>file:///mnt/share/compressbuild</c>, e.g. a network share every agent mounts). Objects
/// are written to a temporary file beside their place and renamed over it, so a reader never sees half an object.
/// </summary>
public sealed class FolderCacheStore(string root) : ICacheStore
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Location => new Uri(Root).AbsoluteUri;

    public async Task<bool> TryDownloadAsync(string name, Stream destination, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(destination);
        try
        {
            await using var source = new FileStream(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
            await source.CopyToAsync(destination, 1 << 16, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CacheStoreException(CacheStoreFailure.AccessDenied, e.Message, e);
        }
        catch (IOException e)
        {
            throw new CacheStoreException(CacheStoreFailure.Unreachable, e.Message, e);
        }
    }

    public async Task UploadAsync(string name, string sourceFile, CancellationToken cancellation) =>
        await WriteAsync(name, sourceFile, replace: true, cancellation).ConfigureAwait(false);

    public Task<bool> TryCreateAsync(string name, string sourceFile, CancellationToken cancellation) => WriteAsync(name, sourceFile, replace: false, cancellation);

    /// <summary>Copies to a temporary file beside the target, then moves it into place: over an existing object, or (not replacing) only
    /// where there is none, checked in the same step (<see cref="AtomicFile.TryPublishNew"/>).</summary>
    private async Task<bool> WriteAsync(string name, string sourceFile, bool replace, CancellationToken cancellation)
    {
        var target = PathOf(name);
        var temporary = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using (var source = new FileStream(sourceFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous))
            await using (var copy = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await source.CopyToAsync(copy, 1 << 16, cancellation).ConfigureAwait(false);
            }

            if (!replace)
            {
                return AtomicFile.TryPublishNew(temporary, target);
            }

            File.Move(temporary, target, overwrite: true);
            return true;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CacheStoreException(CacheStoreFailure.AccessDenied, e.Message, e);
        }
        catch (IOException e)
        {
            throw new CacheStoreException(CacheStoreFailure.Unreachable, e.Message, e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(string namePrefix, CancellationToken cancellation)
    {
        if (!Directory.Exists(Root))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        // Only the folder the prefix points into is walked, not the whole store.
        var slash = namePrefix.LastIndexOf('/');
        var start = slash < 0 ? Root : PathOf(namePrefix[..slash]);
        if (!Directory.Exists(start))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        IReadOnlyList<string> names = Directory.GetFiles(start, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Where(n => n.StartsWith(namePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        return Task.FromResult(names);
    }

    public void Dispose()
    {
    }

    private string PathOf(string name) => Path.Combine(Root, name.Replace('/', Path.DirectorySeparatorChar));
}
