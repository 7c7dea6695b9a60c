using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.IO;

/// <summary>
/// The checks every command makes on an output path before it does any work: the path is not empty, is not
/// something other than a regular file (a device node, a FIFO, a folder), and does not resolve, after symbolic
/// links and "..", to any file the command reads (the model, its external data, data, labels, config, baseline).
/// Writing over an input would destroy the user's file while the command is still reading it.
/// </summary>
public static class OutputGuard
{
    public static void Check(string output, IEnumerable<string?> reads)
    {
        if (string.IsNullOrWhiteSpace(output))
        {
            throw new CompressBuildException(DiagnosticCodes.OutputPathEmpty, "the output path is empty; give a file name such as model.onnx.");
        }

        var real = RealPath.Of(output);
        if (Directory.Exists(real))
        {
            throw new CompressBuildException(DiagnosticCodes.OutputPathInvalid, "the output path is a folder; give a file name such as model.onnx.", output);
        }

        if (File.Exists(real) && !IsRegularFile(real))
        {
            throw new CompressBuildException(DiagnosticCodes.OutputNotRegularFile,
                "the output path exists and is not a regular file (a device, FIFO or socket); it is left alone. Give a file name.", output);
        }

        foreach (var read in reads)
        {
            if (!string.IsNullOrEmpty(read) && string.Equals(real, RealPath.Of(read), RealPath.Comparison))
            {
                throw new CompressBuildException(DiagnosticCodes.OutputIsAnInput,
                    $"the output would overwrite {read}, which this command reads; write the output to another file.", output);
            }
        }
    }

    /// <summary>Whether an existing path (links followed) is a regular file; where the OS cannot tell us, assumed so.</summary>
    public static bool IsRegularFile(string path) => !LinuxFiles.IsSupported || LinuxFiles.IsRegular(path) != false;
}
