using System.Globalization;
using System.Text;

namespace CompressBuild.Engine.Reporting;

/// <summary>A StringWriter that reports UTF-8, so XML declarations say utf-8 (the file's real encoding), not utf-16.</summary>
internal sealed class Utf8StringWriter() : StringWriter(CultureInfo.InvariantCulture)
{
    public override Encoding Encoding => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
}
