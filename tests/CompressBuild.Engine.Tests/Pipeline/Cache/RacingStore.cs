using CompressBuild.Engine.Pipeline.Cache.Stores;

namespace CompressBuild.Engine.Tests.Pipeline.Cache;

/// <summary>
/// A store that lets another writer in at one chosen moment: the first time a content object is uploaded through it, <c>meanwhile</c>
/// runs before the upload, as a second CI agent finishing the same trial at that instant would.
/// </summary>
internal sealed class RacingStore(ICacheStore inner, Action meanwhile) : ICacheStore
{
    private int raced;

    public string Location => inner.Location;

    public Task<bool> TryDownloadAsync(string name, Stream destination, CancellationToken cancellation) => inner.TryDownloadAsync(name, destination, cancellation);

    public Task UploadAsync(string name, string sourceFile, CancellationToken cancellation)
    {
        if (name.Contains("/cas/", StringComparison.Ordinal) && Interlocked.Exchange(ref raced, 1) == 0)
        {
            meanwhile();
        }

        return inner.UploadAsync(name, sourceFile, cancellation);
    }

    public Task<bool> TryCreateAsync(string name, string sourceFile, CancellationToken cancellation) => inner.TryCreateAsync(name, sourceFile, cancellation);

    public Task<IReadOnlyList<string>> ListAsync(string namePrefix, CancellationToken cancellation) => inner.ListAsync(namePrefix, cancellation);

    public void Dispose() => inner.Dispose();
}
