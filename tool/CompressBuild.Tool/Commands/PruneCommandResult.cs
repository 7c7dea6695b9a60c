using CompressBuild.Engine.Evaluation.Metrics;
using CompressBuild.Engine.Pruning;

namespace CompressBuild.Tool.Commands;

/// <summary>What <c>prune --json</c> prints: the layers, totals, groups, optional comparison and every advisory.</summary>
internal sealed record PruneCommandResult(
    string Model,
    string Output,
    string Method,
    double RequestedSparsity,
    double MeasuredSparsity,
    long ParametersBefore,
    long ParametersAfter,
    long NonZeroBefore,
    long NonZeroAfter,
    long ZipBytesBefore,
    long ZipBytesAfter,
    IReadOnlyList<LayerSparsity> Layers,
    IReadOnlyList<ChannelGroupReport> ChannelGroups,
    ComparisonResult? Comparison,
    IReadOnlyList<PruneAdvisory> Advisories);
