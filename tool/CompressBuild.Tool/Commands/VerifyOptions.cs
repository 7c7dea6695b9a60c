using CompressBuild.Engine.Verification;
using CompressBuild.Engine.Budgets;

namespace CompressBuild.Tool.Commands;

/// <param name="Request">The engine request the command line describes.</param>
/// <param name="ReportDir">Where to write the JSON, Markdown, HTML and JUnit reports, or null.</param>
internal sealed record VerifyOptions(VerificationRequest Request, string? ReportDir, bool Json);
