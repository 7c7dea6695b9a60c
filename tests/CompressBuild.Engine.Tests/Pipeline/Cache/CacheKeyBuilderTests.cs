using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Cache;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Pipeline.Cache;

public class CacheKeyBuilderTests
{
    [Fact]
    public void The_key_changes_with_any_part_and_not_otherwise()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("a"), "abc");

        string Key(string settings, string tool = "1.0")
        {
            using var builder = new CacheKeyBuilder();
            return builder.AddPath("data", temp.File("a")).AddText("settings", settings).AddText("tool", tool).Build();
        }

        var first = Key("{\"mode\":\"fp16\"}");
        Assert.Equal(first, Key("{\"mode\":\"fp16\"}"));
        Assert.NotEqual(first, Key("{\"mode\":\"int8\"}"));
        Assert.NotEqual(first, Key("{\"mode\":\"fp16\"}", tool: "1.1"));
        File.WriteAllText(temp.File("a"), "abd");
        Assert.NotEqual(first, Key("{\"mode\":\"fp16\"}"));
    }

    [Fact]
    public void Parts_cannot_run_together()
    {
        using var one = new CacheKeyBuilder();
        using var two = new CacheKeyBuilder();

        Assert.NotEqual(one.AddText("a", "bc").Build(), two.AddText("ab", "c").Build());
    }

    [Fact]
    public void A_model_key_covers_its_external_data()
    {
        using var temp = new TempFolder();
        var path = temp.File("mlp.onnx");
        OnnxModelWriter.Save(OnnxModelReader.Load(Path.Combine(RepositoryPaths.Digits, "mlp.onnx")), path, new ModelSaveOptions { Layout = ExternalDataLayout.SingleFile });

        string Key()
        {
            using var builder = new CacheKeyBuilder();
            return builder.AddModel("model", OnnxModelReader.Load(path)).Build();
        }

        var before = Key();
        var data = Directory.GetFiles(temp.Path, "*.data").Single();
        var bytes = File.ReadAllBytes(data);
        bytes[^1] ^= 1;
        File.WriteAllBytes(data, bytes);

        Assert.NotEqual(before, Key());
    }
}
