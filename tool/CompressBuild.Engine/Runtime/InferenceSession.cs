using System.Runtime.InteropServices;
using System.Text;
using CompressBuild.Engine.Onnx.Proto;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// An ONNX Runtime inference session. Inputs and outputs are <see cref="HostTensor"/>s; <see cref="Run"/> lets ORT
/// allocate the outputs and copies them out, <see cref="Bind"/> prepares a run whose outputs ORT writes straight
/// into caller-provided tensors (the form latency measurements use: nothing is allocated per call).
/// </summary>
public sealed unsafe class InferenceSession : IDisposable
{
    private readonly OrtHandle session;
    private readonly Dictionary<string, nint> namePointers = new(StringComparer.Ordinal);

    private InferenceSession(OrtHandle session)
    {
        this.session = session;
        Inputs = ReadValueInfos(OrtApiSlot.SessionGetInputCount, OrtApiSlot.SessionGetInputName, OrtApiSlot.SessionGetInputTypeInfo);
        Outputs = ReadValueInfos(OrtApiSlot.SessionGetOutputCount, OrtApiSlot.SessionGetOutputName, OrtApiSlot.SessionGetOutputTypeInfo);
    }

    ~InferenceSession() => FreeNames();

    public IReadOnlyList<ValueInfo> Inputs { get; }

    public IReadOnlyList<ValueInfo> Outputs { get; }

    public static string RuntimeVersion => OrtApi.Instance.Version;

    public static string RuntimeLibraryPath => OrtApi.Instance.LibraryPath;

    public static InferenceSession Create(string modelPath, SessionSettings? settings = null)
    {
        var api = OrtApi.Instance;
        using var options = CreateOptions(settings ?? SessionSettings.Default);
        nint handle;
        var path = NativePath(Path.GetFullPath(modelPath));
        try
        {
            api.Check(((delegate* unmanaged<nint, nint, nint, nint*, nint>)api.Slot(OrtApiSlot.CreateSession))(api.Env, path, options.DangerousGetHandle(), &handle));
        }
        finally
        {
            Marshal.FreeHGlobal(path);
        }

        return new InferenceSession(new OrtHandle(handle, OrtHandleKind.Session));
    }

    /// <summary>A session from model bytes; the model must be self-contained (no external data).</summary>
    public static InferenceSession Create(ReadOnlySpan<byte> model, SessionSettings? settings = null)
    {
        var api = OrtApi.Instance;
        using var options = CreateOptions(settings ?? SessionSettings.Default);
        nint handle;
        fixed (byte* data = model)
        {
            api.Check(((delegate* unmanaged<nint, byte*, nuint, nint, nint*, nint>)api.Slot(OrtApiSlot.CreateSessionFromArray))(api.Env, data, (nuint)model.Length, options.DangerousGetHandle(), &handle));
        }

        return new InferenceSession(new OrtHandle(handle, OrtHandleKind.Session));
    }

    /// <summary>Runs the model; ORT allocates the outputs, which are copied into new tensors.</summary>
    public IReadOnlyList<HostTensor> Run(IReadOnlyList<HostTensor> inputs, IReadOnlyList<string>? outputNames = null)
    {
        var names = outputNames ?? Outputs.Select(o => o.Name).ToList();
        var inputValues = OrtValues.CreateAll(inputs);
        var outputValues = new nint[names.Count];
        try
        {
            Invoke(inputs, inputValues, names, outputValues);
            var results = new HostTensor[names.Count];
            for (var i = 0; i < names.Count; i++)
            {
                results[i] = OrtValues.ToHostTensor(outputValues[i], names[i]);
            }

            return results;
        }
        finally
        {
            OrtValues.ReleaseAll(inputValues);
            OrtValues.ReleaseAll(outputValues);
        }
    }

    /// <summary>Prepares repeated runs over fixed tensors: ORT reads the inputs and writes the outputs in place.</summary>
    public BoundRun Bind(IReadOnlyList<HostTensor> inputs, IReadOnlyList<HostTensor> outputs) => new(this, inputs, outputs);

    public void Dispose()
    {
        session.Dispose();
        FreeNames();
        GC.SuppressFinalize(this);
    }

    internal void Invoke(IReadOnlyList<HostTensor> inputs, nint[] inputValues, IReadOnlyList<string> outputNames, nint[] outputValues)
    {
        var api = OrtApi.Instance;
        var inputNames = stackalloc nint[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            inputNames[i] = NamePointer(inputs[i].Name);
        }

        var outputNamePointers = stackalloc nint[outputNames.Count];
        for (var i = 0; i < outputNames.Count; i++)
        {
            outputNamePointers[i] = NamePointer(outputNames[i]);
        }

        var handle = session.DangerousGetHandle();
        fixed (nint* inputPointers = inputValues)
        fixed (nint* outputPointers = outputValues)
        {
            api.Check(((delegate* unmanaged<nint, nint, nint*, nint*, nuint, nint*, nuint, nint*, nint>)api.Slot(OrtApiSlot.Run))(
                handle, 0, inputNames, inputPointers, (nuint)inputs.Count, outputNamePointers, (nuint)outputNames.Count, outputPointers));
        }

        GC.KeepAlive(this);
    }

