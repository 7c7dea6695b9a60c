using Xunit;

namespace CompressBuild.Testing;

/// <summary>A theory over storage emulators; skipped, with the reason, when Node.js or an emulator is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class StorageEmulatorTheoryAttribute : TheoryAttribute
{
    public StorageEmulatorTheoryAttribute()
    {
        Skip = Enum.GetValues<StorageEmulatorKind>().Select(StorageEmulator.MissingReason).FirstOrDefault(r => r is not null);
    }
}
