namespace CompressBuild.Engine.Inspection;

public sealed record OpsetEntry(string Domain, long Version);
