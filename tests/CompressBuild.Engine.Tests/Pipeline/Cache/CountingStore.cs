using CompressBuild.Engine.Pipeline.Cache.Stores;

namespace CompressBuild.Engine.Tests.Pipeline.Cache;

/// <summary>
/// A store that counts the requests it passes on, so a test can check that a remote turned off is no longer asked
/// (and so no longer waited for) by counting calls instead of timing them on a machine of unknown load.
/// </summary>
internal sealed class CountingStore(ICacheStore inner) : ICacheStore
{
    private int calls;

    /// <summary>Requests started so far (downloads, uploads and listings).</summary>
    public int Calls => Volatile.Read(ref calls);

    public string Location => inner.Location;

    public Task<bool> TryDownloadAsync(string name, Stream destination, CancellationToken cancellation)
    {
        Interlocked.Increment(ref calls);
        return inner.TryDownloadAsync(name, destination, cancellation);
    }

    public Task UploadAsync(string name, string sourceFile, CancellationToken cancellation)
    {
        Interlocked.Increment(ref calls);
        return inner.UploadAsync(name, sourceFile, cancellation);
    }

    public Task<bool> TryCreateAsync(string name, string sourceFile, CancellationToken cancellation)
    {
        Interlocked.Increment(ref calls);
        return inner.TryCreateAsync(name, sourceFile, cancellation);
    }

    public Task<IReadOnlyList<string>> ListAsync(string namePrefix, CancellationToken cancellation)
    {
        Interlocked.Increment(ref calls);
        return inner.ListAsync(namePrefix, cancellation);
    }

    public void Dispose() => inner.Dispose();
}
