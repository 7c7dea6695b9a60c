namespace CompressBuild.Engine.Evaluation;

/// <summary>
/// The machine a latency was measured on. <see cref="Id"/> is a short hash of what decides speed (CPU model,
/// logical cores, OS family, architecture), so an absolute latency or a recorded baseline can say which machine
/// it belongs to without naming the host.
/// </summary>
/// <param name="IsaFlags">Instruction-set extensions that matter for inference kernels, sorted: avx2, avx512f, avx512_vnni, avx_vnni, amx_int8, fma, neon, dotprod, i8mm, ...</param>
public sealed record MachineInfo(string Id, string CpuModel, int Cores, string OperatingSystem, string Architecture, IReadOnlyList<string> IsaFlags);
