using System.Runtime.InteropServices;
using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// ONNX Runtime's C API function table (OrtApi), reached through <c>OrtGetApiBase()->GetApi(version)</c>.
/// Each wrapper calls one slot through an unmanaged function pointer and turns a non-null OrtStatus into an
/// <see cref="OrtException"/>, copying ORT's message before the status is released.
/// </summary>
internal sealed unsafe class OrtApi
{
    /// <summary>
    /// The API version we ask for: the oldest whose table has every slot we call (see <see cref="OrtApiSlot"/>).
    /// Slots are append-only, so any ONNX Runtime at least this new serves this binding unchanged.
    /// </summary>
    public const uint ApiVersion = 3;

    private const int LogLevelError = 3;

    private static readonly Lazy<OrtApi> Shared = new(() => new OrtApi(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly nint* table;

    private OrtApi()
    {
        var (library, path) = OnnxRuntimeLibrary.Load();
        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBase))
        {
            throw new CompressBuildException(DiagnosticCodes.RuntimeNotFound, $"{path} is not an ONNX Runtime library (it has no OrtGetApiBase export).");
        }

        var apiBase = ((delegate* unmanaged<nint*>)getApiBase)();
        Version = Marshal.PtrToStringUTF8(((delegate* unmanaged<nint>)apiBase[1])()) ?? "unknown";
        table = ((delegate* unmanaged<uint, nint*>)apiBase[0])(ApiVersion);
        if (table is null)
        {
            throw new CompressBuildException(DiagnosticCodes.RuntimeNotFound,
                $"ONNX Runtime {Version} at {path} is too old: CompressBuild needs API version {ApiVersion} (ONNX Runtime 1.3 or newer).");
        }

        LibraryPath = path;
        nint envHandle;
        var logId = Marshal.StringToCoTaskMemUTF8("CompressBuild");
        try
        {
            Check(((delegate* unmanaged<int, nint, nint*, nint>)table[OrtApiSlot.CreateEnv])(LogLevelError, logId, &envHandle));
        }
        finally
        {
            Marshal.FreeCoTaskMem(logId);
        }

        // The environment and the CPU memory info live as long as the process: ORT must outlive every session,
        // and releasing them during shutdown races with finalizers of sessions still being collected.
        Env = envHandle;
        nint allocator;
        Check(((delegate* unmanaged<nint*, nint>)table[OrtApiSlot.GetAllocatorWithDefaultOptions])(&allocator));
        DefaultAllocator = allocator;
        nint memoryInfo;
        Check(((delegate* unmanaged<int, int, nint*, nint>)table[OrtApiSlot.CreateCpuMemoryInfo])(0 /* OrtDeviceAllocator */, 0 /* OrtMemTypeDefault */, &memoryInfo));
        CpuMemoryInfo = memoryInfo;
    }

    public static OrtApi Instance => Shared.Value;

    public string Version { get; }

    public string LibraryPath { get; }

    public nint Env { get; }

    /// <summary>ORT's default CPU allocator; owned by ORT and never released.</summary>
    public nint DefaultAllocator { get; }

    public nint CpuMemoryInfo { get; }

    public nint Slot(int index) => table[index];

    public void Check(nint status)
    {
        if (status == 0)
        {
            return;
        }

        var code = ((delegate* unmanaged<nint, int>)table[OrtApiSlot.GetErrorCode])(status);
        var message = Marshal.PtrToStringUTF8(((delegate* unmanaged<nint, nint>)table[OrtApiSlot.GetErrorMessage])(status)) ?? "unknown error";
        ((delegate* unmanaged<nint, void>)table[OrtApiSlot.ReleaseStatus])(status);
        throw new OrtException((OrtErrorCode)code, message);
    }

    public void Release(OrtHandleKind kind, nint handle)
    {
        var slot = kind switch
        {
            OrtHandleKind.Session => OrtApiSlot.ReleaseSession,
            OrtHandleKind.SessionOptions => OrtApiSlot.ReleaseSessionOptions,
            OrtHandleKind.Value => OrtApiSlot.ReleaseValue,
            OrtHandleKind.TypeInfo => OrtApiSlot.ReleaseTypeInfo,
            OrtHandleKind.TensorTypeAndShapeInfo => OrtApiSlot.ReleaseTensorTypeAndShapeInfo,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        ((delegate* unmanaged<nint, void>)table[slot])(handle);
    }

    public void FreeWithDefaultAllocator(nint pointer)
    {
        Check(((delegate* unmanaged<nint, nint, nint>)table[OrtApiSlot.AllocatorFree])(DefaultAllocator, pointer));
    }
}