    private nint NamePointer(string name)
    {
        lock (namePointers)
        {
            if (!namePointers.TryGetValue(name, out var pointer))
            {
                namePointers[name] = pointer = Marshal.StringToCoTaskMemUTF8(name);
            }

            return pointer;
        }
    }

    private void FreeNames()
    {
        lock (namePointers)
        {
            foreach (var pointer in namePointers.Values)
            {
                Marshal.FreeCoTaskMem(pointer);
            }

            namePointers.Clear();
        }
    }

    private static OrtHandle CreateOptions(SessionSettings settings)
    {
        settings.Validate();
        var api = OrtApi.Instance;
        nint handle;
        api.Check(((delegate* unmanaged<nint*, nint>)api.Slot(OrtApiSlot.CreateSessionOptions))(&handle));
        var options = new OrtHandle(handle, OrtHandleKind.SessionOptions);
        try
        {
            api.Check(((delegate* unmanaged<nint, int, nint>)api.Slot(OrtApiSlot.SetSessionGraphOptimizationLevel))(handle, (int)settings.OptimizationLevel));
            if (settings.IntraOpThreads > 0)
            {
                api.Check(((delegate* unmanaged<nint, int, nint>)api.Slot(OrtApiSlot.SetIntraOpNumThreads))(handle, settings.IntraOpThreads));
            }

            if (settings.InterOpThreads > 0)
            {
                api.Check(((delegate* unmanaged<nint, int, nint>)api.Slot(OrtApiSlot.SetInterOpNumThreads))(handle, settings.InterOpThreads));
            }

            if (settings.OptimizedModelPath is { } optimizedPath)
            {
                var path = NativePath(Path.GetFullPath(optimizedPath));
                try
                {
                    api.Check(((delegate* unmanaged<nint, nint, nint>)api.Slot(OrtApiSlot.SetOptimizedModelFilePath))(handle, path));
                }
                finally
                {
                    Marshal.FreeHGlobal(path);
                }
            }

            foreach (var (name, value) in settings.FreeDimensions.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var dimName = Marshal.StringToCoTaskMemUTF8(name);
                try
                {
                    api.Check(((delegate* unmanaged<nint, nint, long, nint>)api.Slot(OrtApiSlot.AddFreeDimensionOverrideByName))(handle, dimName, value));
                }
                finally
                {
                    Marshal.FreeCoTaskMem(dimName);
                }
            }
        }
        catch
        {
            options.Dispose();
            throw;
        }

        return options;
    }

    /// <summary>ORTCHAR_T: UTF-16 wchar_t on Windows, UTF-8 char elsewhere.</summary>
    private static nint NativePath(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return Marshal.StringToHGlobalUni(path);
        }

        var bytes = Encoding.UTF8.GetBytes(path + '\0');
        var pointer = Marshal.AllocHGlobal(bytes.Length);
        Marshal.Copy(bytes, 0, pointer, bytes.Length);
        return pointer;
    }

    private List<ValueInfo> ReadValueInfos(int countSlot, int nameSlot, int typeInfoSlot)
    {
        var api = OrtApi.Instance;
        var handle = session.DangerousGetHandle();
        nuint count;
        api.Check(((delegate* unmanaged<nint, nuint*, nint>)api.Slot(countSlot))(handle, &count));
        var infos = new List<ValueInfo>((int)count);
        for (nuint i = 0; i < count; i++)
        {
            nint namePointer;
            api.Check(((delegate* unmanaged<nint, nuint, nint, nint*, nint>)api.Slot(nameSlot))(handle, i, api.DefaultAllocator, &namePointer));
            string name;
            try
            {
                name = Marshal.PtrToStringUTF8(namePointer) ?? "";
            }
            finally
            {
                api.FreeWithDefaultAllocator(namePointer);
            }

            nint typeInfo;
            api.Check(((delegate* unmanaged<nint, nuint, nint*, nint>)api.Slot(typeInfoSlot))(handle, i, &typeInfo));
            using var owned = new OrtHandle(typeInfo, OrtHandleKind.TypeInfo);
            infos.Add(OrtValues.DescribeTypeInfo(name, typeInfo));
        }

        return infos;
    }
}
