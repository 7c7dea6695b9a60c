using CompressBuild.Engine.Diagnostics;

namespace CompressBuild.Engine.Budgets;

/// <summary>A CB4xxx warning a verification raised: printed on stderr, kept in the reports, never a failure.</summary>
public sealed record Advisory(DiagnosticCode Code, string Message);
