using CompressBuild.Engine.Runtime;

namespace CompressBuild.Engine.Pipeline.Config;

/// <summary>Applies compress.yaml's <c>runtime:</c> section; the command line's choices win over it.</summary>
public static class RuntimeSection
{
    /// <summary>Sets the process's execution provider from the config (unless the command line chose) and returns the threads to use.</summary>
    public static int Apply(CompressConfig config, int threads, bool threadsGiven)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Runtime?.Text("execution_provider") is { } name && ExecutionProviders.TryParse(name, out var provider))
        {
            RuntimeDefaults.ChooseFromConfig(provider);
        }

        return !threadsGiven && config.Runtime?.WholeNumber("threads") is { } fromConfig ? (int)fromConfig : threads;
    }
}
