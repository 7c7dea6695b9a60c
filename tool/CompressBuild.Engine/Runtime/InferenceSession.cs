using CompressBuild.Engine.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Ort = Microsoft.ML.OnnxRuntime;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// An ONNX Runtime inference session (Microsoft.ML.OnnxRuntime's, with our settings, errors and tensors). Inputs
/// and outputs are <see cref="HostTensor"/>s; <see cref="Run"/> lets ORT allocate the outputs and copies them out,
/// <see cref="Bind"/> prepares an I/O binding whose outputs ORT writes straight into caller-provided tensors (the
/// form latency measurements use: nothing is allocated per call).
/// </summary>
public sealed class InferenceSession : IDisposable
{
    private readonly Ort.InferenceSession session;
    private readonly RunOptions runOptions = new();

    private InferenceSession(Ort.InferenceSession session, ExecutionProvider provider)
    {
        this.session = session;
        ExecutionProvider = provider;
        Inputs = session.InputNames.Select(n => OrtValues.Describe(n, session.InputMetadata[n])).ToList();
        Outputs = session.OutputNames.Select(n => OrtValues.Describe(n, session.OutputMetadata[n])).ToList();
    }

    public IReadOnlyList<ValueInfo> Inputs { get; }

    public IReadOnlyList<ValueInfo> Outputs { get; }

    /// <summary>Where this session runs.</summary>
    public ExecutionProvider ExecutionProvider { get; }

    public static string RuntimeVersion => OrtRuntime.Version;

    public static string RuntimeLibraryPath => OnnxRuntimeLibrary.LoadedPath;

    /// <summary>The version and the process's execution provider, e.g. "1.31.1 (cpu)", as reports and baselines record it.</summary>
    public static string RuntimeDescription => $"{RuntimeVersion} ({ExecutionProviders.Describe(RuntimeDefaults.ExecutionProvider).Name})";

    public static InferenceSession Create(string modelPath, SessionSettings? settings = null)
    {
        var path = Path.GetFullPath(modelPath);
        return Open(settings ?? SessionSettings.Default, options => new Ort.InferenceSession(path, options));
    }

    /// <summary>A session from model bytes; the model must be self-contained (no external data).</summary>
    public static InferenceSession Create(byte[] model, SessionSettings? settings = null) =>
        Open(settings ?? SessionSettings.Default, options => new Ort.InferenceSession(model, options));

    /// <summary>A session from model bytes; the model must be self-contained (no external data).</summary>
    public static InferenceSession Create(ReadOnlySpan<byte> model, SessionSettings? settings = null) => Create(model.ToArray(), settings);

    /// <summary>Runs the model; ORT allocates the outputs, which are copied into new tensors.</summary>
    public IReadOnlyList<HostTensor> Run(IReadOnlyList<HostTensor> inputs, IReadOnlyList<string>? outputNames = null) => Run(inputs, outputNames ?? session.OutputNames, reuse: null);

    /// <summary>
    /// Runs the model; each output is copied into the tensor at the same place in <paramref name="reuse"/> where its element type and shape
    /// match (the caller gives up that tensor's old values), else into a new one. Repeated runs over same-shaped samples then allocate nothing:
    /// on the PP-OCRv4 recognizer's reconstruction capture (22 MB of layer inputs a sample) the fresh pinned arrays took a quarter of the runs' time.
    /// </summary>
    public IReadOnlyList<HostTensor> Run(IReadOnlyList<HostTensor> inputs, IReadOnlyList<string> outputNames, IReadOnlyList<HostTensor>? reuse)
    {
        var names = outputNames;
        var inputValues = OrtValues.CreateAll(inputs);
        try
        {
            using var outputs = Call(() => session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), inputValues, names.ToArray()));
            var results = new HostTensor[names.Count];
            for (var i = 0; i < names.Count; i++)
            {
                results[i] = OrtValues.ToHostTensor(outputs[i], names[i], reuse is not null && i < reuse.Count ? reuse[i] : null);
            }

