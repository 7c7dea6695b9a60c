using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Testing;
using Xunit;

namespace CompressBuild.Engine.Tests.Onnx;

/// <summary>
/// External data is opened once and read only through that handle, after checking what was opened: a data file
/// swapped for a link to an outside file while a model is being read never lets the outside bytes through.
/// </summary>
public class ExternalDataRaceTests
{
    [Fact]
    public async Task A_data_file_swapped_for_an_outside_link_never_leaks_the_outside_bytes()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempFolder();
        var secret = Enumerable.Repeat((byte)0x5A, 16).ToArray();
        File.WriteAllBytes(temp.File("secret.bin"), secret);
        Directory.CreateDirectory(temp.File("model"));
        File.WriteAllBytes(temp.File("model/real.bin"), new byte[16]);
        File.WriteAllBytes(temp.File("model/w.bin"), new byte[16]);
        var model = TestModels.AddWeight(4);
        new ExternalDataReference("w.bin", 0, 16, null).WriteTo(model.Graph.Initializer[0]);
        var loaded = OnnxModelReader.Load(TestModels.Write(model, temp.File("model/m.onnx")));

        // Counted, not timed: reads go on until enough of them overlapped enough swaps, however little CPU a loaded machine
        // gives either thread (a fixed 3 s window could hold a handful of each); the wall-clock cap only ends a stalled run.
        using var stop = new CancellationTokenSource();
        var swaps = 0;
        var swapper = Task.Run(() =>
        {
            // Flip w.bin between a regular file and a link to the outside file, as fast as the file system allows.
            var link = temp.File("model/w.link");
            var copy = temp.File("model/w.copy");
            while (!stop.IsCancellationRequested)
            {
                File.Delete(link);
                File.CreateSymbolicLink(link, temp.File("secret.bin"));
                File.Move(link, temp.File("model/w.bin"), overwrite: true);
                File.Copy(temp.File("model/real.bin"), copy, overwrite: true);
                File.Move(copy, temp.File("model/w.bin"), overwrite: true);
                Interlocked.Increment(ref swaps);
            }
        });

        var reads = 0;
        var refused = 0;
        var cap = System.Diagnostics.Stopwatch.StartNew();
        while ((reads + refused < 2000 || Volatile.Read(ref swaps) < 200) && !swapper.IsCompleted && cap.Elapsed < TimeSpan.FromMinutes(2))
        {
            try
            {
                var bytes = TensorData.ReadRawBytes(loaded.Graph.Initializer[0], loaded);
                Assert.NotEqual(secret, bytes);
                reads++;
            }
            catch (CompressBuildException e) when (e.Code == DiagnosticCodes.ExternalDataOutsideModelFolder || e.Code == DiagnosticCodes.ExternalDataMissing)
            {
                refused++;
            }
        }

        await stop.CancelAsync();
        await swapper;
        Assert.True(reads + refused >= 2000 && swaps >= 200, $"only {reads + refused} reads against {swaps} swaps ran");
    }

    [Fact]
    public async Task A_fifo_as_external_data_is_CB2017_without_blocking()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("model"));
        SpecialFiles.Mkfifo(temp.File("model/w.bin"));
        var model = TestModels.AddWeight(4);
        new ExternalDataReference("w.bin", 0, 16, null).WriteTo(model.Graph.Initializer[0]);
        var loaded = OnnxModelReader.Load(TestModels.Write(model, temp.File("model/m.onnx")));

        var read = Task.Run(() => Assert.Throws<CompressBuildException>(() => TensorData.ReadRawBytes(loaded.Graph.Initializer[0], loaded)));

        // An open of a FIFO with no writer never returns, so any bound tells the refusal from a hang; a generous one leaves a loaded machine's thread pool time.
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(60))));
        Assert.Equal(DiagnosticCodes.InputNotRegularFile, (await read).Code);
    }
}
