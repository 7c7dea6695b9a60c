namespace CompressBuild.Engine.Diagnostics;

/// <summary>Every diagnostic code the engine raises. Each one is documented, with its fix, in the README.</summary>
public static class DiagnosticCodes
{
    // CB1001-CB1099: budget misses and regressions found by verification (issue 5).
    public static readonly DiagnosticCode AccuracyDropExceeded = new(1001);
    public static readonly DiagnosticCode SpeedupBelowBudget = new(1002);
    public static readonly DiagnosticCode SizeBudgetMissed = new(1003);
    public static readonly DiagnosticCode LatencyBudgetMissed = new(1004);
    public static readonly DiagnosticCode BaselineRegression = new(1005);
    public static readonly DiagnosticCode FidelityBelowBudget = new(1006);

    // CB2xxx: invalid input.
    public static readonly DiagnosticCode ModelNotFound = new(2001);
    public static readonly DiagnosticCode ModelCorrupt = new(2002);
    public static readonly DiagnosticCode ModelEmpty = new(2003);
    public static readonly DiagnosticCode ExternalDataOutsideModelFolder = new(2004);
    public static readonly DiagnosticCode ExternalDataMissing = new(2005);
    public static readonly DiagnosticCode ExternalDataChecksumMismatch = new(2006);
    public static readonly DiagnosticCode TensorInvalid = new(2007);
    public static readonly DiagnosticCode ModelRejectedByRuntime = new(2008);
    public static readonly DiagnosticCode OutputPathInvalid = new(2009);
    public static readonly DiagnosticCode DataInvalid = new(2010);
    public static readonly DiagnosticCode DataDoesNotMatchModel = new(2011);
    public static readonly DiagnosticCode ArgumentInvalid = new(2012);
    public static readonly DiagnosticCode FileAccessFailed = new(2013);
    public static readonly DiagnosticCode ModelsDoNotMatch = new(2014);

    // CB2060-CB2079: invalid verification input (issue 5).
    public static readonly DiagnosticCode BudgetInvalid = new(2060);
    public static readonly DiagnosticCode BaselineInvalid = new(2061);
    public static readonly DiagnosticCode BatchNotSupported = new(2062);
    public static readonly DiagnosticCode LabelsRequired = new(2063);

    // CB3xxx: environment.
    public static readonly DiagnosticCode RuntimeNotFound = new(3001);
    public static readonly DiagnosticCode RuntimeFetchFailed = new(3002);
    public static readonly DiagnosticCode RuntimeIntegrityFailed = new(3003);
    public static readonly DiagnosticCode RuntimeFailed = new(3004);

    // CB4xxx: advisories.
    public static readonly DiagnosticCode ExternalDataForcedBySize = new(4001);

    // CB4050-CB4069: verification advisories (issue 5).
    public static readonly DiagnosticCode AbsoluteLatencyNotEnforced = new(4050);
    public static readonly DiagnosticCode SpeedupIntervalWide = new(4051);
    public static readonly DiagnosticCode BaselineFromOtherMachine = new(4052);
    public static readonly DiagnosticCode BaselineNotFound = new(4053);
    public static readonly DiagnosticCode NoClassificationOutput = new(4054);
    public static readonly DiagnosticCode FidelityBudgetUnchecked = new(4055);
}
