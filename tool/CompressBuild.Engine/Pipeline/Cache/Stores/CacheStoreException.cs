namespace CompressBuild.Engine.Pipeline.Cache.Stores;

/// <summary>A store operation failed; <see cref="Failure"/> says how, the message says what the service answered.</summary>
public sealed class CacheStoreException : Exception
{
    public CacheStoreException(CacheStoreFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
    }

    public CacheStoreFailure Failure { get; }
}
