using Microsoft.ML.OnnxRuntime;

namespace CompressBuild.Engine.Runtime;

/// <summary>
/// Turns the managed API's exception into ours. Its error code is not public, but its message always starts with
/// "[ErrorCode:Name] " (ORT's OrtErrorCode names, which ours repeat), so the code is read from there.
/// </summary>
internal static class OrtErrors
{
    private const string Prefix = "[ErrorCode:";

    public static OrtException Convert(OnnxRuntimeException e)
    {
        var (code, message) = Parse(e.Message);
        return new OrtException(code, message, e);
    }

    public static (OrtErrorCode Code, string Message) Parse(string message)
    {
        if (message.StartsWith(Prefix, StringComparison.Ordinal) && message.IndexOf(']', StringComparison.Ordinal) is var end and > 0)
        {
            var name = message[Prefix.Length..end];
            var code = Enum.TryParse<OrtErrorCode>(name, out var parsed) ? parsed : OrtErrorCode.Fail;
            return (code, message[(end + 1)..].TrimStart());
        }

        return (OrtErrorCode.Fail, message);
    }
}
