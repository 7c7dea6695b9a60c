using System.CommandLine;
using CompressBuild.Engine.Diagnostics;
using CompressBuild.Engine.Runtime;
using CompressBuild.Tool.Commands;
using CompressBuild.Tool.Rendering;

namespace CompressBuild.Tool;

/// <summary>
/// The <c>dotnet compress</c> command line: parses, runs one command, and turns every failure into a one-line
/// diagnostic and a named exit code. A user mistake never shows a stack trace.
/// </summary>
internal static class CompressCli
{
    public static readonly Option<string?> OnnxRuntimeOption = new("--onnxruntime")
    {
        Description = $"Path of the ONNX Runtime library (or its folder) to use instead of the bundled one; also read from {OnnxRuntimeLibrary.EnvironmentVariable}.",
        Recursive = true,
    };

    public static readonly Option<string?> ExecutionProviderOption = CreateExecutionProviderOption();

    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("dotnet compress: prune, quantize and verify ONNX models against accuracy, latency and size budgets.");
        root.Options.Add(OnnxRuntimeOption);
        root.Options.Add(ExecutionProviderOption);
        root.Subcommands.Add(InspectCommand.Create(context));
        root.Subcommands.Add(ConvertCommand.Create(context));
        root.Subcommands.Add(BenchCommand.Create(context));
        root.Subcommands.Add(InitCommand.Create(context));
        root.Subcommands.Add(RunCommand.Create(context));
        root.Subcommands.Add(PruneCommand.Create(context));
        root.Subcommands.Add(QuantizeCommand.Create(context));
        root.Subcommands.Add(VerifyCommand.Create(context));
        root.Subcommands.Add(CacheCommand.Create(context));
        return root;
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var context = new CliContext(stdout, stderr, ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected);
        var parse = Build(context).Parse(args);
        var json = args.Contains("--json", StringComparer.Ordinal);
        if (parse.Errors.Count > 0 && WantsJsonLines(args))
        {
            // The MSBuild task reads only JSON lines; an argument error must reach it as one, not as stray text.
            var lines = new JsonLinesWriter(stdout);
            foreach (var error in parse.Errors)
            {
                lines.Diagnostic(new DiagnosticLine(DiagnosticLine.Error, DiagnosticCodes.ArgumentInvalid.Id, error.Message));
            }

            lines.Result(ExitCodes.InvalidInput);
            return ExitCodes.InvalidInput;
        }

        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"error {DiagnosticCodes.ArgumentInvalid}: {error.Message}");
            }

            stderr.WriteLine("Run 'dotnet compress --help' for usage.");
            return ExitCodes.InvalidInput;
        }

        try
        {
            if (parse.GetValue(OnnxRuntimeOption) is { } runtimePath)
            {
                OnnxRuntimeLibrary.Configure(runtimePath);
            }

            if (parse.GetValue(ExecutionProviderOption) is { } providerName && ExecutionProviders.TryParse(providerName, out var provider))
            {
                RuntimeDefaults.ChooseOnCommandLine(provider);
            }

            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (CompressBuildException e)
        {
            return Report(context, json, e);
        }
        catch (OrtException e)
        {
            return Report(context, json, new CompressBuildException(DiagnosticCodes.RuntimeFailed, $"ONNX Runtime failed ({e.ErrorCode}): {e.Message}", inner: e));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The operating system's message names the path (permission denied, a file where a folder should be, disk full).
            return Report(context, json, new CompressBuildException(DiagnosticCodes.FileAccessFailed, e.Message, inner: e));
        }
        catch (Exception e)
        {
            stderr.WriteLine($"error: unexpected failure ({e.GetType().Name}): {e.Message}");
            if (Environment.GetEnvironmentVariable("COMPRESSBUILD_DEBUG") is { Length: > 0 })
            {
                stderr.WriteLine(e);
            }
            else
            {
                stderr.WriteLine("This is a bug in CompressBuild; set COMPRESSBUILD_DEBUG=1 for the stack trace and report it.");
            }

            return ExitCodes.UnexpectedFailure;
        }
    }

    private static Option<string?> CreateExecutionProviderOption()
    {
        var option = new Option<string?>("--execution-provider")
        {
            Description = "Where ONNX Runtime runs verification, calibration and bench: " + string.Join(", ", ExecutionProviders.Names) +
                " (default cpu, or compress.yaml's runtime.execution_provider). The loaded library must have it (CB3020 names the package that does).",
            HelpName = "PROVIDER",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong([.. ExecutionProviders.Names]);
        return option;
    }

    /// <summary>Whether the arguments ask for json-lines, read from the raw tokens because parsing itself failed.</summary>
    private static bool WantsJsonLines(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--message-format=json-lines" || (args[i] == "--message-format" && i + 1 < args.Length && args[i + 1] == "json-lines"))
            {
                return true;
            }
        }

        return false;
    }

    private static int Report(CliContext context, bool json, CompressBuildException e)
    {
        context.Error.WriteLine(e.ToCanonicalString());
        if (json)
        {
            JsonOutput.Write(context.Out, new { error = new { code = e.Code.Id, file = e.File, line = e.Line, column = e.Column, message = e.Message } });
        }

        return e.Code.ExitCode;
    }
}
