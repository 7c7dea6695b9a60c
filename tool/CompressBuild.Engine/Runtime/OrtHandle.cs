using System.Runtime.InteropServices;

namespace CompressBuild.Engine.Runtime;

/// <summary>Owns one ONNX Runtime object and releases it exactly once, even when the owner is never disposed.</summary>
internal sealed class OrtHandle : SafeHandle
{
    public OrtHandle(nint handle, OrtHandleKind kind)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        Kind = kind;
        SetHandle(handle);
    }

    public OrtHandleKind Kind { get; }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        OrtApi.Instance.Release(Kind, handle);
        return true;
    }
}
