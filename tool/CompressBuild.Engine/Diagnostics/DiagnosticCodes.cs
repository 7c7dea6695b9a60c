namespace CompressBuild.Engine.Diagnostics;

/// <summary>Every diagnostic code the engine raises. Each one is documented, with its fix, in the README.</summary>
public static class DiagnosticCodes
{
    // CB1001-CB1099: budget misses and regressions found by verification.
    public static readonly DiagnosticCode AccuracyDropExceeded = new(1001);
    public static readonly DiagnosticCode SpeedupBelowBudget = new(1002);
    public static readonly DiagnosticCode SizeBudgetMissed = new(1003);
    public static readonly DiagnosticCode LatencyBudgetMissed = new(1004);
    public static readonly DiagnosticCode BaselineRegression = new(1005);
    public static readonly DiagnosticCode FidelityBelowBudget = new(1006);

    // CB1010-CB1019: fidelity floors and broken outputs: errors no option turns into a pass.
    public static readonly DiagnosticCode OutputNotFinite = new(1010);
    public static readonly DiagnosticCode OutputCollapsed = new(1011);
    public static readonly DiagnosticCode FidelityFloorMissed = new(1012);
    public static readonly DiagnosticCode SearchTimedOut = new(1013);

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
    public static readonly DiagnosticCode OutputExists = new(2015);

    // CB2016-CB2019, CB22xx: hostile or degenerate input refused.
    public static readonly DiagnosticCode EvaluationDataEmpty = new(2016);
    public static readonly DiagnosticCode InputNotRegularFile = new(2017);
    public static readonly DiagnosticCode ThreadCountInvalid = new(2018);
    public static readonly DiagnosticCode DataTooLarge = new(2019);
    public static readonly DiagnosticCode OutputIsAnInput = new(2200);
    public static readonly DiagnosticCode OutputNotRegularFile = new(2201);
    public static readonly DiagnosticCode OutputPathEmpty = new(2202);
    public static readonly DiagnosticCode TensorShapeInvalid = new(2203);

    // CB21xx: compress.yaml.
    public static readonly DiagnosticCode ConfigUnknownKey = new(2101);
    public static readonly DiagnosticCode ConfigWrongType = new(2102);
    public static readonly DiagnosticCode ConfigInvalidValue = new(2103);
    public static readonly DiagnosticCode ConfigMissingKey = new(2104);
    public static readonly DiagnosticCode ConfigFileNotFound = new(2105);
    public static readonly DiagnosticCode ConfigSyntax = new(2106);
    public static readonly DiagnosticCode ConfigRefused = new(2107);
    public static readonly DiagnosticCode ModelFileNotInConfig = new(2108);

    // CB2040-CB2059: pruning input.
    public static readonly DiagnosticCode PruneSparsityOutOfRange = new(2040);
    public static readonly DiagnosticCode PrunePatternInvalid = new(2041);
    public static readonly DiagnosticCode PruneBlockInvalid = new(2042);
    public static readonly DiagnosticCode PruneOptionConflict = new(2043);
    // CB2044: exclude_nodes / exclude_op_types name something the model lacks, for every pass (Onnx.NodeExclusions).
    public static readonly DiagnosticCode ExclusionUnknown = new(2044);
    public static readonly DiagnosticCode ReconstructionNeedsCalibration = new(2045);
    // CB2053-CB2054: allocation latency's table file (latency_table).
    public static readonly DiagnosticCode LatencyTableInvalid = new(2053);
    public static readonly DiagnosticCode LatencyTableMismatch = new(2054);
    // CB2052 (retired): round_to auto no longer needs fixed input sizes; its timing only confirms the rule (CB4073 when it cannot run).

    // CB2020-CB2039: quantization input.
    public static readonly DiagnosticCode CalibrationDataRequired = new(2020);
    public static readonly DiagnosticCode QuantizationOptionInvalid = new(2021);
    public static readonly DiagnosticCode CalibrationDataEmpty = new(2022);
    public static readonly DiagnosticCode CalibrationValuesNotFinite = new(2023);
    // CB2024 is retired (quantization's own unknown-exclusion code, now CB2044 for every pass); never reuse it.

    // CB2030-CB2034: opset conversion input.
    public static readonly DiagnosticCode OpsetOpNotConvertible = new(2030);
    public static readonly DiagnosticCode OpsetTargetInvalid = new(2031);
    public static readonly DiagnosticCode OpsetSourceTooOld = new(2032);
    public static readonly DiagnosticCode OpsetConvertedModelRejected = new(2033);

    // CB2046-CB2049: budget values.
    public static readonly DiagnosticCode BudgetNotAFraction = new(2046);

    // CB2060-CB2079: invalid verification input.
    public static readonly DiagnosticCode BudgetInvalid = new(2060);
    public static readonly DiagnosticCode BaselineInvalid = new(2061);
    public static readonly DiagnosticCode BatchNotSupported = new(2062);
    public static readonly DiagnosticCode LabelsRequired = new(2063);

    // CB2064-CB2066: the ctc metric (a text recognizer's character accuracy).
    public static readonly DiagnosticCode CtcKeysInvalid = new(2064);
    public static readonly DiagnosticCode TextLabelsInvalid = new(2065);
    public static readonly DiagnosticCode CtcOutputNotFound = new(2066);

    // CB3xxx: environment.
    public static readonly DiagnosticCode RuntimeNotFound = new(3001);
    public static readonly DiagnosticCode RuntimeFailed = new(3004);

