namespace CompressBuild.Engine.Pipeline.Search;

public sealed record Trial(int Number, CandidatePlan Plan, TrialOutcome Outcome, TimeSpan Elapsed);
