namespace CompressBuild.Engine.Onnx;

public enum ExternalDataLayout
{
    /// <summary>Tensors stay where they are: inline ones inline, external ones in one data file beside the model.</summary>
    Keep,

    /// <summary>Every tensor inside the model file.</summary>
    Inline,

    /// <summary>Tensors at or above the size threshold in one data file beside the model.</summary>
    SingleFile,

    /// <summary>Tensors at or above the size threshold each in a file of its own.</summary>
    PerTensor,
}
