using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Quantization;

/// <summary>
/// Run-time switches in a quantized model: one bool mask input, one entry per switch, and for each switched value a
/// <c>Where(flag, on, off)</c> its readers read instead. One ONNX Runtime session then measures any mix of the switches'
/// settings (<see cref="Mixed.ActivationSwitches"/>: activations left float; <see cref="Calibration.RangeSwitches"/>:
/// activations on an alternative range), where a model per mix would cost a session each.
/// </summary>
internal static class RunTimeSwitches
{
    /// <summary>A Gather of switch <paramref name="index"/> from the mask: the flag the <see cref="Redirect"/>s of one switch share.</summary>
    public static string Flag(GraphEditor editor, string maskInput, string value, int index)
    {
        var position = editor.AddInitializer<long>(value + "_switch_index", [], [index]);
        var flag = editor.UniqueName(value + "_switch");
        editor.AddNode("Gather", [maskInput, position], [flag], flag);
        return flag;
    }

    /// <summary>Every reader of <paramref name="off"/> (in <paramref name="index"/>, built before the switches) reads <c>Where(flag, on, off)</c>.</summary>
    public static void Redirect(GraphEditor editor, GraphIndex index, string flag, string on, string off)
    {
        var readers = index.Consumers(off).ToList();
        var chosen = editor.UniqueName(off + "_switched");
        editor.AddNode("Where", [flag, on, off], [chosen], chosen);
        foreach (var reader in readers)
        {
            for (var i = 0; i < reader.Input.Count; i++)
            {
                if (reader.Input[i] == off)
                {
                    reader.Input[i] = chosen;
                }
            }
        }
    }

    /// <summary>Declares the mask input, a bool vector of <paramref name="count"/> switches.</summary>
    public static void DeclareMask(GraphProto graph, string maskInput, int count)
    {
        var mask = new ValueInfoProto { Name = maskInput, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Bool } } };
        mask.Type.TensorType.Shape = new TensorShapeProto();
        mask.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = count });
        graph.Input.Add(mask);
    }

    /// <summary>The mask input with the switches in <paramref name="on"/> set.</summary>
    public static Runtime.HostTensor Mask(string maskInput, int count, IEnumerable<int> on)
    {
        var bytes = new byte[count];
        foreach (var i in on)
        {
            bytes[i] = 1;
        }

        return Runtime.HostTensor.FromBytes(maskInput, (int)TensorProto.Types.DataType.Bool, [count], bytes);
    }
}
