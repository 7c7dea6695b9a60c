using CompressBuild.Engine.Evaluation;
using Xunit;

namespace CompressBuild.Engine.Tests.Evaluation;

public class MachineProbeTests
{
    [Fact]
    public void Reads_the_model_and_flags_of_an_x86_cpuinfo()
    {
        string[] lines = ["processor\t: 0", "model name\t: Intel(R) Xeon(R) Platinum 8480+", "flags\t\t: fpu avx2 avx512f avx512_vnni amx_int8 amx_tile", "", "processor\t: 1", "model name\t: other"];

        var (model, flags) = MachineProbe.ReadCpuInfo(lines);

        Assert.Equal("Intel(R) Xeon(R) Platinum 8480+", model);
        Assert.Contains("amx_int8", flags);
        Assert.Contains("avx512_vnni", flags);
    }

    [Fact]
    public void Reads_the_features_of_an_arm_cpuinfo()
    {
        string[] lines = ["processor\t: 0", "Features\t: fp asimd evtstrm aes asimddp i8mm", "CPU part\t: 0xd0c"];

        var (model, flags) = MachineProbe.ReadCpuInfo(lines);

        Assert.Equal("ARM CPU part 0xd0c", model);
        Assert.Contains("asimddp", flags);
    }

    [Fact]
    public void Describes_this_machine()
    {
        var machine = MachineProbe.Current;

        Assert.Equal(Environment.ProcessorCount, machine.Cores);
        Assert.Matches("^[0-9a-f]{12}$", machine.Id);
        Assert.NotEmpty(machine.CpuModel);
        Assert.Equal(machine.IsaFlags.Order(StringComparer.Ordinal), machine.IsaFlags);
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            Assert.Contains("avx2", machine.IsaFlags);
        }
    }
}
