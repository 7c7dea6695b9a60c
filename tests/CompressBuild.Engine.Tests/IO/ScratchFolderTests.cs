using CompressBuild.Engine.IO;
using Xunit;

namespace CompressBuild.Engine.Tests.IO;

public sealed class ScratchFolderTests
{
    [Fact]
    public void Each_scratch_folder_is_new_under_the_temp_folder_named_for_its_purpose_and_removed_with_its_files()
    {
        string path;
        using (var first = new ScratchFolder("quantize"))
        using (var second = new ScratchFolder("quantize"))
        {
            path = first.Path;
            Directory.CreateDirectory(first.File("nested"));
            File.WriteAllText(first.File(Path.Combine("nested", "model.onnx")), "x");

            Assert.NotEqual(first.Path, second.Path);
            Assert.Equal(Path.GetFullPath(Path.GetTempPath()), Path.GetFullPath(Path.GetDirectoryName(first.Path)!) + Path.DirectorySeparatorChar);
            Assert.StartsWith("compressbuild-quantize-", Path.GetFileName(first.Path), StringComparison.Ordinal);
            Assert.Equal(Path.Combine(first.Path, "a.onnx"), first.File("a.onnx"));
        }

        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void Disposing_a_folder_already_removed_is_quiet()
    {
        var scratch = new ScratchFolder("gone");
        Directory.Delete(scratch.Path);

        scratch.Dispose();

        Assert.False(Directory.Exists(scratch.Path));
    }
}
