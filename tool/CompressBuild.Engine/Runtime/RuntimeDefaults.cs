namespace CompressBuild.Engine.Runtime;

/// <summary>
/// Process-wide runtime choices made once, before any session opens (--execution-provider on the command line,
/// else compress.yaml's runtime section), so every session the engine creates deep inside calibration, verification
/// or search runs where the user asked without each call site passing it along. A session's own
/// <see cref="SessionSettings.ExecutionProvider"/> wins.
/// </summary>
public static class RuntimeDefaults
{
    private static volatile int provider;
    private static volatile bool chosenOnCommandLine;

    public static ExecutionProvider ExecutionProvider
    {
        get => (ExecutionProvider)provider;
        set => provider = (int)value;
    }

    /// <summary>True once the command line chose a provider: a config's runtime section then does not override it.</summary>
    public static bool ChosenOnCommandLine => chosenOnCommandLine;

    public static void ChooseOnCommandLine(ExecutionProvider value)
    {
        ExecutionProvider = value;
        chosenOnCommandLine = true;
    }

    /// <summary>A config's choice, applied unless the command line made one.</summary>
    public static void ChooseFromConfig(ExecutionProvider value)
    {
        if (!chosenOnCommandLine)
        {
            ExecutionProvider = value;
        }
    }
}
