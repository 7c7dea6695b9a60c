namespace CompressBuild.Conformance.Tests;

/// <summary>What happened to one model of opset below 13 converted to 13.</summary>
internal enum OpsetConversionOutcome
{
    /// <summary>Converted; every data set's outputs still match ONNX's reference within the backend-test tolerance.</summary>
    Passed,

    /// <summary>The converter refused the model with a CB code (opset too old, an op it cannot rewrite faithfully).</summary>
    NotConvertible,

    /// <summary>ONNX Runtime cannot run or match the original model either, so the conversion cannot be judged.</summary>
    OriginalFails,

    /// <summary>A graph input or output is a sequence, map or optional, which the test binding does not feed.</summary>
    NonTensor,

    /// <summary>The original passes, the converted model is refused by ONNX Runtime: a converter bug.</summary>
    ConvertedRejected,

    /// <summary>The original passes, the converted model's outputs differ from the reference: a converter bug.</summary>
    Mismatch,
}