    // CB3020-CB3029: the ONNX Runtime native library and its execution providers.
    public static readonly DiagnosticCode ExecutionProviderUnavailable = new(3020);
    public static readonly DiagnosticCode ExecutionProviderFailed = new(3021);
    public static readonly DiagnosticCode BaselineFeedUnavailable = new(3006);
    public static readonly DiagnosticCode CacheUnavailable = new(3101);

    // CB3030-CB3039: cache configuration.
    public static readonly DiagnosticCode CacheSettingInvalid = new(3030);

    // CB4xxx: advisories.
    public static readonly DiagnosticCode ExternalDataForcedBySize = new(4001);
    public static readonly DiagnosticCode CacheEntryCorrupt = new(4101);

    // CB4102-CB4109: remote cache advisories (the build goes on with the local cache).
    public static readonly DiagnosticCode RemoteCacheUnavailable = new(4102);
    public static readonly DiagnosticCode RemoteCacheAccessDenied = new(4103);
    public static readonly DiagnosticCode RemoteCacheWriteRefused = new(4104);

    // CB4030-CB4049: pruning advisories.
    public static readonly DiagnosticCode PruneNothingPrunable = new(4030);
    public static readonly DiagnosticCode PruneNoRuntimeSpeedup = new(4031);
    public static readonly DiagnosticCode PruneChannelsProtected = new(4032);
    public static readonly DiagnosticCode PruneLayerEmptied = new(4033);
    public static readonly DiagnosticCode PruneImportanceFallback = new(4034);
    public static readonly DiagnosticCode PruneSubgraphLayers = new(4035);
    public static readonly DiagnosticCode PruneNmLayersDense = new(4047);
    // CB4072-CB4073: round_to auto's whole-model timing, which confirms the deterministic rule without changing the bytes.
    public static readonly DiagnosticCode RoundToTimingContradicts = new(4072);
    public static readonly DiagnosticCode RoundToNotTimed = new(4073);
    // CB4076: allocation latency could not time some channel groups' sub-models; they are costed by multiply-adds.
    public static readonly DiagnosticCode LatencyGroupsUntimed = new(4076);

    // CB4010-CB4029: quantization advisories.
    public static readonly DiagnosticCode OperatorLeftFloat = new(4010);
    public static readonly DiagnosticCode OpsetTooOldPerTensorFallback = new(4011);
    public static readonly DiagnosticCode NothingToQuantize = new(4012);
    public static readonly DiagnosticCode SpeedupUnlikely = new(4013);
    public static readonly DiagnosticCode TargetCosineNotMet = new(4014);
    public static readonly DiagnosticCode QuantizedNodeNotFused = new(4015);
    public static readonly DiagnosticCode QuantizedSlowerThanFloat = new(4016);
    public static readonly DiagnosticCode SubgraphNotCalibrated = new(4029);

    // CB4077-CB4078: recurrent state under int8-static.
    public static readonly DiagnosticCode RecurrentStateKeptFloat = new(4077);

    // CB4036-CB4037: mixed precision by activation Q/DQ pairs (mixed_units: activations).
    public static readonly DiagnosticCode ActivationsKeptFloat = new(4036);
    public static readonly DiagnosticCode ActivationsCutForSpeed = new(4037);

    // CB4038-CB4039: SmoothQuant (Quantization.Smoothing).
    public static readonly DiagnosticCode SmoothingFoundNothing = new(4038);

    // CB4017-CB4022: latency-aware quantization.
    public static readonly DiagnosticCode KeptFloatForSpeed = new(4017);
    public static readonly DiagnosticCode U8S8SaturationRemedy = new(4018);
    public static readonly DiagnosticCode ModeSlowerOnTarget = new(4019);
    public static readonly DiagnosticCode KeptFloatByPlacement = new(4020);

    // CB4023-CB4026: pre-processing advisories.
    public static readonly DiagnosticCode ShapeInferenceUnavailable = new(4023);
    public static readonly DiagnosticCode ConstantFoldingSkipped = new(4024);
    public static readonly DiagnosticCode BatchNormNotFolded = new(4025);

    // CB4046-CB4049: calibration and the fusion report in verification.
    public static readonly DiagnosticCode FusionReportUnavailable = new(4046);

    // CB4050-CB4069: verification advisories.
    public static readonly DiagnosticCode AbsoluteLatencyNotEnforced = new(4050);
    public static readonly DiagnosticCode SpeedupIntervalWide = new(4051);
    public static readonly DiagnosticCode BaselineFromOtherMachine = new(4052);
    public static readonly DiagnosticCode BaselineNotFound = new(4053);
    public static readonly DiagnosticCode NoClassificationOutput = new(4054);
    public static readonly DiagnosticCode FidelityBudgetUnchecked = new(4055);

    // CB4056-CB4064: fp16 safety and search honesty.
    public static readonly DiagnosticCode Fp16NodesKeptFloat = new(4056);
    public static readonly DiagnosticCode Fp16NotMeasured = new(4057);
    public static readonly DiagnosticCode CandidateModeDiffers = new(4058);

    // CB4059-CB4062: SplitQuant.
    public static readonly DiagnosticCode SplitQuantSize = new(4059);

    // CB4063-CB4065: pass settings.
    public static readonly DiagnosticCode SettingIgnoredByMode = new(4063);

    // CB4066-CB4067: the ctc metric.
    public static readonly DiagnosticCode TruthOutsideKeys = new(4066);
    public static readonly DiagnosticCode CtcKeysIgnored = new(4067);
}
