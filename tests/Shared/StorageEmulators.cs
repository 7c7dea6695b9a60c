namespace CompressBuild.Testing;

/// <summary>
/// A class fixture holding one running emulator per kind, started on first use and stopped with the fixture.
/// Tests share them through distinct prefixes; a test that stops a service starts its own instead.
/// </summary>
public sealed class StorageEmulators : IDisposable
{
    private readonly Dictionary<StorageEmulatorKind, StorageEmulator> running = [];
    private readonly Lock gate = new();

    internal StorageEmulator Get(StorageEmulatorKind kind)
    {
        lock (gate)
        {
            if (!running.TryGetValue(kind, out var emulator))
            {
                emulator = StorageEmulator.Start(kind);
                running[kind] = emulator;
            }

            return emulator;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var emulator in running.Values)
            {
                emulator.Dispose();
            }

            running.Clear();
        }
    }
}
