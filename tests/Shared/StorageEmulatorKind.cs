namespace CompressBuild.Testing;

/// <summary>The storage services the remote cache is tested against, each through a local emulator.</summary>
public enum StorageEmulatorKind
{
    /// <summary>Azure Blob Storage, through Azurite.</summary>
    Azurite,

    /// <summary>S3, through s3rver.</summary>
    S3rver,
}
