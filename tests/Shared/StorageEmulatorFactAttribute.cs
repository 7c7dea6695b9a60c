using Xunit;

namespace CompressBuild.Testing;

/// <summary>A fact that needs the storage emulators; skipped, with the reason, when Node.js or an emulator is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class StorageEmulatorFactAttribute : FactAttribute
{
    public StorageEmulatorFactAttribute()
    {
        Skip = Enum.GetValues<StorageEmulatorKind>().Select(StorageEmulator.MissingReason).FirstOrDefault(r => r is not null);
    }
}
