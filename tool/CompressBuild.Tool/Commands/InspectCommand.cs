using System.CommandLine;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Inspection;
using CompressBuild.Engine.Onnx;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress inspect &lt;model&gt;</c>: what is in a model, without running it.</summary>
internal static class InspectCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "The .onnx model file." };
        var json = new Option<bool>("--json") { Description = "Write the report as JSON to stdout." };
        var command = new Command("inspect", "Show a model's IR version, opsets, inputs and outputs, operators, parameters by type, largest tensors, weight sparsity and external data.")
        {
            model,
            json,
        };
        command.SetAction(parse => Run(context, new InspectOptions(parse.GetRequiredValue(model), parse.GetValue(json))));
        return command;
    }

    public static int Run(CliContext context, InspectOptions options)
    {
        var report = ModelInspector.Inspect(OnnxModelReader.Load(options.Model));
        if (options.Json)
        {
            JsonOutput.Write(context.Out, report);
        }
        else
        {
            Write(context.Out, report);
        }

        return ExitCodes.Ok;
    }

    private static void Write(TextWriter o, ModelInspection r)
    {
        var size = r.ExternalDataBytes > 0 ? $"{Units.Bytes(r.FileBytes)} + {Units.Bytes(r.ExternalDataBytes)} external data" : Units.Bytes(r.FileBytes);
        o.WriteLine($"Model        {r.Path} ({size})");
        var producer = string.Join(" ", new[] { r.ProducerName, r.ProducerVersion }.Where(s => s.Length > 0));
        o.WriteLine($"IR version   {r.IrVersion}{(producer.Length > 0 ? $", produced by {producer}" : "")}{(r.ModelVersion != 0 ? $", model version {r.ModelVersion}" : "")}");
        o.WriteLine($"Opsets       {string.Join(", ", r.Opsets.Select(s => $"{s.Domain} {s.Version}"))}");
        o.WriteLine("Inputs");
        WriteValues(o, r.Inputs);
        o.WriteLine("Outputs");
        WriteValues(o, r.Outputs);
        var nested = r.SubgraphNodeCount > 0 ? $" + {r.SubgraphNodeCount} in subgraphs" : "";
        o.WriteLine($"Nodes        {r.NodeCount}{nested}: {string.Join(", ", r.OpTypes.Select(t => $"{t.OpType} {t.Count}"))}");
        o.WriteLine($"Parameters   {Units.Count(r.ParameterCount)} in {r.ParametersByType.Sum(t => t.Tensors)} tensors, {Units.Bytes(r.ParameterBytes)}");
        var byType = new TextTable("type", "tensors", "elements", "bytes");
        foreach (var t in r.ParametersByType)
        {
            byType.Add(t.DataType, t.Tensors, Units.Count(t.Elements), Units.Bytes(t.Bytes));
        }

        byType.WriteTo(o);
        o.WriteLine($"Weight zeros {Units.Percent(r.WeightZeroFraction)} of weight elements are exactly zero");
        o.WriteLine("Largest tensors");
        var largest = new TextTable("name", "type", "shape", "bytes", "zeros", "location");
        foreach (var t in r.LargestTensors)
        {
            largest.Add(t.Name, t.DataType, TensorShape.Format(t.Shape), Units.Bytes(t.Bytes), t.ZeroFraction is { } z ? Units.Percent(z) : "-", t.Location);
        }

        largest.WriteTo(o);
        if (r.ExternalFiles.Count == 0)
        {
            o.WriteLine("External data none");
            return;
        }

        o.WriteLine("External data");
        var files = new TextTable("file", "tensors", "referenced", "on disk");
        foreach (var f in r.ExternalFiles)
        {
            files.Add(f.Location, f.Tensors, Units.Bytes(f.ReferencedBytes), f.Bytes > 0 ? Units.Bytes(f.Bytes) : "missing");
        }

        files.WriteTo(o);
    }

    private static void WriteValues(TextWriter o, IReadOnlyList<ValueEntry> values)
    {
        var table = new TextTable();
        foreach (var v in values)
        {
            table.Add(v.Name, v.Type, v.Shape.Count > 0 ? "[" + string.Join(",", v.Shape) + "]" : "");
        }

        table.WriteTo(o);
    }
}
