using System.CommandLine;
using CompressBuild.Engine.IO;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Onnx;
using CompressBuild.Engine.Pipeline.Config;
using CompressBuild.Engine.Reporting;

namespace CompressBuild.Tool.Commands;

/// <summary><c>dotnet compress init</c>: a commented starter compress.yaml (and its JSON Schema) for a model.</summary>
internal static class InitCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string?>("--model") { Description = "The .onnx model; default: the only .onnx file in the current folder." };
        var output = new Option<string>("--output", "-o") { Description = "The file to write.", DefaultValueFactory = _ => CompressConfigLoader.DefaultFileName };
        var calibration = new Option<string?>("--calibration-data") { Description = "Calibration samples; with them the starter quantizes int8-static." };
        var data = new Option<string?>("--data") { Description = "Evaluation samples the result is verified on." };
        var labels = new Option<string?>("--labels") { Description = "Labels of the evaluation samples (adds an accuracy budget)." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file." };
        var command = new Command("init", "Write a commented starter compress.yaml for a model, with passes and budgets that suit it.")
        {
            model, output, calibration, data, labels, force,
        };
        command.SetAction(parse => Run(context, new InitOptions(
            parse.GetValue(model), parse.GetRequiredValue(output), parse.GetValue(calibration), parse.GetValue(data), parse.GetValue(labels), parse.GetValue(force))));
        return command;
    }

    public static int Run(CliContext context, InitOptions options)
    {
        var configPath = Path.GetFullPath(options.Output);
        var folder = Path.GetDirectoryName(configPath)!;
        if (File.Exists(configPath) && !options.Force)
        {
            throw new CompressBuildException(DiagnosticCodes.OutputExists, "already exists; pass --force to overwrite it.", options.Output);
        }

        if (options.Data is null)
        {
            // run verifies every compressed model on real inputs and refuses a config without them (CB2104).
            throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid,
                "init needs evaluation data, because run verifies the compressed model on real inputs and refuses a config without them: pass " +
                    "--data <samples> (.npy stacked on the first axis, .npz, or test_data_set_N folders), and --labels <file> for an accuracy budget.");
        }

        var modelPath = options.Model ?? FindModel();
        var model = OnnxModelReader.Load(modelPath);
        string? Relative(string? path)
        {
            if (path is null)
            {
                return null;
            }

            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new CompressBuildException(DiagnosticCodes.DataInvalid, "data file or folder not found.", path);
            }

            return Path.GetRelativePath(folder, Path.GetFullPath(path));
        }

        var schemaTarget = Path.Combine(folder, ConfigJsonSchema.FileName);
        var yaml = ConfigTemplate.Create(model, new ConfigTemplateRequest(
            Relative(modelPath)!, Relative(options.CalibrationData), Relative(options.Data), Relative(options.Labels), ConfigJsonSchema.FileName));

        TextFile.Write(configPath, yaml);
        var wroteSchema = !File.Exists(schemaTarget);
        if (wroteSchema)
        {
            TextFile.Write(schemaTarget, ConfigJsonSchema.Generate());
        }

        context.Out.WriteLine($"Wrote {options.Output}{(wroteSchema ? $" and {ConfigJsonSchema.FileName}" : "")} for {modelPath}.");
        context.Out.WriteLine("Next: review the passes and budgets, then run `dotnet compress run`.");
        return ExitCodes.Ok;
    }

    private static string FindModel()
    {
        var models = Directory.GetFiles(Environment.CurrentDirectory, "*.onnx").Order(StringComparer.Ordinal).ToList();
        return models.Count == 1 ? models[0] : throw new CompressBuildException(DiagnosticCodes.ArgumentInvalid, models.Count == 0
            ? "no .onnx file in the current folder; pass --model <path>."
            : $"several .onnx files in the current folder ({string.Join(", ", models.Select(Path.GetFileName))}); pass --model <path>.");
    }
}
