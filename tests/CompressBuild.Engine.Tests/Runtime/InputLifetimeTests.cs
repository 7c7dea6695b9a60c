using System.Runtime.CompilerServices;
using CompressBuild.Engine.Onnx.Proto;
using CompressBuild.Engine.Runtime;
using Google.Protobuf;
using Xunit;

namespace CompressBuild.Engine.Tests.Runtime;

/// <summary>
/// The OrtValues of a run hold only raw pointers into the inputs' pinned arrays. A caller that passes a sample it keeps no reference to
/// (CalibrationCollector reads each one for a single call) must still have it read intact while a GC on another thread reclaims garbage:
/// otherwise ORT reads memory the GC has handed to new arrays (here filled with NaN), the cause of a calibration flake under parallel tests.
/// </summary>
public sealed class InputLifetimeTests
{
    private const int Width = 1 << 16;
    private const long Steps = 100;

    [Fact]
    public void An_input_the_caller_drops_is_read_intact_while_other_threads_collect_garbage()
    {
        using var session = InferenceSession.Create(LoopModel().ToByteArray(), new SessionSettings { IntraOpThreads = 1 });
        using var stop = new CancellationTokenSource();
        var churn = new Thread(() => Churn(stop.Token)) { IsBackground = true };
        churn.Start();
        var wrong = 0;
        try
        {
            for (var run = 0; run < 1000; run++)
            {
                wrong += RunOnce(session);
            }
        }
        finally
        {
            stop.Cancel();
            churn.Join();
        }

        Assert.Equal(0, wrong);
    }

    /// <summary>
    /// One run on a fresh sample that no frame references once it is passed on; called often enough that the JIT optimizes it and
    /// RunObserved (unoptimized code keeps every local alive to the end of the method, which hides the bug).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int RunOnce(InferenceSession session)
    {
        var wrong = 0;
        session.RunObserved([HostTensor.FromArray<float>("x", [Width], Enumerable.Repeat(1f, Width).ToArray())], ["sum"],
            (_, values) => wrong += values.Count(Steps) == values.Length ? 0 : 1);
        return wrong;
    }

    /// <summary>Pinned arrays of the input's size, filled with NaN, and full collections: freed input memory is soon reused and overwritten.</summary>
    private static void Churn(CancellationToken stop)
    {
        var keep = new float[4][];
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var array = GC.AllocateArray<float>(Width, pinned: true);
            array.AsSpan().Fill(float.NaN);
            keep[n % keep.Length] = array;
            if (n % 8 == 0)
            {
                GC.Collect();
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>sum = x added <see cref="Steps"/> times in a Loop, so ORT reads x until the end of the run, not only at its start.</summary>
    private static ModelProto LoopModel()
    {
        var floatType = (int)TensorProto.Types.DataType.Float;
        TypeProto Tensor(int type, params long[] dims)
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
            return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = type, Shape = shape } };
        }

        var body = new GraphProto { Name = "body" };
        body.Input.Add(new ValueInfoProto { Name = "i", Type = Tensor((int)TensorProto.Types.DataType.Int64) });
        body.Input.Add(new ValueInfoProto { Name = "cond", Type = Tensor((int)TensorProto.Types.DataType.Bool) });
        body.Input.Add(new ValueInfoProto { Name = "acc", Type = Tensor(floatType, Width) });
        body.Node.Add(new NodeProto { OpType = "Identity", Name = "keep_going", Input = { "cond" }, Output = { "cond_out" } });
        body.Node.Add(new NodeProto { OpType = "Add", Name = "add", Input = { "acc", "x" }, Output = { "acc_out" } });
        body.Output.Add(new ValueInfoProto { Name = "cond_out", Type = Tensor((int)TensorProto.Types.DataType.Bool) });
        body.Output.Add(new ValueInfoProto { Name = "acc_out", Type = Tensor(floatType, Width) });

        var graph = new GraphProto { Name = "loop" };
        graph.Input.Add(new ValueInfoProto { Name = "x", Type = Tensor(floatType, Width) });
        graph.Output.Add(new ValueInfoProto { Name = "sum", Type = Tensor(floatType, Width) });
        graph.Initializer.Add(new TensorProto { Name = "steps", DataType = (int)TensorProto.Types.DataType.Int64, Int64Data = { Steps } });
        graph.Initializer.Add(new TensorProto { Name = "go", DataType = (int)TensorProto.Types.DataType.Bool, Int32Data = { 1 } });
        var zeros = new TensorProto { Name = "zeros", DataType = floatType, Dims = { Width }, RawData = ByteString.CopyFrom(new byte[Width * 4]) };
        graph.Initializer.Add(zeros);
        var loop = new NodeProto { OpType = "Loop", Name = "repeat", Input = { "steps", "go", "zeros" }, Output = { "sum" } };
        loop.Attribute.Add(new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        graph.Node.Add(loop);
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model;
    }
}
