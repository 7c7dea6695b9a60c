using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace CompressBuild.Engine.Pipeline.Cache.Stores;

/// <summary>
/// A store in an Azure Blob Storage container, below a name prefix, through Azure's own client
/// (Azure.Storage.Blobs). Uploads are one Put Blob, or staged blocks committed at the end for large files, so
/// a blob is replaced whole. A missing container is created on the first write (a reader just sees a miss).
/// </summary>
public sealed class AzureBlobCacheStore : ICacheStore
{
    private readonly BlobContainerClient container;
    private readonly string prefix;
    private int containerChecked;

    public AzureBlobCacheStore(BlobContainerClient container, string prefix, string location)
    {
        this.container = container;
        this.prefix = prefix;
        Location = location;
    }

    public string Location { get; }

    /// <summary>Bounded retries and timeouts: a slow or absent service costs seconds, never the build.</summary>
    public static BlobClientOptions ClientOptions(RemoteCacheLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var options = new BlobClientOptions();
        options.Retry.Mode = Azure.Core.RetryMode.Exponential;
        options.Retry.MaxRetries = limits.Retries;
        options.Retry.Delay = limits.RetryDelay;
        options.Retry.MaxDelay = limits.RetryDelay * 8;
        options.Retry.NetworkTimeout = limits.NetworkTimeout;
        return options;
    }

    public async Task<bool> TryDownloadAsync(string name, Stream destination, CancellationToken cancellation)
    {
        try
        {
            await container.GetBlobClient(prefix + name).DownloadToAsync(destination, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException and not CacheStoreException)
        {
            throw Translate(e);
        }
    }

    public async Task UploadAsync(string name, string sourceFile, CancellationToken cancellation) =>
        await PutAsync(name, sourceFile, onlyNew: false, cancellation).ConfigureAwait(false);

    public Task<bool> TryCreateAsync(string name, string sourceFile, CancellationToken cancellation) => PutAsync(name, sourceFile, onlyNew: true, cancellation);

    /// <param name="onlyNew">Not overwriting (the SDK sends <c>If-None-Match: *</c>): false where the blob exists (<see cref="Taken"/>).</param>
    private async Task<bool> PutAsync(string name, string sourceFile, bool onlyNew, CancellationToken cancellation)
    {
        try
        {
            await EnsureContainerAsync(cancellation).ConfigureAwait(false);
            await container.GetBlobClient(prefix + name).UploadAsync(sourceFile, overwrite: !onlyNew, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (onlyNew && Taken(e))
        {
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException and not CacheStoreException)
        {
            throw Translate(e);
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync(string namePrefix, CancellationToken cancellation)
    {
        try
        {
            var names = new List<string>();
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix + namePrefix, cancellation).ConfigureAwait(false))
            {
                names.Add(blob.Name[prefix.Length..]);
            }

            return names;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
        catch (Exception e) when (e is not OperationCanceledException and not CacheStoreException)
        {
            throw Translate(e);
        }
    }

    public void Dispose()
    {
    }

    private async Task EnsureContainerAsync(CancellationToken cancellation)
    {
        if (Volatile.Read(ref containerChecked) != 0)
        {
            return;
        }

        try
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 403)
        {
            // Credentials scoped to blobs (a SAS without container rights) cannot create it; the upload says whether it exists.
        }

        Volatile.Write(ref containerChecked, 1);
    }

    /// <summary>
    /// The refusals that mean the blob exists: 409 BlobAlreadyExists (Azure's answer to <c>If-None-Match: *</c>) and 412 ConditionNotMet (or a
    /// 412 without a code, from services that answer the condition that way). Any other 409 or 412 (the container being deleted, a lease) is a
    /// failure the run reports, not another writer's win.
    /// </summary>
    private static bool Taken(RequestFailedException e) =>
        (e.Status == 409 && e.ErrorCode == BlobErrorCode.BlobAlreadyExists.ToString())
        || (e.Status == 412 && (string.IsNullOrEmpty(e.ErrorCode) || e.ErrorCode == BlobErrorCode.ConditionNotMet.ToString()));

    private static CacheStoreException Translate(Exception e) => e switch
    {
        RequestFailedException { Status: 401 or 403 } r => new CacheStoreException(CacheStoreFailure.AccessDenied, $"HTTP {r.Status} {r.ErrorCode}: access denied", e),
        AuthenticationFailedException => new CacheStoreException(CacheStoreFailure.AccessDenied, FirstLine(e.Message), e),
        RequestFailedException r => new CacheStoreException(CacheStoreFailure.Unreachable, r.Status == 0 ? FirstLine(r.Message) : $"HTTP {r.Status} {r.ErrorCode}", e),
        AggregateException { InnerExceptions.Count: > 0 } a => Translate(a.InnerExceptions[^1]),
        _ => new CacheStoreException(CacheStoreFailure.Unreachable, FirstLine(e.Message), e),
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
