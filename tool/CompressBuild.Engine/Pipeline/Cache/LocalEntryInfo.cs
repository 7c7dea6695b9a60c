namespace CompressBuild.Engine.Pipeline.Cache;

/// <summary>One entry of the local cache as housekeeping sees it: its size and when a run last used it.</summary>
public sealed record LocalEntryInfo(string Key, string Folder, long Bytes, DateTime LastUsedUtc);
