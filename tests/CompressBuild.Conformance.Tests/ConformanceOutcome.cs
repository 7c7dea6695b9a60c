namespace CompressBuild.Conformance.Tests;

/// <summary>The one column of the summary a model lands in.</summary>
internal enum ConformanceOutcome
{
    /// <summary>Every data set's outputs matched ONNX's reference within the backend-test tolerance.</summary>
    Passed,

    /// <summary>ONNX Runtime refused to create the session or to run it (operator or type not implemented, ...).</summary>
    RuntimeRejected,

    /// <summary>The model ran, but an output differs from the reference beyond tolerance.</summary>
    Mismatch,

    /// <summary>A graph input or output is a sequence, map or optional, which our binding does not run yet.</summary>
    NonTensor,

    /// <summary>Our own side failed: loading, saving, re-loading, reading the test data, or the copy behaving differently.</summary>
    IoFailure,
}
