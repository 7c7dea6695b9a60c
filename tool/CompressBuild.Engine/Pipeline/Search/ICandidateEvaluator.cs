namespace CompressBuild.Engine.Pipeline.Search;

/// <summary>Builds a candidate from a plan and verifies it against the budgets.</summary>
public interface ICandidateEvaluator
{
    TrialOutcome Evaluate(CandidatePlan plan);
}
