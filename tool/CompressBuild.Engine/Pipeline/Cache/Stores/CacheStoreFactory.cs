using Amazon.Runtime;
using Amazon.S3;
using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Pipeline.Cache.Stores;

/// <summary>
/// Opens the store a cache URL names:
/// <c>azblob://ACCOUNT/CONTAINER[/PREFIX][?SAS]</c> (credentials: the SAS in the URL, else
/// <c>AZURE_STORAGE_CONNECTION_STRING</c>, else <c>AZURE_STORAGE_SAS_TOKEN</c>, else Azure.Identity's
/// DefaultAzureCredential: environment, workload identity, managed identity, Azure CLI...),
/// <c>s3://BUCKET[/PREFIX]</c> (credentials: <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>[/<c>AWS_SESSION_TOKEN</c>],
/// else the AWS SDK's default chain: profile, web identity, container and instance roles; region <c>AWS_REGION</c>),
/// or <c>file:///PATH</c>. The endpoint (<c>COMPRESSBUILD_CACHE_ENDPOINT</c>) points either cloud at an emulator or
/// a compatible server. Creating a store contacts nothing: a wrong credential shows on first use, as a warning.
/// </summary>
public static class CacheStoreFactory
{
    public static ICacheStore Create(string url, string? endpoint, Func<string, string?> environment, RemoteCacheLimits limits)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(environment);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw Invalid(url, "it is not a URL");
        }

        return uri.Scheme switch
        {
            "azblob" => Azure(uri, endpoint, environment, limits),
            "s3" => S3(uri, endpoint, environment, limits),
            "file" => new FolderCacheStore(uri.LocalPath),
            _ => throw Invalid(url, $"the scheme '{uri.Scheme}' is not azblob, s3 or file"),
        };
    }

    private static AzureBlobCacheStore Azure(Uri uri, string? endpoint, Func<string, string?> environment, RemoteCacheLimits limits)
    {
        var account = uri.Host;
        var (container, prefix) = FirstSegmentAndPrefix(uri);
        if (account.Length == 0 || container is null)
        {
            throw Invalid(uri.ToString(), "it needs an account and a container: azblob://ACCOUNT/CONTAINER/PREFIX");
        }

        var options = AzureBlobCacheStore.ClientOptions(limits);
        var serviceUri = new Uri(endpoint ?? $"https://{account}.blob.core.windows.net");
        var sas = uri.Query.TrimStart('?');
        BlobServiceClient service;
        if (sas.Length > 0)
        {
            service = new BlobServiceClient(serviceUri, new AzureSasCredential(sas), options);
        }
        else if (environment("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } connection)
        {
            service = new BlobServiceClient(connection, options);
        }
        else if (environment("AZURE_STORAGE_SAS_TOKEN") is { Length: > 0 } token)
        {
            service = new BlobServiceClient(serviceUri, new AzureSasCredential(token.TrimStart('?')), options);
        }
        else
        {
            service = new BlobServiceClient(serviceUri, new DefaultAzureCredential(), options);
        }

        return new AzureBlobCacheStore(service.GetBlobContainerClient(container), prefix, $"azblob://{account}/{container}/{prefix}");
    }

    private static S3CacheStore S3(Uri uri, string? endpoint, Func<string, string?> environment, RemoteCacheLimits limits)
    {
        var bucket = uri.Host;
        if (bucket.Length == 0)
        {
            throw Invalid(uri.ToString(), "it needs a bucket: s3://BUCKET/PREFIX");
        }

        var prefix = Prefix(uri.AbsolutePath);
        var region = environment("AWS_REGION") is { Length: > 0 } r ? r : environment("AWS_DEFAULT_REGION") is { Length: > 0 } d ? d : null;
        var config = S3CacheStore.ClientConfig(limits, endpoint, region);
        var client = environment("AWS_ACCESS_KEY_ID") is { Length: > 0 } id && environment("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } secret
            ? new AmazonS3Client(environment("AWS_SESSION_TOKEN") is { Length: > 0 } session ? new SessionAWSCredentials(id, secret, session) : new BasicAWSCredentials(id, secret), config)
            : new AmazonS3Client(config);
        return new S3CacheStore(client, bucket, prefix, $"s3://{bucket}/{prefix}");
    }

    private static (string? First, string Prefix) FirstSegmentAndPrefix(Uri uri)
    {
        var path = Uri.UnescapeDataString(uri.AbsolutePath).Trim('/');
        if (path.Length == 0)
        {
            return (null, "");
        }

        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (path, "") : (path[..slash], Prefix(path[(slash + 1)..]));
    }

    /// <summary>"a/b" -> "a/b/", "" -> "": object names are appended to it.</summary>
    private static string Prefix(string path)
    {
        var trimmed = Uri.UnescapeDataString(path).Trim('/');
        return trimmed.Length == 0 ? "" : trimmed + "/";
    }

    private static CompressBuildException Invalid(string url, string why) =>
        new(DiagnosticCodes.CacheSettingInvalid,
            $"cache URL '{RedactQuery(url)}' is not usable: {why}. Use azblob://ACCOUNT/CONTAINER/PREFIX, s3://BUCKET/PREFIX or file:///PATH (--cache-url, {CacheSettings.UrlVariable}).");

    /// <summary>A SAS in the query is a secret: messages never show it.</summary>
    private static string RedactQuery(string url) => url.Split('?', 2) is [var head, _] ? head + "?(redacted)" : url;
}
