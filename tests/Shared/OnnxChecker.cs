namespace CompressBuild.Testing;

/// <summary>ONNX's own checker (Debian python3-onnx, full_check), a judge that shares no code with us.</summary>
internal static class OnnxChecker
{
    public static (int ExitCode, string Text) Check(string path) =>
        DebianPython.Run("import sys, onnx; onnx.checker.check_model(sys.argv[1], full_check=True); print('ok')", path);
}
