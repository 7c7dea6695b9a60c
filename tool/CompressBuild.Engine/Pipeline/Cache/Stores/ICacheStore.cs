namespace CompressBuild.Engine.Pipeline.Cache.Stores;

/// <summary>
/// A place that keeps cache objects by name (a folder, an Azure Blob container, an S3 bucket). Deliberately dumb:
/// the layout, the order of writes (manifest last) and every integrity check live in <see cref="RemoteCache"/>,
/// so each store only moves bytes. A failure is a <see cref="CacheStoreException"/> saying whether the store was
/// unreachable or refused the credentials; never a result the caller could mistake for data.
/// </summary>
public interface ICacheStore : IDisposable
{
    /// <summary>Where the store is, for messages: its URL without credentials.</summary>
    string Location { get; }

    /// <summary>Copies object <paramref name="name"/> into <paramref name="destination"/>; false when the store has no such object.</summary>
    Task<bool> TryDownloadAsync(string name, Stream destination, CancellationToken cancellation);

    /// <summary>Writes object <paramref name="name"/> from a file, replacing an earlier one whole: a reader sees the old object or the new one.</summary>
    Task UploadAsync(string name, string sourceFile, CancellationToken cancellation);

    /// <summary>
    /// Writes object <paramref name="name"/> from a file only where the store holds none by that name; false when it does. The service checks
    /// the condition itself (Azure Blob and S3 conditional writes, a move that never replaces in a folder), so of two writers racing for
    /// one name exactly one succeeds; an S3-compatible server that ignores the condition (s3rver) replaces the object as
    /// <see cref="UploadAsync"/> does.
    /// </summary>
    Task<bool> TryCreateAsync(string name, string sourceFile, CancellationToken cancellation);

    /// <summary>The names of the objects below <paramref name="namePrefix"/> (for statistics and tests).</summary>
    Task<IReadOnlyList<string>> ListAsync(string namePrefix, CancellationToken cancellation);
}