            return results;
        }
        finally
        {
            OrtValues.DisposeAll(inputValues);
            // The OrtValues hold only raw pointers into the inputs' pinned arrays: pinned objects never move, but they are still
            // collected once unreachable, and a GC on another thread during the native run would hand their memory to new arrays.
            GC.KeepAlive(inputs);
        }
    }

    /// <summary>
    /// Runs the model and hands each requested output, which must be float32, to <paramref name="observe"/> as a span over
    /// ONNX Runtime's own buffer: nothing is copied, and the arena reuses the memory on the next run. The span is valid only
    /// during the call.
    /// </summary>
    public void RunObserved(IReadOnlyList<HostTensor> inputs, IReadOnlyList<string> outputNames, Action<int, ReadOnlySpan<float>> observe)
    {
        ArgumentNullException.ThrowIfNull(observe);
        using var outputs = RunKept(inputs, outputNames);
        outputs.Observe(observe);
    }

    /// <summary>
    /// Runs the model and keeps the requested outputs in ONNX Runtime's buffers until the result is disposed: a caller can
    /// read one run's outputs on another thread while this session runs the next input (each run kept adds its outputs to memory, no copy).
    /// </summary>
    public ObservedOutputs RunKept(IReadOnlyList<HostTensor> inputs, IReadOnlyList<string> outputNames)
    {
        var inputNames = new string[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            inputNames[i] = inputs[i].Name;
        }

        var names = outputNames as string[] ?? [.. outputNames];
        var inputValues = OrtValues.CreateAll(inputs);
        try
        {
            return new ObservedOutputs(Call(() => session.Run(runOptions, inputNames, inputValues, names)), names);
        }
        finally
        {
            OrtValues.DisposeAll(inputValues);
            // As in Run: the caller may hold no other reference to the inputs (CalibrationCollector reads each sample for this call only).
            GC.KeepAlive(inputs);
        }
    }

    /// <summary>Prepares repeated runs over fixed tensors: ORT reads the inputs and writes the outputs in place.</summary>
    public BoundRun Bind(IReadOnlyList<HostTensor> inputs, IReadOnlyList<HostTensor> outputs) => new(this, inputs, outputs);

    /// <summary>Ends a profiling session (<see cref="SessionSettings.ProfilePrefix"/>) and returns the path of its JSON file.</summary>
    public string EndProfiling() => Call(() => session.EndProfiling());

    public void Dispose()
    {
        runOptions.Dispose();
        session.Dispose();
    }

    internal OrtIoBinding CreateBinding() => session.CreateIoBinding();

    internal void RunBound(OrtIoBinding binding) => Call(() => session.RunWithBinding(runOptions, binding));

    internal static T Call<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (OnnxRuntimeException e)
        {
            throw OrtErrors.Convert(e);
        }
    }

    internal static void Call(Action call)
    {
        try
        {
            call();
        }
        catch (OnnxRuntimeException e)
        {
            throw OrtErrors.Convert(e);
        }
    }

    private static InferenceSession Open(SessionSettings settings, Func<SessionOptions, Ort.InferenceSession> create)
    {
        _ = OrtRuntime.Environment;
        var provider = settings.EffectiveExecutionProvider;
        OrtRuntime.RequireProvider(provider);
        using var options = CreateOptions(settings, provider);
        return new InferenceSession(Call(() => create(options)), provider);
    }

    private static SessionOptions CreateOptions(SessionSettings settings, ExecutionProvider provider)
    {
        settings.Validate();
        var options = new SessionOptions();
        try
        {
            options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
            options.GraphOptimizationLevel = (Ort.GraphOptimizationLevel)(int)settings.OptimizationLevel;
            if (settings.IntraOpThreads > 0)
            {
                options.IntraOpNumThreads = settings.IntraOpThreads;
            }

            if (settings.InterOpThreads > 0)
            {
                options.InterOpNumThreads = settings.InterOpThreads;
            }

            if (settings.OptimizedModelPath is { } optimizedPath)
            {
                options.OptimizedModelFilePath = Path.GetFullPath(optimizedPath);
            }

            if (settings.ProfilePrefix is { } profilePrefix)
            {
                // The prefix must be set before profiling is enabled: enabling reads it.
                options.ProfileOutputPathPrefix = Path.GetFullPath(profilePrefix);
                options.EnableProfiling = true;
            }

            foreach (var (name, value) in settings.FreeDimensions.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                options.AddFreeDimensionOverrideByName(name, value);
            }

            try
            {
                ExecutionProviders.Append(options, provider);
            }
            catch (OnnxRuntimeException e)
            {
                // Listed but unusable: typically the GPU driver, CUDA/cuDNN or TensorRT libraries are missing.
                throw new CompressBuildException(DiagnosticCodes.ExecutionProviderFailed,
                    $"ONNX Runtime could not start the '{ExecutionProviders.Describe(provider).Name}' execution provider: {OrtErrors.Convert(e).Message}", inner: e);
            }
        }
        catch
        {
            options.Dispose();
            throw;
        }

        return options;
    }
}
