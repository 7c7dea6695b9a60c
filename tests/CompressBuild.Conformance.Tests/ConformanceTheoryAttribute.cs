using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Conformance.Tests;

/// <summary>
/// A theory that is skipped, with a message saying what to install, when ONNX's backend test data is absent.
/// Only the missing folder skips: once it exists every suite runs and must find its models.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ConformanceTheoryAttribute : TheoryAttribute
{
    public ConformanceTheoryAttribute()
    {
        if (!Directory.Exists(RepositoryPaths.OnnxTestData))
        {
            Skip = $"ONNX backend test data not found at {RepositoryPaths.OnnxTestData}: install Debian's libonnx-testdata (apt-get install libonnx-testdata) or point COMPRESSBUILD_ONNX_TESTDATA " +
                $"at a copy of onnx/backend/test/data.";
        }
    }
}
