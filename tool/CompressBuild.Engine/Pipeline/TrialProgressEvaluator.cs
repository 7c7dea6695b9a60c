using CompressBuild.Engine.Pipeline.Search;

namespace CompressBuild.Engine.Pipeline;

/// <summary>Numbers trials as the search makes them and reports each outcome, for progress display.</summary>
internal sealed class TrialProgressEvaluator(ICandidateEvaluator inner, Action<int, CandidatePlan, TrialOutcome> onTrial) : ICandidateEvaluator
{
    private int count;

    public TrialOutcome Evaluate(CandidatePlan plan)
    {
        var outcome = inner.Evaluate(plan);
        if (outcome.SkippedBecause is null)
        {
            onTrial(++count, plan, outcome);
        }

        return outcome;
    }
}
