using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace CompressBuild.Engine.Pipeline.Cache.Stores;

/// <summary>
/// A store in an S3 bucket, below a key prefix, through AWS's own client (AWSSDK.S3); with a custom endpoint it
/// serves S3-compatible servers (MinIO, Ceph RGW) with path-style addressing. Each object is one PutObject, which
/// S3 makes visible whole. Checksums beyond what S3 requires are off: some compatible servers reject them.
/// </summary>
public sealed class S3CacheStore(IAmazonS3 client, string bucket, string prefix, string location) : ICacheStore
{
    private readonly string keyPrefix = prefix;

    /// <summary>
    /// Set once the server answered a conditional write with 501 NotImplemented (S3-compatible servers without conditional writes): later
    /// writes are plain PUTs, and the first manifest of a key stands only by RemoteCache's look just before writing it, as on servers that
    /// ignore the header; without this the store published no manifest at all and warned on every run.
    /// </summary>
    private int conditionUnsupported;

    public string Location { get; } = location;

    /// <summary>Bounded retries and timeouts; <paramref name="endpoint"/> (an S3-compatible server) turns on path-style addressing.</summary>
    public static AmazonS3Config ClientConfig(RemoteCacheLimits limits, string? endpoint, string? region)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var config = new AmazonS3Config
        {
            MaxErrorRetry = limits.Retries,
            Timeout = limits.NetworkTimeout,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else if (region is not null)
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        return config;
    }

    public async Task<bool> TryDownloadAsync(string name, Stream destination, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(destination);
        try
        {
            using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = keyPrefix + name }, cancellation).ConfigureAwait(false);
            await response.ResponseStream.CopyToAsync(destination, 1 << 16, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
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

    /// <param name="onlyNew">A conditional write (<c>If-None-Match: *</c>): false where the object exists.</param>
    private async Task<bool> PutAsync(string name, string sourceFile, bool onlyNew, CancellationToken cancellation)
    {
        var condition = onlyNew && Volatile.Read(ref conditionUnsupported) == 0;
        try
        {
            // Chunked (streaming-signature) uploads are not understood by every S3-compatible server; a plain signed PUT is.
            var request = new PutObjectRequest { BucketName = bucket, Key = keyPrefix + name, FilePath = sourceFile, UseChunkEncoding = false, IfNoneMatch = condition ? "*" : null };
            await client.PutObjectAsync(request, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (condition && e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            // 412: the object exists; 409: another conditional write of it is under way.
            return false;
        }
        catch (AmazonS3Exception e) when (condition && e.StatusCode == HttpStatusCode.NotImplemented)
        {
            Volatile.Write(ref conditionUnsupported, 1);
            return await PutAsync(name, sourceFile, onlyNew, cancellation).ConfigureAwait(false);
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
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = keyPrefix + namePrefix };
            ListObjectsV2Response response;
            do
            {
                response = await client.ListObjectsV2Async(request, cancellation).ConfigureAwait(false);
                names.AddRange((response.S3Objects ?? []).Select(o => o.Key[keyPrefix.Length..]));
                request.ContinuationToken = response.NextContinuationToken;
            }
            while (response.IsTruncated == true);

            return names;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
        catch (Exception e) when (e is not OperationCanceledException and not CacheStoreException)
        {
            throw Translate(e);
        }
    }

    public void Dispose() => client.Dispose();

    private static CacheStoreException Translate(Exception e) => e switch
    {
        AmazonServiceException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } s =>
            new CacheStoreException(CacheStoreFailure.AccessDenied, $"HTTP {(int)s.StatusCode} {s.ErrorCode}: access denied", e),
        AmazonClientException when e.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase) =>
            new CacheStoreException(CacheStoreFailure.AccessDenied, FirstLine(e.Message), e),
        AmazonServiceException { StatusCode: not 0 } s => new CacheStoreException(CacheStoreFailure.Unreachable, $"HTTP {(int)s.StatusCode} {s.ErrorCode}", e),
        _ => new CacheStoreException(CacheStoreFailure.Unreachable, FirstLine(e.InnerException?.Message ?? e.Message), e),
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
