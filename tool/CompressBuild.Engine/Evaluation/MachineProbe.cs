using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using System.Text;

namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// Describes this machine: /proc/cpuinfo on Linux (model name and flags, which the kernel reports even for
/// extensions .NET has no intrinsics class for, such as AMX), and .NET's IsSupported checks everywhere.
/// </summary>
public static class MachineProbe
{
    // cpuinfo spells some flags differently from the names we report (ARM "asimd" is NEON, "asimddp" the dot product).
    private static readonly (string CpuInfo, string Reported)[] InterestingFlags =
    [
        ("sse4_2", "sse4_2"), ("avx", "avx"), ("avx2", "avx2"), ("fma", "fma"), ("f16c", "f16c"),
        ("avx512f", "avx512f"), ("avx512bw", "avx512bw"), ("avx512_vnni", "avx512_vnni"), ("avx_vnni", "avx_vnni"),
        ("avx512_bf16", "avx512_bf16"), ("amx_tile", "amx_tile"), ("amx_int8", "amx_int8"), ("amx_bf16", "amx_bf16"),
        ("asimd", "neon"), ("asimddp", "dotprod"), ("i8mm", "i8mm"), ("sve", "sve"), ("fphp", "fp16"),
    ];

    private static readonly Lazy<MachineInfo> CurrentMachine = new(Probe);

    public static MachineInfo Current => CurrentMachine.Value;

    private static MachineInfo Probe()
    {
        var flags = new SortedSet<string>(StringComparer.Ordinal);
        string? model = null;
        if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
        {
            (model, var cpuFlags) = ReadCpuInfo(File.ReadLines("/proc/cpuinfo"));
            foreach (var (cpuInfo, reported) in InterestingFlags)
            {
                if (cpuFlags.Contains(cpuInfo))
                {
                    flags.Add(reported);
                }
            }
        }

        AddIntrinsics(flags);
        model ??= RuntimeInformation.ProcessArchitecture.ToString();
        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : RuntimeInformation.OSDescription;
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var cores = Environment.ProcessorCount;
        return new MachineInfo(Fingerprint(model, cores, os, arch), model, cores, os, arch, [.. flags]);
    }

    /// <summary>The first "model name" (x86) or "Hardware"/"CPU part" (ARM) and the first flags/Features line.</summary>
    internal static (string? Model, HashSet<string> Flags) ReadCpuInfo(IEnumerable<string> lines)
    {
        string? model = null, part = null;
        HashSet<string>? flags = null;
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "model name" or "Hardware" when model is null && value.Length > 0:
                    model = value;
                    break;
                case "CPU part" when part is null:
                    part = value;
                    break;
                case "flags" or "Features" when flags is null:
                    flags = new HashSet<string>(value.Split(' ', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
                    break;
            }
        }

        return (model ?? (part is null ? null : $"ARM CPU part {part}"), flags ?? new HashSet<string>(StringComparer.Ordinal));
    }

    private static void AddIntrinsics(SortedSet<string> flags)
    {
        if (Avx2.IsSupported)
        {
            flags.Add("avx2");
        }

        if (Fma.IsSupported)
        {
            flags.Add("fma");
        }

        if (Avx512F.IsSupported)
        {
            flags.Add("avx512f");
        }

        if (AvxVnni.IsSupported)
        {
            flags.Add("avx_vnni");
        }

        if (AdvSimd.IsSupported)
        {
            flags.Add("neon");
        }

        if (Dp.IsSupported)
        {
            flags.Add("dotprod");
        }
    }

    private static string Fingerprint(string model, int cores, string os, string arch)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{model}|{cores}|{os}|{arch}"));
        return Convert.ToHexStringLower(hash)[..12];
    }
}
