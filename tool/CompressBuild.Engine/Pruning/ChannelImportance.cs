namespace CompressBuild.Engine.Pruning;

public enum ChannelImportance
{
    L1,
    L2,

    /// <summary>|gamma| of the BatchNormalization nodes in the group; groups without one fall back to L2 (advisory).</summary>
    BnScale,

    /// <summary>Mean |activation| on calibration data times the weight L2 norm of the channel.</summary>
    Activation,
}
