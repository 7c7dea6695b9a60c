using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CompressBuild.Engine.Pruning.Structured.Latency;

/// <summary>
/// The calling thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), which ONNX Runtime's work on 1 intra-op thread runs on: unlike
/// wall time it does not count the time the thread waits while other processes run, so sub-millisecond differences between widths
/// survive a machine running 10-25 processes per core. Elsewhere (or if the call fails) it is the wall clock.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ThreadCpuTimeId = 3;

    public static bool IsThreadTime { get; } = OperatingSystem.IsLinux() && Environment.Is64BitProcess && TryRead(out _);

    /// <summary>Milliseconds on the clock (only differences mean anything).</summary>
    public static double NowMs() => IsThreadTime && TryRead(out var ms) ? ms : Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;

    private static bool TryRead(out double ms)
    {
        ms = 0;
        try
        {
            if (ClockGetTime(ThreadCpuTimeId, out var spec) != 0)
            {
                return false;
            }

            ms = (spec.Seconds * 1000.0) + (spec.Nanoseconds / 1e6);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec spec);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
